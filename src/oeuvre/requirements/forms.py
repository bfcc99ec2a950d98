from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oeuvre.accounts.models import User
from oeuvre.accounts.roles import Role
from oeuvre.projects.models import Project
from oeuvre.requirements.models import (
    CdcVersion,
    Component,
    Deliverable,
    Exigence,
    RequirementsSettings,
    Specification,
    TraceKind,
)
from oeuvre.web.forms import VersionField


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _members(project: Project) -> Any:
    return User.objects.filter(memberships__project=project).order_by("last_name", "first_name")


class _ProjectModelForm(forms.ModelForm):  # type: ignore[type-arg]
    """Model forms whose validation runs in the service (inside its transaction); the form only parses."""

    version = VersionField(required=False)
    edit_fields: list[str] = []

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        if "owner" in self.fields:
            self.fields["owner"].queryset = _members(project)  # type: ignore[attr-defined]
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def _post_clean(self) -> None:
        pass

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self._meta.fields or [] if name in self.cleaned_data}


class ExigenceForm(_ProjectModelForm):
    class Meta:
        model = Exigence
        fields = ["reference", "title", "text", "type", "priority", "source", "cdc_version", "owner"]
        widgets = {"text": forms.Textarea(attrs={"rows": 8})}
        help_texts = {"reference": _("Leave empty for the next free reference.")}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, project=project, **kwargs)
        self.fields["reference"].required = False
        self.fields["cdc_version"].queryset = CdcVersion.objects.filter(project=project)  # type: ignore[attr-defined]

    def changes(self) -> dict[str, Any]:
        data = super().changes()
        if not data.get("reference"):
            data.pop("reference", None)
        return data


class SpecificationForm(_ProjectModelForm):
    exigences = forms.ModelMultipleChoiceField(
        label=_("Satisfied requirements"),
        queryset=Exigence.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Specification
        fields = ["reference", "kind", "title", "text", "owner"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"reference": _("Leave empty for the next free reference.")}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, project=project, **kwargs)
        self.fields["reference"].required = False
        self.fields["exigences"].queryset = Exigence.objects.filter(project=project).order_by("number")  # type: ignore[attr-defined]
        if self.instance.pk and not self.is_bound:
            self.initial["exigences"] = list(self.instance.exigences.values_list("pk", flat=True))

    def changes(self) -> dict[str, Any]:
        data = {k: v for k, v in super().changes().items() if k != "exigences"}
        if not data.get("reference"):
            data.pop("reference", None)
        return data


class ComponentForm(_ProjectModelForm):
    specifications = forms.ModelMultipleChoiceField(
        label=_("Realised specifications"),
        queryset=Specification.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Component
        fields = [
            "reference",
            "kind",
            "name",
            "description",
            "owner",
            "performance_constraints",
            "security_constraints",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "performance_constraints": forms.Textarea(attrs={"rows": 2}),
            "security_constraints": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"reference": _("Leave empty for the next free reference.")}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, project=project, **kwargs)
        self.fields["reference"].required = False
        self.fields["specifications"].queryset = Specification.objects.filter(project=project).order_by("number")  # type: ignore[attr-defined]
        if self.instance.pk and not self.is_bound:
            self.initial["specifications"] = list(self.instance.specifications.values_list("pk", flat=True))

    def changes(self) -> dict[str, Any]:
        data = {k: v for k, v in super().changes().items() if k != "specifications"}
        if not data.get("reference"):
            data.pop("reference", None)
        return data


class TransitionForm(forms.Form):
    version = VersionField()
    action = forms.ChoiceField(choices=[("submit", "submit"), ("validate", "validate"), ("reject", "reject")])
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LinkForm(forms.Form):
    kind = forms.ChoiceField(label=_("Link"), choices=TraceKind.choices)
    source = forms.CharField(label=_("From (reference)"), max_length=40)
    target = forms.CharField(label=_("To (reference)"), max_length=40)
    comment = forms.CharField(label=_("Comment"), max_length=300, required=False)


class FreezeForm(forms.Form):
    label = forms.CharField(label=_("Version"), max_length=40, help_text=_("For example V1.0."))
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    issued_on = forms.DateField(label=_("Issued on"), required=False, widget=DateInput())
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx, .csv, .reqif, .reqifz)"))
    header_row = forms.IntegerField(
        label=_("Header row"), required=False, min_value=1, help_text=_("Leave empty to find it automatically.")
    )


class SettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    version = VersionField(required=False)

    class Meta:
        model = RequirementsSettings
        fields = ["exigence_prefix", "specification_prefix", "component_prefix", "reference_digits"]

    def _post_clean(self) -> None:
        pass


class RuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Deliverable"), choices=Deliverable.Kind.choices)
    author_roles = forms.MultipleChoiceField(
        label=_("Written by"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )
    validator_roles = forms.MultipleChoiceField(
        label=_("Validated by"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )


class DeliverableForm(_ProjectModelForm):
    class Meta:
        model = Deliverable
        fields = ["kind", "title", "reference", "document_version", "due_date", "link", "author", "validator"]
        widgets = {"due_date": DateInput()}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, project=project, **kwargs)
        self.fields["author"].queryset = _members(project)  # type: ignore[attr-defined]
        self.fields["validator"].queryset = _members(project)  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    version = VersionField()
    action = forms.ChoiceField(choices=[("submit", "submit"), ("validate", "validate"), ("refuse", "refuse")])
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
