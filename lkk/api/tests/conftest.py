from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from lkk.api.services import token_issue


def bearer(user) -> APIClient:
    from django.test import RequestFactory

    _token, key = token_issue(request=RequestFactory().post("/"), user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def api_a(customer_a) -> APIClient:
    return bearer(customer_a.user)


@pytest.fixture
def api_b(customer_b) -> APIClient:
    return bearer(customer_b.user)
