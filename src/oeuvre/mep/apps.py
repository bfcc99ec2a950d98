from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MepConfig(AppConfig):
    name = "oeuvre.mep"
    label = "mep"
    verbose_name = _("Deployment and support")

    def ready(self) -> None:
        from oeuvre.core.activity import register_activity
        from oeuvre.mep import (
            models,
            notify,  # noqa: F401 -- who is told about this stage's events
            permissions,
        )
        from oeuvre.mep import search as mep_search
        from oeuvre.web.stages import Stage, register_stage

        mep_search.register()  # what the search box finds (web's registry)
        from oeuvre.mep import work as mep_work

        mep_work.register()  # what waits for a person ("Mon travail")
        register_stage(Stage("mep", _("Deployment"), "mep:index", permissions.MEP_VIEW, 40))
        for model in (models.Environment, models.Release, models.GoNoGoSettings, models.GoNoGoDecision):
            register_activity(model, "project")
        # Incidents are in the feed (and so may be discussed: comments follow the feed's models).
        register_activity(models.Incident, "project")
        register_activity(models.Deployment, "environment__project")
        register_activity(models.ReadinessCheck, "release__project")
        from oeuvre.mep.verify import gonogo_verify
        from oeuvre.recette.services.ledger import register_chain_verifier

        register_chain_verifier(gonogo_verify)  # go/no-go decisions share the recette's hash chain
        from oeuvre.design.hooks import register_environments_provider
        from oeuvre.mep.selectors import deployed_components

        register_environments_provider(deployed_components)  # the architecture view, per environment
