"""Design endpoints for the role × endpoint matrix test (pages and API)."""

from __future__ import annotations

from typing import Any

from tests.matrix import Endpoint

VIEW, EDIT = "design.view", "design.edit"
R = (302,)


def _c(p: Any) -> str:
    return str(p.project.code)


def _a(p: Any) -> str:
    return f"/api/projects/{_c(p)}/design"


def _cached(p: Any, key: str, build: Any) -> Any:
    cache = p.__dict__.setdefault("_design_cache", {})
    if key not in cache:
        cache[key] = build()
    return cache[key]


def _components(p: Any) -> tuple[Any, Any]:
    from oeuvre.requirements.models import Component

    def build() -> tuple[Any, Any]:
        a = Component.objects.create(project=p.project, reference="CMP-1", number=1, name="Portail")
        b = Component.objects.create(project=p.project, reference="CMP-2", number=2, name="Back-office")
        return a, b

    return _cached(p, "components", build)  # type: ignore[no-any-return]


def _interface(p: Any) -> Any:
    from oeuvre.design.models import Interface

    a, b = _components(p)
    return _cached(
        p, "interface", lambda: Interface.objects.create(project=p.project, reference="IF-900", number=900,
                                                         name="Dépôt", source=a, target=b)
    )  # fmt: skip


def _criterion(p: Any) -> Any:
    from oeuvre.design.models import Criterion

    a, _b = _components(p)
    return _cached(
        p, "criterion", lambda: Criterion.objects.create(project=p.project, reference="CRT-900", number=900,
                                                         component=a, metric="response_time_p95", operator="<=",
                                                         threshold="2000", unit="ms")
    )  # fmt: skip


def _interface_form(p: Any) -> dict[str, Any]:
    a, b = _components(p)
    return {"name": "Flux", "source": a.pk, "target": b.pk, "protocol": "rest", "direction": "outbound",
            "status": "planned"}  # fmt: skip


B = "/api/projects/{code}/design"

ENDPOINTS: list[Endpoint] = [
    Endpoint("design:index", "GET", lambda p: f"/p/{_c(p)}/design/", VIEW),
    Endpoint("design:interfaces", "GET", lambda p: f"/p/{_c(p)}/design/interfaces/", VIEW),
    Endpoint("design:interface_new", "GET", lambda p: f"/p/{_c(p)}/design/interfaces/new/", EDIT),
    Endpoint(
        "design:interface_new", "POST", lambda p: f"/p/{_c(p)}/design/interfaces/new/", EDIT, data=_interface_form, ok=R
    ),
    Endpoint("design:interface", "GET", lambda p: f"/p/{_c(p)}/design/interfaces/{_interface(p).pk}/", VIEW),
    Endpoint(
        "design:interface_delete",
        "POST",
        lambda p: f"/p/{_c(p)}/design/interfaces/{_interface(p).pk}/delete/",
        EDIT,
        ok=R,
    ),
    Endpoint("design:criteria", "GET", lambda p: f"/p/{_c(p)}/design/criteria/", VIEW),
    Endpoint("design:criterion_new", "GET", lambda p: f"/p/{_c(p)}/design/criteria/new/", EDIT),
    Endpoint("design:criterion", "GET", lambda p: f"/p/{_c(p)}/design/criteria/{_criterion(p).pk}/", VIEW),
    Endpoint("design:dat", "GET", lambda p: f"/p/{_c(p)}/design/dat.docx", VIEW),
    Endpoint(f"api:GET {B}/interfaces", "GET", lambda p: f"{_a(p)}/interfaces", VIEW, api=True),
    Endpoint(
        f"api:POST {B}/interfaces",
        "POST",
        lambda p: f"{_a(p)}/interfaces",
        EDIT,
        api=True,
        ok=(201,),
        data=lambda p: {"name": "Flux", "source": _components(p)[0].reference, "partner": "DGFiP"},
    ),
    Endpoint(f"api:GET {B}/criteria", "GET", lambda p: f"{_a(p)}/criteria", VIEW, api=True),
    Endpoint(
        f"api:POST {B}/criteria",
        "POST",
        lambda p: f"{_a(p)}/criteria",
        EDIT,
        api=True,
        ok=(201,),
        data=lambda p: {
            "component": _components(p)[0].reference,
            "metric": "availability",
            "operator": ">=",
            "threshold": "99.5",
            "unit": "%",
        },
    ),
]
