"""The REST API: one NinjaAPI, each stage adds its router here."""

from oeuvre.accounts.api import router as accounts_router
from oeuvre.core.api import build_api
from oeuvre.core.api_jobs import router as jobs_router
from oeuvre.design.api import router as design_router
from oeuvre.forge.api import router as forge_router
from oeuvre.mep.api import router as mep_router
from oeuvre.pilotage.api import router as pilotage_router
from oeuvre.planning.api import router as planning_router
from oeuvre.projects.api import router as projects_router
from oeuvre.recette.api import router as recette_router
from oeuvre.requirements.api import router as requirements_router
from oeuvre.web.api import router as web_router
from oeuvre.web.api_notify import router as notify_router

api = build_api()
api.add_router("", accounts_router)
api.add_router("", projects_router)
api.add_router("", jobs_router)
api.add_router("", planning_router)
api.add_router("", requirements_router)
api.add_router("", design_router)
api.add_router("", recette_router)
api.add_router("", forge_router)
api.add_router("", mep_router)
api.add_router("", pilotage_router)
api.add_router("", web_router)
api.add_router("", notify_router)
