"""The demo data of S1 and S3 (lkk/demo/services_visits.py): there, useful, and loaded once."""

from __future__ import annotations

import io

from django.core.management import call_command

from lkk.appointments.models import Office, Slot
from lkk.notifications.models import Notification
from lkk.outages.models import Outage, Subscription


def _counts() -> list[int]:
    return [m.objects.count() for m in (Office, Slot, Outage, Subscription, Notification)]


def test_demo_offices_slots_outages_and_fl_demos_notice(db):
    call_command("seed_demo", scale="small", stdout=io.StringIO(), stderr=io.StringIO())
    assert Office.objects.filter(active=True).count() == 2
    assert Slot.objects.count() > 100
    assert Subscription.objects.filter(user__username="fl_demo").exists()
    notice = Notification.objects.get(user__username="fl_demo", topic="outages")
    assert "Плановое отключение" in notice.title
    counts = _counts()
    call_command("seed_demo", scale="small", stdout=io.StringIO(), stderr=io.StringIO())
    assert _counts() == counts
