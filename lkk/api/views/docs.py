"""The schema (/api/schema/) and Swagger UI (/api/docs/), both served by the portal itself.

Swagger UI comes from npm (swagger-ui-dist, pinned in package-lock.json) through the static
files; it starts from a script file of its own (no inline script: CSP `script-src 'self'`).
"""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny


class SchemaView(SpectacularAPIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]


@require_GET
def swagger_ui(request):
    return render(request, "api/docs.html")
