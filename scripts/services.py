#!/usr/bin/env python3
"""Run a command against throw-away PostgreSQL and/or Redis servers on loopback.

Why: ``make test`` and the benchmarks need real services, but must neither depend
on nor pollute whatever daemons happen to be installed or running on the machine.
This script starts private instances on free 127.0.0.1 ports with settings tuned
for disposable data (no fsync, no persistence), exports their URLs as
``DATABASE_URL`` and ``REDIS_URL``, runs the command and always tears the
services down again: on normal exit, on errors and on SIGINT/SIGTERM/SIGHUP.

Usage::

    python scripts/services.py [--postgres] [--redis] [--keep-data DIR] -- CMD ARGS...

``--keep-data DIR`` uses DIR as the PostgreSQL data directory (initialised only
if it has no PG_VERSION) and keeps it afterwards, so benchmark data can be reused.
The exit status is CMD's (128+N if it was killed by signal N); 1 if a service
could not be started.

It uses the standard library only, so any Python 3.11 can run it. As root it
installs missing Debian packages with apt-get, and runs the PostgreSQL tools as
the ``postgres`` OS user because initdb refuses to run as root. Both servers
are child processes in their own session, so a Ctrl-C reaches only the command and
teardown stops and reaps them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

HOST = "127.0.0.1"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_TOOLS = ("initdb", "pg_ctl", "postgres", "pg_isready", "psql", "createdb")
PG_PACKAGES = ("postgresql-15", "postgresql")
PG_OS_USER = "postgres"
PG_OS_HOME = "/var/lib/postgresql"
DB_NAME = "lkk"  # also the name of the database superuser created by initdb
PG_SETTINGS = {
    "listen_addresses": HOST,
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "512MB",
    "max_connections": "200",
    "work_mem": "32MB",
    "maintenance_work_mem": "512MB",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "30min",
}
READY_TIMEOUT = 60.0  # seconds to wait for a service to accept connections
STOP_TIMEOUT = 60  # seconds to wait for a service to shut down
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)  # SIGINT already raises KeyboardInterrupt


class ServiceError(RuntimeError):
    """A service could not be installed or started."""


def log(message: str) -> None:
    """Report on stderr, keeping the command's stdout clean."""
    print(f"services: {message}", file=sys.stderr, flush=True)


def is_root() -> bool:
    """Whether we may install packages and must drop to the postgres user."""
    return os.geteuid() == 0


# --- running helper commands ------------------------------------------------------------


def run(argv: Sequence[str], *, what: str, **popen_args: Any) -> str:
    """Run a helper command quietly; raise ServiceError with its output if it fails."""
    try:
        proc = subprocess.run(  # noqa: S603 - argv is built here, not from untrusted input
            argv,
            capture_output=True,
            text=True,
            timeout=READY_TIMEOUT * 2,
            check=False,
            **popen_args,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ServiceError(f"{what} failed: {exc}") from exc
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).strip()
        raise ServiceError(f"{what} failed (exit {proc.returncode}):\n{output}")
    return proc.stdout


def status(argv: Sequence[str], **popen_args: Any) -> int:
    """Run a helper command quietly and return its exit status."""
    return subprocess.run(  # noqa: S603 - argv is built here, not from untrusted input
        argv, capture_output=True, timeout=READY_TIMEOUT, check=False, **popen_args
    ).returncode


def tail(path: Path, lines: int = 30) -> str:
    """The end of a log file, for error messages."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --- installing -------------------------------------------------------------------------


def apt_get(*args: str) -> int:
    """Run apt-get non-interactively (waiting for the dpkg lock), output to stderr."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    argv = ["apt-get", "-q", "-o", "DPkg::Lock::Timeout=600", *args]
    return subprocess.run(argv, env=env, stdout=sys.stderr, check=False).returncode  # noqa: S603


def apt_install(packages: Sequence[str]) -> None:
    """Install the first installable package, running apt-get update if none is."""
    if not is_root():
        raise ServiceError(f"not installed, and not root to install: {' or '.join(packages)}")
    for refresh in (False, True):
        if refresh:
            log("apt-get install failed, running apt-get update")
            apt_get("update")
        for package in packages:
            log(f"installing {package} with apt-get")
            if apt_get("install", "-y", package) == 0:
                return
    raise ServiceError(f"could not install {' or '.join(packages)} with apt-get")


def ensure_postgres_installed() -> None:
    """Make sure the PostgreSQL 15 server and client tools are present."""
    if not all((PG_BIN / tool).exists() for tool in PG_TOOLS):
        apt_install(PG_PACKAGES)
    missing = [tool for tool in PG_TOOLS if not (PG_BIN / tool).exists()]
    if missing:
        raise ServiceError(f"missing in {PG_BIN}: {', '.join(missing)}")


def ensure_redis_installed() -> str:
    """Return the path of redis-server, installing it if needed."""
    server = shutil.which("redis-server")
    if server is None:
        apt_install(["redis-server"])
        server = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/bin")
    if server is None:
        raise ServiceError("redis-server not found on PATH")
    return server


def ensure_postgres_user() -> pwd.struct_passwd:
    """Return the postgres OS user, creating it if it does not exist."""
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(PG_OS_USER)
    run(
        ["useradd", "--system", "--home-dir", PG_OS_HOME, PG_OS_USER],
        what=f"creating the {PG_OS_USER} user",
    )
    return pwd.getpwnam(PG_OS_USER)


# --- directories and ports --------------------------------------------------------------


def chown_tree(path: Path, user: pwd.struct_passwd) -> None:
    """Give a directory tree to the given user."""
    os.chown(path, user.pw_uid, user.pw_gid)
    for root, dirs, files in os.walk(path):
        for name in (*dirs, *files):
            os.lchown(os.path.join(root, name), user.pw_uid, user.pw_gid)


def make_work_dir(stack: contextlib.ExitStack, owner: pwd.struct_passwd | None) -> Path:
    """A private temp dir for sockets, logs and data, removed at exit."""
    work_dir = Path(tempfile.mkdtemp(prefix="lkk-services-"))
    stack.callback(shutil.rmtree, work_dir, ignore_errors=True)
    if owner is not None:
        os.chown(work_dir, owner.pw_uid, owner.pw_gid)
    return work_dir


def prepare_keep_dir(data_dir: Path, owner: pwd.struct_passwd | None) -> None:
    """Create a kept data dir if needed and make sure the server's user owns it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if owner is not None and data_dir.stat().st_uid != owner.pw_uid:
        chown_tree(data_dir, owner)


def free_ports(count: int) -> list[int]:
    """Distinct free TCP ports on loopback, picked by the kernel (bind to port 0)."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind((HOST, 0))
        return [sock.getsockname()[1] for sock in sockets]


# --- PostgreSQL -------------------------------------------------------------------------


def initdb_locale_args() -> list[str]:
    """Use the C.UTF-8 locale if the system has it, else no locale at all."""
    try:
        out = subprocess.run(
            ["locale", "-a"],  # noqa: S607 - system tool looked up on PATH
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    except OSError:
        out = ""
    names = {name.lower().replace("-", "") for name in out.split()}
    return ["--locale=C.UTF-8"] if "c.utf8" in names else ["--no-locale"]


@dataclass
class Postgres:
    """A private PostgreSQL server, run as a child process so that we also reap it."""

    data_dir: Path
    work_dir: Path  # holds the Unix socket and the log
    port: int
    owner: pwd.struct_passwd | None  # OS user to run as, when we are root
    proc: subprocess.Popen[bytes] | None = None

    @property
    def log_file(self) -> Path:
        return self.work_dir / "postgres.log"

    def spawn_args(self) -> dict[str, Any]:
        """Popen arguments that run a tool as the owner (initdb refuses to run as root)."""
        if self.owner is None:
            return {"cwd": self.work_dir}
        user = self.owner
        env = {**os.environ, "HOME": user.pw_dir, "USER": user.pw_name, "LOGNAME": user.pw_name}
        ids = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        return {"cwd": self.work_dir, "env": env, **ids}

    def tool(self, name: str, *args: str | Path) -> list[str]:
        return [str(PG_BIN / name), *map(str, args)]

    def conn_args(self) -> list[str]:
        return ["-h", HOST, "-p", str(self.port), "-U", DB_NAME]

    def initdb(self) -> None:
        """Create a new cluster whose superuser is DB_NAME, trusting local connections."""
        argv = self.tool("initdb", "-D", self.data_dir, "-U", DB_NAME, "--auth=trust", "-E")
        argv += ["UTF8", *initdb_locale_args(), "--no-sync"]
        run(argv, what="initdb", **self.spawn_args())

    def already_running(self) -> bool:
        """Whether some server already runs on this data dir (pg_ctl status exits 0)."""
        return status(self.tool("pg_ctl", "status", "-D", self.data_dir), **self.spawn_args()) == 0

    def start(self) -> None:
        """Spawn the postmaster in its own session (so Ctrl-C reaches only the command)."""
        settings = {
            **PG_SETTINGS,
            "port": str(self.port),
            "unix_socket_directories": str(self.work_dir),
        }
        argv = self.tool("postgres", "-D", self.data_dir)
        argv += [arg for key, value in settings.items() for arg in ("-c", f"{key}={value}")]
        with self.log_file.open("wb") as out:
            self.proc = subprocess.Popen(  # noqa: S603 - argv is built here
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **self.spawn_args(),
            )

    def wait_ready(self) -> None:
        """Wait until the server accepts TCP connections, failing early if it died."""
        argv = self.tool("pg_isready", "-q", *self.conn_args(), "-d", "postgres", "-t", "2")
        deadline = time.monotonic() + READY_TIMEOUT
        while status(argv, **self.spawn_args()) != 0:
            if self.proc is not None and self.proc.poll() is not None:
                code = self.proc.returncode
                raise ServiceError(f"postgres exited with {code}:\n{tail(self.log_file)}")
            if time.monotonic() > deadline:
                raise ServiceError(f"PostgreSQL not ready after {READY_TIMEOUT:.0f}s")
            time.sleep(0.1)

    def ensure_database(self) -> None:
        """Create the DB_NAME database unless a kept data dir already has it."""
        probe = self.tool("psql", *self.conn_args(), "-d", DB_NAME, "-Xqc", "SELECT 1")
        if status(probe, **self.spawn_args()) != 0:
            createdb = self.tool("createdb", *self.conn_args(), DB_NAME)
            run(createdb, what="createdb", **self.spawn_args())

    def stop(self) -> None:
        """Fast shutdown with pg_ctl, escalating to signals if needed; never raises."""
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        argv = self.tool("pg_ctl", "stop", "-D", self.data_dir, "-m", "fast", "-w")
        try:
            run([*argv, "-t", str(STOP_TIMEOUT)], what="pg_ctl stop", **self.spawn_args())
        except ServiceError as exc:
            log(f"warning: {exc}")
        # SIGINT is PostgreSQL's fast shutdown, SIGQUIT its immediate one.
        for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGKILL):
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=STOP_TIMEOUT if sig == signal.SIGINT else 10)
                return
            log(f"warning: postgres still running, sending {sig.name}")
            proc.send_signal(sig)
        proc.wait()


def start_postgres(
    stack: contextlib.ExitStack, work_dir: Path, port: int, keep_data: Path | None
) -> str:
    """Start PostgreSQL, register its shutdown, and return its DATABASE_URL."""
    owner = ensure_postgres_user() if is_root() else None
    data_dir = keep_data if keep_data is not None else work_dir / "pgdata"
    server = Postgres(data_dir=data_dir, work_dir=work_dir, port=port, owner=owner)
    if keep_data is not None:
        prepare_keep_dir(keep_data, owner)
    if not (data_dir / "PG_VERSION").exists():
        server.initdb()
    if server.already_running():
        raise ServiceError(f"a PostgreSQL server is already running on {data_dir}")
    stack.callback(server.stop)
    server.start()
    server.wait_ready()
    server.ensure_database()
    kept = f" (data kept in {data_dir})" if keep_data is not None else ""
    log(f"postgres on {HOST}:{port}{kept}")
    return f"postgres://{DB_NAME}@{HOST}:{port}/{DB_NAME}"


# --- Redis ------------------------------------------------------------------------------


def redis_answers(port: int) -> bool:
    """Whether Redis replies +PONG to an inline PING on the port."""
    try:
        with socket.create_connection((HOST, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def wait_for_redis(proc: subprocess.Popen[bytes], port: int, log_file: Path) -> None:
    """Wait until Redis answers, failing early if the process died."""
    deadline = time.monotonic() + READY_TIMEOUT
    while not redis_answers(port):
        if proc.poll() is not None:
            raise ServiceError(f"redis-server exited with {proc.returncode}:\n{tail(log_file)}")
        if time.monotonic() > deadline:
            raise ServiceError(f"Redis not ready on {HOST}:{port} after {READY_TIMEOUT:.0f}s")
        time.sleep(0.05)


def stop_redis(proc: subprocess.Popen[bytes]) -> None:
    """Terminate redis-server (SIGKILL if it lingers); never raises."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        log("warning: redis-server did not stop, killing it")
        proc.kill()
        proc.wait()


def start_redis(stack: contextlib.ExitStack, server: str, work_dir: Path, port: int) -> str:
    """Start a persistence-free redis-server child, register its shutdown, return REDIS_URL."""
    argv = [server, "--bind", HOST, "--port", str(port), "--save", "", "--appendonly", "no"]
    argv += ["--daemonize", "no", "--dir", str(work_dir)]
    log_file = work_dir / "redis.log"
    with log_file.open("wb") as out:
        # Own session: a Ctrl-C must not kill Redis before the command has finished with it.
        proc = subprocess.Popen(  # noqa: S603 - argv is built here, not from untrusted input
            argv,
            cwd=work_dir,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    stack.callback(stop_redis, proc)
    wait_for_redis(proc, port, log_file)
    log(f"redis on {HOST}:{port}")
    return f"redis://{HOST}:{port}/0"


# --- signals and the command ------------------------------------------------------------


def exit_on_signals() -> None:
    """Turn SIGTERM/SIGHUP into SystemExit so that teardown runs during start-up."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    for sig in STOP_SIGNALS:
        if signal.getsignal(sig) is not signal.SIG_IGN:  # e.g. nohup: keep ignoring it
            signal.signal(sig, handler)


def ignore_signals() -> None:
    """Let teardown finish even if more signals arrive."""
    for sig in (signal.SIGINT, *STOP_SIGNALS):
        signal.signal(sig, signal.SIG_IGN)


def terminal_sent_sigint() -> bool:
    """Whether we are in the terminal's foreground group, so Ctrl-C also reached the child."""
    try:
        fd = os.open("/dev/tty", os.O_RDONLY)
    except OSError:
        return False
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False
    finally:
        os.close(fd)


def forward_signals(proc: subprocess.Popen[bytes]) -> None:
    """While the command runs, pass signals on to it and wait for it to exit."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        if signum == signal.SIGINT and terminal_sent_sigint():
            return  # the child got it from the terminal too; don't send it twice
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signum)

    for sig in (signal.SIGINT, *STOP_SIGNALS):
        if signal.getsignal(sig) is not signal.SIG_IGN:  # e.g. SIGINT in a background job
            signal.signal(sig, handler)


def run_command(command: Sequence[str], env: dict[str, str]) -> int:
    """Run the command with inherited stdio; return its exit status like a shell does."""
    try:
        proc = subprocess.Popen(command, env=env)  # noqa: S603 - running it is our purpose
    except OSError as exc:
        log(f"cannot run {command[0]}: {exc}")
        return 126 if isinstance(exc, PermissionError) else 127
    forward_signals(proc)
    returncode = proc.wait()
    return 128 - returncode if returncode < 0 else returncode


# --- main -------------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """Split our options from the command after ``--``."""
    parser = argparse.ArgumentParser(
        prog="services.py",
        usage="%(prog)s [--postgres] [--redis] [--keep-data DIR] -- CMD ARGS...",
        description="Run CMD with throw-away PostgreSQL/Redis servers on loopback.",
    )
    parser.add_argument("--postgres", action="store_true", help="start PostgreSQL 15")
    parser.add_argument("--redis", action="store_true", help="start Redis")
    parser.add_argument(
        "--keep-data", metavar="DIR", type=Path, help="PostgreSQL data dir to reuse and keep"
    )
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    command = list(argv[split + 1 :])
    if not command:
        parser.error("missing command after --")
    if args.keep_data is not None and not args.postgres:
        parser.error("--keep-data requires --postgres")
    if args.keep_data is not None:
        args.keep_data = args.keep_data.resolve()
    return args, command


def start_services(stack: contextlib.ExitStack, args: argparse.Namespace) -> dict[str, str]:
    """Start the requested services and return the command's environment."""
    env = dict(os.environ)
    if not (args.postgres or args.redis):
        return env
    if args.postgres:
        ensure_postgres_installed()
    redis_server = ensure_redis_installed() if args.redis else ""
    owner = ensure_postgres_user() if args.postgres and is_root() else None
    work_dir = make_work_dir(stack, owner)
    pg_port, redis_port = free_ports(2)
    if args.postgres:
        env["DATABASE_URL"] = start_postgres(stack, work_dir, pg_port, args.keep_data)
    if args.redis:
        env["REDIS_URL"] = start_redis(stack, redis_server, work_dir, redis_port)
    return env


def main(argv: Sequence[str] | None = None) -> int:
    """Start services, run the command, always tear down; return the exit status."""
    args, command = parse_args(sys.argv[1:] if argv is None else argv)
    exit_on_signals()
    stack = contextlib.ExitStack()
    try:
        env = start_services(stack, args)
        return run_command(command, env)
    except ServiceError as exc:
        log(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        ignore_signals()
        stack.close()


if __name__ == "__main__":
    sys.exit(main())
