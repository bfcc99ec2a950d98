from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PilotageConfig(AppConfig):
    name = "oeuvre.pilotage"
    label = "pilotage"
    verbose_name = _("Steering")

    def ready(self) -> None:
        from oeuvre.core.activity import register_activity
        from oeuvre.pilotage import (
            deck,
            home,
            jobs,
            models,
            notify,  # noqa: F401 -- who is told about this stage's events
            permissions,
        )
        from oeuvre.web.stages import Stage, register_stage

        register_stage(Stage("pilotage", _("Steering"), "pilotage:index", permissions.PILOTAGE_VIEW, 50))
        # Snapshots stay out of the feed: the weekly job writes one per project and would drown it.
        project_models: list[type] = [
            models.SteeringSettings,
            models.MeteoOverride,
            models.Risk,
            models.Committee,
            models.Decision,
            models.Action,
            models.ChangeRequest,  # in the feed, and so discussed on its page (comments follow the feed's models)
        ]
        for model in project_models:
            register_activity(model, "project")
        register_activity(models.RiskAction, "risk__project")
        from oeuvre.pilotage import search as pilotage_search

        pilotage_search.register()  # what the search box finds (web's registry)
        from oeuvre.pilotage import work as pilotage_work

        pilotage_work.register()  # what waits for a person ("Mon travail")
        home.register()
        jobs.register()
        deck.register()
        from oeuvre.pilotage.verify import decisions_verify
        from oeuvre.recette.services.ledger import register_chain_verifier

        register_chain_verifier(decisions_verify)  # committee decisions share the recette's hash chain
        from oeuvre.mep.release_notes import register_change_source
        from oeuvre.pilotage.selectors.changes import changes_carried

        register_change_source(changes_carried)  # the change requests a release carries, in its notes
        from oeuvre.pilotage.selectors.committees import committee_events
        from oeuvre.planning.calendar import register_calendar_source

        register_calendar_source(committee_events)  # committee dates in the project's ICS
