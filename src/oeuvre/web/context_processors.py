from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    return {"OEUVRE_DEMO": settings.DEMO, "LANGUAGE_CHOICES": settings.LANGUAGES}
