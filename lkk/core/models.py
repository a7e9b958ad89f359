from django.db import models
from django.utils.translation import gettext_lazy as _


class BillingMirror(models.Model):
    """A row that billing owns: the portal keeps billing's own ID to match every later import."""

    billing_id = models.CharField(_("ID в биллинге"), max_length=64, unique=True)
    synced_at = models.DateTimeField(_("получено из биллинга"), auto_now=True)

    class Meta:
        abstract = True
