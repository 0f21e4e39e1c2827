from __future__ import annotations

from django.urls import path

from joinedup.web.linkflags import views

app_name = "linkflags"
urlpatterns = [
    path("", views.flag_list, name="flags"),
    path("<int:flag_id>/", views.resolve, name="resolve"),
    path("person/<str:person_key>/", views.flag, name="flag"),
]
