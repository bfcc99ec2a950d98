from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from oeuvre.accounts import selectors, services
from oeuvre.accounts.models import ApiToken
from oeuvre.accounts.permissions import MATRIX, current_user
from oeuvre.accounts.roles import ADMIN, Role
from oeuvre.core.errors import DomainError
from oeuvre.web.decorators import user_page
from oeuvre.web.forms import apply_error


@user_page
def matrix(request: HttpRequest) -> HttpResponse:
    """The role matrix, read from the same data that :func:`oeuvre.accounts.permissions.can` uses."""
    columns: list[tuple[str, str, str]] = [
        (role.value, str(role.label).split(" — ")[0], str(role.label)) for role in Role
    ]
    columns.append((ADMIN, _("Admin"), _("Project administrator (adds to the member's role)")))
    groups: dict[str, list[dict[str, object]]] = {}
    for permission in MATRIX.values():
        cells = [
            permission.granted_to(value, is_admin=False) if value != ADMIN else ADMIN in permission.roles
            for value, _short, _label in columns
        ]
        groups.setdefault(str(permission.stage), []).append(
            {"label": permission.label, "code": permission.code, "cells": cells}
        )
    return render(request, "accounts/matrix.html", {"columns": columns, "groups": groups, "nav": "matrix"})


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100, help_text=gettext_lazy("For example: CI pipeline.")
    )
    expires_at = forms.DateTimeField(
        label=gettext_lazy("Expires"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=gettext_lazy("Leave empty for a token that does not expire."),
    )


@user_page
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = services.token_create(
                user=current_user(request),
                name=form.cleaned_data["name"],
                expires_at=form.cleaned_data["expires_at"],
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            form = TokenForm()
    context = {
        "form": form,
        "secret": secret,
        "tokens": selectors.tokens_of(current_user(request)),
        "nav": "account",
        "now": timezone.now(),  # a token past its expiry date says so
    }
    return render(request, "accounts/tokens.html", context)


@require_POST
@user_page
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.token_revoke(actor=current_user(request), token=token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:tokens")
