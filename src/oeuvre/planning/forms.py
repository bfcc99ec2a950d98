"""Forms of the planning pages: they parse input; the services validate and save."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from oeuvre.planning.importing import plan_file_refusal
from oeuvre.planning.models import (
    Absence,
    Assignment,
    Dependency,
    LinkType,
    Lot,
    Plan,
    Resource,
    Task,
)
from oeuvre.projects.forms import WEEKDAYS, DateInput
from oeuvre.projects.models import Project
from oeuvre.web.forms import VersionField


class _ServiceForm(forms.ModelForm):  # type: ignore[type-arg]
    """Model validation runs in the service, inside its transaction; the form only parses input.

    A field whose model column has a default may be left empty: it then keeps its value (or default).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._defaulted = set()
        for name, field in self.fields.items():
            try:
                model_field = self._meta.model._meta.get_field(name)
            except FieldDoesNotExist:  # a form-only field
                continue
            if getattr(model_field, "has_default", lambda: False)() and field.required:
                field.required = False
                self._defaulted.add(name)

    def _post_clean(self) -> None:
        pass

    def changes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self._meta.fields or []:
            if name not in self.cleaned_data:
                continue
            value = self.cleaned_data[name]
            if name in self._defaulted and value in (None, ""):
                continue
            out[name] = value
        return out


class _Versioned(_ServiceForm):
    version = VersionField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version


class LotForm(_Versioned):
    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Lot.objects.filter(project=project)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        self.fields["code"].required = False
        self.fields["code"].help_text = _("Empty: the next free code (L1, L2…).")

    class Meta:
        model = Lot
        fields = ["code", "name", "parent", "position", "budget_effort", "budget_amount", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class TaskForm(_Versioned):
    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = Lot.objects.filter(project=project)  # type: ignore[attr-defined]
        self.fields["code"].required = False
        self.fields["code"].help_text = _("Empty: the next free code (T-001…, J-01… for milestones).")
        from oeuvre.requirements.models import Component, Specification

        self.fields["specifications"].queryset = Specification.objects.filter(project=project)  # type: ignore[attr-defined]
        self.fields["components"].queryset = Component.objects.filter(project=project)  # type: ignore[attr-defined]
        for name in ("specifications", "components"):
            self.fields[name].required = False
            self.fields[name].widget.attrs["size"] = 6

    class Meta:
        model = Task
        fields = [
            "lot",
            "code",
            "name",
            "kind",
            "milestone_type",
            "duration",
            "effort",
            "optimistic_duration",
            "pessimistic_duration",
            "constraint_type",
            "constraint_date",
            "actual_start",
            "actual_finish",
            "progress_override",
            "position",
            "specifications",
            "components",
            "description",
        ]
        widgets = {
            "constraint_date": DateInput(),
            "actual_start": DateInput(),
            "actual_finish": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class TaskRowForm(_Versioned):
    """The task table's inline edit: the fields planners change most."""

    class Meta:
        model = Task
        fields = ["name", "duration", "effort", "constraint_type", "constraint_date"]
        widgets = {"constraint_date": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        effort = self.initial.get("effort")
        if isinstance(effort, Decimal):  # « 20 », not the column's « 20.00 »
            self.initial["effort"] = format(effort.normalize(), "f")


class DependencyForm(forms.Form):
    predecessor = forms.ModelChoiceField(label=_("Predecessor"), queryset=Task.objects.none())
    type = forms.ChoiceField(label=_("Type"), choices=LinkType.choices, initial=LinkType.FS)
    lag = forms.IntegerField(label=_("Lag (days)"), initial=0, min_value=-999, max_value=999)
    lag_calendar_days = forms.BooleanField(label=_("Lag in calendar days"), required=False)

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["predecessor"].queryset = (  # type: ignore[attr-defined]
            Task.objects.filter(project=task.project).exclude(pk=task.pk).order_by("code")
        )


class DependencyEditForm(_Versioned):
    class Meta:
        model = Dependency
        fields = ["type", "lag", "lag_calendar_days"]


class ResourceForm(_Versioned):
    working_days = forms.TypedMultipleChoiceField(
        label=_("Working days"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: the project's working days."),
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from oeuvre.accounts.models import User

        self.fields["user"].queryset = User.objects.filter(memberships__project=project).order_by("last_name")  # type: ignore[attr-defined]

    class Meta:
        model = Resource
        fields = ["name", "kind", "user", "tjm", "capacity", "working_days", "active"]

    def changes(self) -> dict[str, Any]:
        data = super().changes()
        data["working_days"] = data.get("working_days") or None
        return data


class AbsenceForm(_ServiceForm):
    class Meta:
        model = Absence
        fields = ["start", "end", "label"]
        widgets = {"start": DateInput(), "end": DateInput()}


class AssignmentForm(forms.Form):
    resource = forms.ModelChoiceField(label=_("Resource"), queryset=Resource.objects.none())
    units = forms.DecimalField(
        label=_("Units (1 = full time)"), initial=1, min_value=0.01, max_digits=6, decimal_places=2
    )
    effort = forms.DecimalField(
        label=_("Effort (person-days)"), required=False, min_value=0, max_digits=10, decimal_places=2
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = Resource.objects.filter(project=project, active=True)  # type: ignore[attr-defined]


class AssignmentEditForm(_Versioned):
    class Meta:
        model = Assignment
        fields = ["units", "effort"]


class PlanSettingsForm(_Versioned):
    class Meta:
        model = Plan
        fields = ["status_date", "default_tjm", "optimistic_factor", "pessimistic_factor"]
        widgets = {"status_date": DateInput()}


class TimesheetCloseForm(forms.Form):
    version = VersionField(required=False)
    until = forms.DateField(label=_("Close time entries up to"), required=False, widget=DateInput())


class BaselineForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    make_reference = forms.BooleanField(label=_("Make it the reference baseline"), required=False, initial=True)


class MoveForm(forms.Form):
    """Move or resize a task from the keyboard (the same service as the Gantt drag)."""

    task = forms.ModelChoiceField(label=_("Task"), queryset=Task.objects.none())
    version = VersionField(required=False)
    start = forms.DateField(label=_("New start"), required=False, widget=DateInput())
    duration = forms.IntegerField(label=_("New duration (working days)"), required=False, min_value=1)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = Task.objects.filter(project=project).order_by("code")  # type: ignore[attr-defined]


class LevellingForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[("heuristic", _("Heuristic (fast)")), ("cpsat", _("CP-SAT (exact, with a time limit)"))],
        initial="heuristic",
    )
    time_limit = forms.FloatField(label=_("Time limit (seconds)"), initial=10, min_value=1, max_value=300)


class RiskForm(forms.Form):
    iterations = forms.IntegerField(label=_("Iterations"), initial=5000, min_value=100, max_value=100_000)
    seed = forms.IntegerField(label=_("Seed (same seed, same result)"), initial=1, min_value=0)


class PlanImportForm(forms.Form):
    file = forms.FileField(
        label=_("Plan file"),
        help_text=_(
            "MS Project XML (.xml), MS Project (.mpp, needs MPXJ and Java on the server) or the plan workbook (.xlsx)."
        ),
    )
    replace = forms.BooleanField(label=_("Replace the current plan"), required=False)

    def clean_file(self) -> Any:
        """Name and size checked before the upload is read into memory or kept."""
        upload = self.cleaned_data["file"]
        refusal = plan_file_refusal(upload.name, upload.size)
        if refusal is not None:
            raise forms.ValidationError(refusal)
        return upload


class TimeImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: date; person; task; effort; comment — French or English headers, ; or , separated."),
    )
