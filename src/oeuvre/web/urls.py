from django.urls import path

from oeuvre.web import views

app_name = "web"

urlpatterns = [
    path("help/", views.help_index, name="help"),
    path("help/<slug:topic>/", views.help_topic, name="help_topic"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("search/", views.search_page, name="search"),
    path("my-work/", views.my_work, name="my_work"),
]
