from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from lkk.surveys.models import Question, Survey


class AnswerForm(forms.Form):
    """One field per question of the survey, named `q<id>`."""

    def __init__(self, survey: Survey, questions, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            name, required = f"q{q.pk}", q.required
            choices = [(str(i), label) for i, label in enumerate(q.option_list, start=1)]
            errors = {"required": _("Ответьте на этот вопрос.")}
            if q.kind == Question.Kind.TEXT:
                field = forms.CharField(
                    label=q.text,
                    required=required,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    error_messages=errors,
                )
            elif q.kind == Question.Kind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    label=q.text,
                    required=required,
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                    error_messages={**errors, "invalid_choice": _("Выберите вариант из списка.")},
                )
            else:
                field = forms.ChoiceField(
                    label=q.text,
                    required=required,
                    choices=choices,
                    widget=forms.RadioSelect,
                    error_messages={**errors, "invalid_choice": _("Выберите вариант из списка.")},
                )
                if q.kind == Question.Kind.SCALE:
                    field.help_text = _("1 — очень плохо, 5 — отлично")
            self.fields[name] = field

    def answers(self) -> dict[int, object]:
        data = {}
        for q in self.questions:
            value = self.cleaned_data.get(f"q{q.pk}")
            if isinstance(value, list):
                value = sorted({int(v) for v in value})
            data[q.pk] = value
        return data


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "description", "audience", "status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["order", "text", "kind", "required", "options"]
        widgets = {"options": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        kind, options = data.get("kind"), data.get("options") or ""
        lines = [ln for ln in options.splitlines() if ln.strip()]
        choice = kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE)
        if data.get("text") and choice and len(lines) < 2:
            self.add_error("options", _("Укажите не меньше двух вариантов, по одному в строке."))
        return data


QuestionFormSet = inlineformset_factory(
    Survey, Question, form=QuestionForm, extra=2, can_delete=True, max_num=50, validate_max=True
)
