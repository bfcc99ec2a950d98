from django.urls import path

from oeuvre.web import notify_views, views

app_name = "web"

urlpatterns = [
    path("help/", views.help_index, name="help"),
    path("help/<slug:topic>/", views.help_topic, name="help_topic"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("search/", views.search_page, name="search"),
    path("search/saved/", views.saved_search_save, name="saved_search_save"),
    path("search/saved/<int:pk>/delete/", views.saved_search_delete, name="saved_search_delete"),
    path("my-work/", views.my_work, name="my_work"),
    path("notifications/", notify_views.notification_list, name="notifications"),
    path("notifications/bell/", notify_views.bell, name="bell"),
    path("notifications/read-all/", notify_views.notification_read_all, name="notifications_read_all"),
    path("notifications/preferences/", notify_views.notification_preferences, name="notification_preferences"),
    path("notifications/<int:pk>/read/", notify_views.notification_read, name="notification_read"),
    path(
        "p/<slug:code>/comments/<str:object_type>/<str:object_id>/",
        notify_views.comment_thread,
        name="comments",
    ),
    path("p/<slug:code>/comment/<int:pk>/delete/", notify_views.comment_delete, name="comment_delete"),
    path("p/<slug:code>/comment/file/<int:pk>/", notify_views.comment_attachment, name="comment_attachment"),
]
