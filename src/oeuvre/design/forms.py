"""Forms of the design stage: they parse; the services validate inside their transaction."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oeuvre.accounts.models import User
from oeuvre.design.models import Criterion, Interface
from oeuvre.engine.criteria import UNITS
from oeuvre.projects.models import Project
from oeuvre.requirements.models import Component, Exigence, Specification
from oeuvre.web.forms import VersionField

__all__ = ["CriterionForm", "InterfaceForm"]


class _DesignForm(forms.ModelForm):  # type: ignore[type-arg]
    version = VersionField(required=False)
    exigences = forms.ModelMultipleChoiceField(
        label=_("Requirements"), queryset=Exigence.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        components = Component.objects.filter(project=project).order_by("number")
        for name in ("source", "target", "component"):
            if name in self.fields:
                self.fields[name].queryset = components  # type: ignore[attr-defined]
        if "owner" in self.fields:
            self.fields["owner"].queryset = User.objects.filter(memberships__project=project).order_by(  # type: ignore[attr-defined]
                "last_name", "first_name"
            )
        self.fields["exigences"].queryset = Exigence.objects.filter(project=project).order_by("number")  # type: ignore[attr-defined]
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
            self.initial["exigences"] = list(self.instance.exigences.values_list("pk", flat=True))

    def _post_clean(self) -> None:
        pass

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self._meta.fields or [] if name in self.cleaned_data}


class InterfaceForm(_DesignForm):
    specifications = forms.ModelMultipleChoiceField(
        label=_("Specifications"), queryset=Specification.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip

    class Meta:
        model = Interface
        fields = [
            "name", "source", "target", "partner", "protocol", "data_format", "direction", "volume", "frequency",
            "authentication", "encryption", "owner", "status", "description",
        ]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, project=project, **kwargs)
        self.fields["specifications"].queryset = Specification.objects.filter(project=project).order_by("number")  # type: ignore[attr-defined]
        if self.instance.pk and not self.is_bound:
            self.initial["specifications"] = list(self.instance.specifications.values_list("pk", flat=True))


class CriterionForm(_DesignForm):
    unit = forms.ChoiceField(label=_("unit"), choices=[(u, u) for u in UNITS])

    class Meta:
        model = Criterion
        fields = ["title", "component", "interface", "metric", "operator", "threshold", "unit", "label"]

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, project=project, **kwargs)
        self.fields["interface"].queryset = Interface.objects.filter(project=project).order_by("number")  # type: ignore[attr-defined]
