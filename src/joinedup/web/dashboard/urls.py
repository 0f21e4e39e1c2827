from __future__ import annotations

from django.urls import path

from joinedup.web.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("download.<str:file_format>", views.download, name="download"),
    path("localities/", views.localities, name="localities"),
    path("localities/<str:code>/", views.locality, name="locality"),
]
