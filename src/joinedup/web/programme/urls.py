from __future__ import annotations

from django.urls import path

from joinedup.web.programme import meeting_views, views

app_name = "programme"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("timeline/", views.timeline, name="timeline"),
    path("workstreams/<int:workstream_id>/", views.workstream, name="workstream"),
    path(
        "workstreams/<int:workstream_id>/status/", views.workstream_status, name="workstream_status"
    ),
    path("funding/", views.grants, name="grants"),
    path("funding/<int:grant_id>/", views.grant, name="grant"),
    path("funding/<int:grant_id>/spend/", views.spend_add, name="spend_add"),
    path("risks/", views.risks, name="risks"),
    path("risks/new/", views.risk_new, name="risk_new"),
    path("risks/<int:risk_id>/", views.risk, name="risk"),
    path("risks/<int:risk_id>/edit/", views.risk_edit, name="risk_edit"),
    path("meetings/", meeting_views.meetings, name="meetings"),
    path("meetings/import/", meeting_views.minutes_import, name="minutes_import"),
    path("meetings/<int:meeting_id>/", meeting_views.meeting, name="meeting"),
    path("actions/", meeting_views.actions, name="actions"),
    path("actions/<int:action_id>/", meeting_views.action_update, name="action_update"),
]
