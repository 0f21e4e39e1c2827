from __future__ import annotations

from django.urls import path

from joinedup.web.workforce import views

app_name = "workforce"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("coverage.<str:file_format>", views.download, name="download"),
    path("programmes/new/", views.programme_new, name="programme_new"),
    path("programmes/<int:programme_id>/edit/", views.programme_edit, name="programme_edit"),
    path("teams/new/", views.team_new, name="team_new"),
    path("teams/<int:team_id>/", views.team, name="team"),
    path("teams/<int:team_id>/edit/", views.team_edit, name="team_edit"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:session_id>/", views.session, name="session"),
    path("sessions/<int:session_id>/edit/", views.session_edit, name="session_edit"),
    path("register/", views.register_import, name="register_import"),
]
