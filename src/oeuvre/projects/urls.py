from django.urls import path

from oeuvre.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("<slug:code>/", views.home, name="home"),
    path("<slug:code>/edit/", views.edit, name="edit"),
    path("<slug:code>/phase/", views.change_phase, name="change_phase"),
    path("<slug:code>/members/", views.members, name="members"),
    path("<slug:code>/members/add/", views.member_add, name="member_add"),
    path("<slug:code>/members/<int:member_id>/", views.member_edit, name="member_edit"),
    path("<slug:code>/members/<int:member_id>/remove/", views.member_remove, name="member_remove"),
    path("<slug:code>/closures/add/", views.closure_add, name="closure_add"),
    path("<slug:code>/closures/<int:closure_id>/remove/", views.closure_remove, name="closure_remove"),
    path("<slug:code>/activity/", views.activity, name="activity"),
]
