from django.urls import path

from oeuvre.accounts import views

app_name = "accounts"

urlpatterns = [
    path("roles/", views.matrix, name="matrix"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
