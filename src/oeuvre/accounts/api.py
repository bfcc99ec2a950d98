from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from oeuvre.accounts import selectors, services
from oeuvre.accounts.models import ApiToken, Organisation
from oeuvre.accounts.permissions import current_user
from oeuvre.core.api import ErrorOut, Pagination, if_match, set_etag

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    language: str
    is_staff: bool


class TokenIn(Schema):
    name: str
    expires_at: datetime | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str


class OrganisationIn(Schema):
    name: str
    kind: Organisation.Kind = Organisation.Kind.COMPANY
    siret: str = ""
    city: str = ""


class OrganisationPatch(Schema):
    name: str | None = None
    kind: Organisation.Kind | None = None
    siret: str | None = None
    city: str | None = None


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    siret: str
    city: str
    version: int


@router.get("/me", response=MeOut, summary="The current user")
def me(request: HttpRequest) -> object:
    return request.user


@router.get("/me/tokens", response=list[TokenOut], summary="My API tokens")
def my_tokens(request: HttpRequest) -> object:
    return selectors.tokens_of(current_user(request))


@router.post("/me/tokens", response={201: TokenCreatedOut, 422: ErrorOut}, summary="Create an API token (shown once)")
def create_token(request: HttpRequest, payload: TokenIn) -> object:
    token, raw = services.token_create(user=current_user(request), name=payload.name, expires_at=payload.expires_at)
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@router.delete("/me/tokens/{token_id}", response={204: None, 404: ErrorOut}, summary="Revoke one of my API tokens")
def revoke_token(request: HttpRequest, token_id: int) -> object:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.token_revoke(actor=current_user(request), token=token)
    return Status(204, None)


@router.get("/organisations", response=list[OrganisationOut], summary="Organisations")
@paginate(Pagination)
def list_organisations(request: HttpRequest) -> object:
    return selectors.organisations()


@router.post("/organisations", response={201: OrganisationOut, 403: ErrorOut, 422: ErrorOut})
def create_organisation(request: HttpRequest, payload: OrganisationIn, response: HttpResponse) -> object:
    org = services.organisation_create(actor=current_user(request), **payload.dict())
    set_etag(response, org)
    return Status(201, org)


@router.get("/organisations/{org_id}", response={200: OrganisationOut, 404: ErrorOut})
def get_organisation(request: HttpRequest, org_id: int, response: HttpResponse) -> object:
    org = get_object_or_404(selectors.organisations(), pk=org_id)
    set_etag(response, org)
    return org


@router.patch(
    "/organisations/{org_id}",
    response={200: OrganisationOut, 403: ErrorOut, 404: ErrorOut, 412: ErrorOut, 422: ErrorOut, 428: ErrorOut},
)
def update_organisation(
    request: HttpRequest, org_id: int, payload: OrganisationPatch, response: HttpResponse
) -> object:
    org = get_object_or_404(selectors.organisations(), pk=org_id)
    org = services.organisation_update(
        actor=current_user(request),
        organisation=org,
        expected_version=if_match(request),
        **payload.dict(exclude_unset=True),
    )
    set_etag(response, org)
    return org
