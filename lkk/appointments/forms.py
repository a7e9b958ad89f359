"""Forms of S1: the time of a visit (its choices are the free slots) and the operator's day."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lkk.appointments.models import Slot


class SlotForm(forms.Form):
    """A free slot of the chosen office and day; a comment when booking."""

    slot = forms.TypedChoiceField(
        label=_("Время"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Выберите время приёма."),
            "invalid_choice": _("Это время уже занято, выберите другое"),
        },
    )
    comment = forms.CharField(
        label=_("Комментарий"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Например, номер договора или суть вопроса."),
    )

    def __init__(self, *args, slots: list[Slot], with_comment: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [
            (s.pk, f"{timezone.localtime(s.starts_at):%H:%M}") for s in slots
        ]
        if not with_comment:
            del self.fields["comment"]
