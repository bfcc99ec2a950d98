from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from oeuvre.core.errors import DomainError, StaleVersion, ValidationFailed

__all__ = ["VersionField", "apply_error", "flash_error", "posted_version"]


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


def flash_error(request: HttpRequest, exc: DomainError) -> None:
    """Show a service's refusal as messages on the next page (for buttons that post without a form)."""
    if isinstance(exc, ValidationFailed):
        for field_messages in exc.errors.values():
            for message in field_messages:
                messages.error(request, message)
    else:
        messages.error(request, str(exc.message))


def posted_version(request: HttpRequest) -> int | None:
    """The ``version`` a posted button was read at, or ``None`` when it sent none."""
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None
