from __future__ import annotations

from django import forms

from oeuvre.core.errors import DomainError, StaleVersion, ValidationFailed

__all__ = ["VersionField", "apply_error"]


class VersionField(forms.IntegerField):
    """The version the form was read at, sent back so a concurrent save is detected, not overwritten."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: object) -> None:
        super().__init__(min_value=1, **kwargs)  # type: ignore[arg-type]


def apply_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a service's refusal on the form, on the named field when there is one."""
    if isinstance(exc, ValidationFailed):
        for field, messages in exc.errors.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    elif isinstance(exc, StaleVersion):
        form.add_error(None, str(exc.message))
        if "version" in form.fields:
            # The next submit is based on the current version, so the user can keep their input.
            data = form.data.copy()  # type: ignore[attr-defined]
            data["version"] = str(exc.current_version)
            form.data = data
    else:
        form.add_error(None, str(exc.message))
