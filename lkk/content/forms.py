from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lkk.content.models import FaqItem, InfoPage, Instruction, News, SupportPhone

RICH_HELP = _(
    "HTML (абзацы, списки, ссылки, таблицы) или простая разметка: пустая строка — новый абзац, "
    "«- » — пункт списка, **жирный**, *курсив*, [текст](адрес). Скрипты и стили удаляются."
)


class NewsForm(forms.ModelForm):
    class Meta:
        model = News
        fields = ["title", "summary", "body", "status", "published_at"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 12}),
            "published_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }
        help_texts = {"body": RICH_HELP}


class InfoPageForm(forms.ModelForm):
    class Meta:
        model = InfoPage
        fields = ["title", "slug", "body", "order", "is_published"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}
        help_texts = {"body": RICH_HELP, "slug": _("Латинские буквы, цифры и дефис.")}


class FaqItemForm(forms.ModelForm):
    class Meta:
        model = FaqItem
        fields = ["category", "question", "answer", "order", "is_published"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"answer": RICH_HELP}


class InstructionForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("Файл PDF"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf"}),
    )

    class Meta:
        model = Instruction
        fields = ["title", "slug", "is_public", "order"]

    def clean(self):
        data = super().clean()
        if not self.instance.file and not data.get("upload"):
            self.add_error("upload", _("Выберите файл PDF."))
        return data


class SupportPhoneForm(forms.ModelForm):
    class Meta:
        model = SupportPhone
        fields = ["title", "phone", "hours", "order"]
