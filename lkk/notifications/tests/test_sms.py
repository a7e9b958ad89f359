"""SMS providers: the HTTP gateway (a real server on loopback), the file and the console."""

from __future__ import annotations

import contextlib
import json
import stat
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from lkk.notifications.models import OutboxMessage
from lkk.notifications.services import message_queue
from lkk.notifications.sms import (
    ConsoleSmsProvider,
    FileSmsProvider,
    HttpSmsProvider,
    SmsError,
    sms_provider,
)

TOKEN = "gateway-secret-token"


class Gateway(ThreadingHTTPServer):
    """A stand-in SMS gateway: records each request and answers `status`."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _GatewayHandler)
        self.requests: list[dict[str, object]] = []
        self.status = 200
        self.delay = 0.0
        self.location = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/v1/sms"


class _GatewayHandler(BaseHTTPRequestHandler):
    server: Gateway

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append(
            {"path": self.path, "headers": dict(self.headers), "json": json.loads(body)}
        )
        time.sleep(self.server.delay)
        answer = b'{"error": "echo of the text would be here"}'
        self.send_response(self.server.status)
        if self.server.location:
            self.send_header("Location", self.server.location)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        # The timeout test's client has hung up by now.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(answer)

    def do_GET(self) -> None:
        self.server.requests.append({"path": self.path, "method": "GET"})
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gateway(settings) -> Iterator[Gateway]:
    server = Gateway()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = server.url
    settings.SMS_HTTP_TOKEN = TOKEN
    settings.SMS_HTTP_TIMEOUT = 2.0
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _queue(committed, text: str = "Код подтверждения: 559021") -> OutboxMessage:
    with committed():
        message = message_queue(
            channel="sms", recipient="+7 912 345-67-89", subject="", body=text, kind="login_code"
        )
    message.refresh_from_db()
    return message


@pytest.mark.django_db
def test_http_gateway_gets_json_and_the_bearer_token(gateway, committed):
    message = _queue(committed)
    assert message.status == OutboxMessage.Status.SENT
    [request] = gateway.requests
    assert request["path"] == "/v1/sms"
    assert request["json"] == {
        "id": str(message.uid),
        "to": "+79123456789",
        "text": "Код подтверждения: 559021",
    }
    headers = request["headers"]
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Content-Type"].startswith("application/json")
    assert headers["Idempotency-Key"] == str(message.uid)


@pytest.mark.django_db
def test_http_500_is_a_failure_and_is_retried(gateway, committed):
    gateway.status = 500
    message = _queue(committed)
    assert len(gateway.requests) == 1
    assert (message.status, message.attempts) == (OutboxMessage.Status.PENDING, 1)
    assert message.last_error == "SmsError: the SMS gateway answered HTTP 500"
    assert TOKEN not in message.last_error


@pytest.mark.django_db
def test_http_redirect_is_not_followed(gateway, committed):
    gateway.status = 302
    gateway.location = gateway.url + "/elsewhere"
    message = _queue(committed)
    assert message.status == OutboxMessage.Status.PENDING
    assert message.last_error == "SmsError: the SMS gateway answered HTTP 302"
    assert [r["path"] for r in gateway.requests] == ["/v1/sms"], "the token went nowhere else"


def test_http_timeout_and_unreachable_gateway_are_failures(gateway):
    gateway.delay = 1.0
    provider = HttpSmsProvider(gateway.url, token=TOKEN, timeout=0.2)
    with pytest.raises(SmsError, match="unreachable"):
        provider.send(phone="+79123456789", text="x", message_id="1")
    closed = ThreadingHTTPServer(("127.0.0.1", 0), _GatewayHandler)
    url = f"http://127.0.0.1:{closed.server_port}/"
    closed.server_close()
    with pytest.raises(SmsError, match="unreachable"):
        HttpSmsProvider(url, timeout=1).send(phone="+79123456789", text="x", message_id="1")


@pytest.mark.django_db
def test_file_provider_appends_the_message(settings, committed, tmp_path):
    path = tmp_path / "sms" / "outbox.jsonl"
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = path
    first = _queue(committed, "Код подтверждения: 111222")
    second = _queue(committed, "Ваша заявка принята")
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(x["id"], x["to"], x["text"]) for x in lines] == [
        (str(first.uid), "+79123456789", "Код подтверждения: 111222"),
        (str(second.uid), "+79123456789", "Ваша заявка принята"),
    ]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, "the file holds live codes"


def test_console_provider_prints_the_message(capsys):
    ConsoleSmsProvider().send(phone="+79123456789", text="Код: 123456", message_id="m-1")
    out = capsys.readouterr().out
    assert "+79123456789" in out
    assert "Код: 123456" in out


def test_sms_backend_setting_picks_the_provider(settings, tmp_path):
    settings.SMS_BACKEND = "console"
    assert isinstance(sms_provider(), ConsoleSmsProvider)
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    assert isinstance(sms_provider(), FileSmsProvider)
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = "https://sms.example.ru/send"
    assert isinstance(sms_provider(), HttpSmsProvider)
    settings.SMS_HTTP_URL = ""
    with pytest.raises(ImproperlyConfigured):
        sms_provider()
    settings.SMS_BACKEND = "pigeon"
    with pytest.raises(ImproperlyConfigured):
        sms_provider()
    with pytest.raises(ImproperlyConfigured):
        HttpSmsProvider("file:///etc/passwd")
