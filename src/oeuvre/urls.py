from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from oeuvre.api import api
from oeuvre.core import views as core_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="projects:portfolio", permanent=False)),
    path("healthz", core_views.healthz, name="healthz"),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("jobs/<uuid:job_id>/", core_views.job_detail, name="job_detail"),
    path("", include("oeuvre.web.urls")),
    path("p/<slug:code>/requirements/", include("oeuvre.requirements.urls")),
    path("p/<slug:code>/design/", include("oeuvre.design.urls")),
    path("p/<slug:code>/planning/", include("oeuvre.planning.urls")),
    path("p/<slug:code>/recette/", include("oeuvre.recette.urls")),
    path("p/<slug:code>/forge/", include("oeuvre.forge.urls")),
    path("p/<slug:code>/mep/", include("oeuvre.mep.urls")),
    path("p/<slug:code>/pilotage/", include("oeuvre.pilotage.urls")),
    path("pilotage/", include("oeuvre.pilotage.user_urls")),
    path("p/", include("oeuvre.projects.urls")),
    path("", include("oeuvre.accounts.urls")),
    path("admin/", admin.site.urls),
]

handler403 = core_views.forbidden
# Uploaded files are never served as static media: evidence and signed PV are private and go out only
# through their permission-checked views.
