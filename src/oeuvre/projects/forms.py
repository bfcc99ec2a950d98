from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oeuvre.accounts.models import User
from oeuvre.accounts.roles import Role
from oeuvre.projects.models import Closure, Membership, Phase, Project
from oeuvre.web.forms import VersionField

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ProjectForm(forms.ModelForm):  # type: ignore[type-arg]
    version = VersionField()
    working_days = forms.TypedMultipleChoiceField(
        label=_("Working days"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Project
        fields = [
            "name",
            "description",
            "moa_organisation",
            "moe_organisation",
            "regime",
            "pricing",
            "start_date",
            "delivery_date",
            "golive_date",
            "end_date",
            "budget_amount",
            "budget_effort",
            "working_days",
            "holiday_zone",
        ]
        widgets = {
            "start_date": DateInput(),
            "delivery_date": DateInput(),
            "golive_date": DateInput(),
            "end_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def _post_clean(self) -> None:
        # Model validation runs in the service, inside its transaction; the form only parses input.
        pass

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PhaseForm(forms.Form):
    version = VersionField()
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)


class MemberAddForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    is_admin = forms.BooleanField(label=_("Project administrator"), required=False)

    def clean_username(self) -> User:
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active account has this username."))
        return user


class MemberEditForm(forms.ModelForm):  # type: ignore[type-arg]
    version = VersionField()

    class Meta:
        model = Membership
        fields = ["role", "is_admin"]

    def _post_clean(self) -> None:
        pass


class ClosureForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Closure
        fields = ["start", "end", "label"]
        widgets = {"start": DateInput(), "end": DateInput()}

    def _post_clean(self) -> None:
        pass
