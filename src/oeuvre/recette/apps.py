from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecetteConfig(AppConfig):
    name = "oeuvre.recette"
    label = "recette"
    verbose_name = _("Acceptance testing")

    def ready(self) -> None:
        from oeuvre.core.activity import register_activity
        from oeuvre.recette import (
            models,
            notify,  # noqa: F401 -- who is told about this stage's events
            permissions,
            wiring,
        )
        from oeuvre.web.stages import Stage, register_stage

        register_stage(Stage("recette", _("Acceptance"), "recette:index", permissions.RECETTE_VIEW, 30))
        for model in (
            models.TestFolder,
            models.TestCase,
            models.Campaign,
            models.Execution,
            models.Anomaly,
            models.ProcesVerbal,
            models.Reserve,
            models.Signature,
            models.AcceptanceTimeline,
        ):
            register_activity(model, "project")
        register_activity(models.Iteration, "campaign__project")
        from oeuvre.recette import search as recette_search

        recette_search.register()  # what the search box finds (web's registry)
        from oeuvre.recette import work as recette_work

        recette_work.register()  # what waits for a person ("Mon travail")
        wiring.register()
