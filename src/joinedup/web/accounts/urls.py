from __future__ import annotations

from django.urls import path

from joinedup.web.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("two-factor/set-up/", views.two_factor_enrol, name="two_factor_enrol"),
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("users/", views.users, name="users"),
    path("users/<int:user_id>/roles/", views.user_roles, name="user_roles"),
    path("users/<int:user_id>/active/", views.user_active, name="user_active"),
    path("api-tokens/", views.api_tokens, name="api_tokens"),
]
