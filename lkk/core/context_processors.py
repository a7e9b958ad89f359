from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "company_name": settings.LKK_COMPANY_NAME,
        "support_phone": settings.LKK_SUPPORT_PHONE,
        "demo_mode": settings.DEMO_MODE,
    }
