from django.urls import path

from oeuvre.requirements import views

app_name = "requirements"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.exigence_new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/main/", views.exigence_main, name="main"),
    path("<int:pk>/edit/", views.exigence_edit, name="edit"),
    path("<int:pk>/submit/", views.exigence_submit, name="submit"),
    path("<int:pk>/decide/", views.exigence_decide, name="decide"),
    path("<int:pk>/delete/", views.exigence_delete, name="delete"),
    path("<int:pk>/impact/", views.impact, name="impact"),
    path("links/add/", views.link_add, name="link_add"),
    path("links/<int:link_id>/remove/", views.link_remove, name="link_remove"),
    path("specifications/", views.specifications, name="specifications"),
    path("specifications/new/", views.specification_new, name="specification_new"),
    path("specifications/<int:pk>/", views.specification_detail, name="specification"),
    path("specifications/<int:pk>/delete/", views.specification_delete, name="specification_delete"),
    path("components/", views.components, name="components"),
    path("components/new/", views.component_new, name="component_new"),
    path("components/<int:pk>/", views.component_detail, name="component"),
    path("components/<int:pk>/delete/", views.component_delete, name="component_delete"),
    path("baselines/", views.baselines, name="baselines"),
    path("baselines/freeze/", views.baseline_freeze, name="baseline_freeze"),
    path("baselines/compare/", views.baseline_compare, name="baseline_compare"),
    path("rtm/", views.rtm, name="rtm"),
    path("import/", views.import_upload, name="import"),
    path("import/<str:token>/", views.import_map, name="import_map"),
    path("import/<str:token>/commit/", views.import_commit, name="import_commit"),
    path("import/<str:token>/jobs/<uuid:job_id>/", views.import_job, name="import_job"),
    path("deliverables/", views.deliverables, name="deliverables"),
    path("deliverables/<int:pk>/", views.deliverable_detail, name="deliverable"),
    path("deliverables/<int:pk>/raci/", views.deliverable_raci, name="deliverable_raci"),
    path("deliverables/<int:pk>/submit/", views.deliverable_submit, name="deliverable_submit"),
    path("deliverables/<int:pk>/decide/", views.deliverable_decide, name="deliverable_decide"),
    path("settings/", views.settings_page, name="settings"),
]
