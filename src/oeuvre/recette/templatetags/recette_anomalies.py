"""``{% anomalies_overview %}``: the anomalies slice's section of the stage's landing page, built from the
same selectors as the home panel (the landing view belongs to the stage, this section to the slice)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("recette/anomalies/_overview_body.html", takes_context=True)
def anomalies_overview(context: Any) -> dict[str, Any]:
    from oeuvre.recette.home import overview_context

    project = context["project"]
    return {
        "project": project,
        "recette": overview_context(project),
        "my_permissions": context.get("my_permissions", set()),
    }
