"""Errors that services raise and every edge (web, API, CLI) turns into a clear message."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = ["DomainError", "StaleVersion", "ValidationFailed"]


class DomainError(Exception):
    """A business rule refused the operation; the message is shown to the user as it is."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


class ValidationFailed(DomainError):
    """Input was refused; ``errors`` maps each field name to its messages, so edges can name the field."""

    def __init__(self, errors: Mapping[str, Sequence[str | Promise]]) -> None:
        self.errors = {field: [str(m) for m in messages] for field, messages in errors.items()}
        summary = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in self.errors.items())
        super().__init__(summary)

    @classmethod
    def from_django(cls, exc: Exception) -> ValidationFailed:
        """Build from a django ValidationError (message_dict when field-bound, else ``__all__``)."""
        message_dict = getattr(exc, "message_dict", None)
        if message_dict is not None:
            return cls(message_dict)
        return cls({"__all__": list(getattr(exc, "messages", [str(exc)]))})


class StaleVersion(DomainError):
    """Someone else saved the object after the version the caller read."""

    def __init__(self, current_version: int) -> None:
        super().__init__(_("Someone else saved this item first. Reload it to see their changes; yours were not saved."))
        self.current_version = current_version
