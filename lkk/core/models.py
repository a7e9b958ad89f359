import functools

from django.db import models
from django.db.models.fields import Field
from django.db.models.functions import Now
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


@functools.lru_cache(maxsize=1024)
def _choice_labels(field: Field, language: str | None) -> dict[object, str]:
    return {make_hashable(value): force_str(label) for value, label in field.flatchoices}


class ChoiceLabels(models.Model):
    """`get_FOO_display()` from a dict made once per field and language.

    Django's makes a dict of all the field's choices on every call, translating each lazy label
    to hash it: a list page of 25 contracts showed four such fields a row and spent a tenth of
    its time there. The result is the same: the value's label, or the value itself.
    """

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: Field) -> object:
        value = getattr(self, field.attname)
        labels = _choice_labels(field, get_language())
        return labels.get(make_hashable(value), value)


class BillingMirror(ChoiceLabels):
    """A row that billing owns: the portal keeps billing's own ID to match every later import."""

    billing_id = models.CharField(_("ID в биллинге"), max_length=64, unique=True)
    # The database's default too: bulk loads (COPY) leave the column to it.
    synced_at = models.DateTimeField(_("получено из биллинга"), auto_now=True, db_default=Now())

    class Meta:
        abstract = True
