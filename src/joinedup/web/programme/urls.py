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
    path("themes/new/", views.theme_new, name="theme_new"),
    path("themes/<int:theme_id>/edit/", views.theme_edit, name="theme_edit"),
    path("workstreams/new/", views.workstream_new, name="workstream_new"),
    path("workstreams/<int:workstream_id>/edit/", views.workstream_edit, name="workstream_edit"),
    path("workstreams/<int:workstream_id>/phases/new/", views.phase_new, name="phase_new"),
    path("phases/<int:phase_id>/edit/", views.phase_edit, name="phase_edit"),
    path("funding/new/", views.grant_new, name="grant_new"),
    path("funding/<int:grant_id>/edit/", views.grant_edit, name="grant_edit"),
    path("measures/", views.measures_page, name="measures"),
    path("measures/check/", views.measures_check, name="measures_check"),
    path("measures/<int:measure_id>/edit/", views.measure_edit, name="measure_edit"),
    path("risks/<int:risk_id>/measures/new/", views.risk_measure_new, name="risk_measure_new"),
    path(
        "workstreams/<int:workstream_id>/measures/new/",
        views.workstream_measure_new,
        name="workstream_measure_new",
    ),
    path("meetings/", meeting_views.meetings, name="meetings"),
    path("meetings/import/", meeting_views.minutes_import, name="minutes_import"),
    path("meetings/new/", meeting_views.meeting_new, name="meeting_new"),
    path("meetings/<int:meeting_id>/", meeting_views.meeting, name="meeting"),
    path("meetings/<int:meeting_id>/edit/", meeting_views.meeting_edit, name="meeting_edit"),
    path(
        "meetings/<int:meeting_id>/attendance/new/",
        meeting_views.meeting_attendance,
        name="meeting_attendance_new",
    ),
    path(
        "meetings/<int:meeting_id>/attendance/<int:attendance_id>/",
        meeting_views.meeting_attendance,
        name="meeting_attendance_edit",
    ),
    path(
        "meetings/<int:meeting_id>/attendance/<int:attendance_id>/remove/",
        meeting_views.meeting_attendance_remove,
        name="meeting_attendance_remove",
    ),
    path(
        "meetings/<int:meeting_id>/items/new/", meeting_views.meeting_item, name="meeting_item_new"
    ),
    path(
        "meetings/<int:meeting_id>/items/<int:item_id>/",
        meeting_views.meeting_item,
        name="meeting_item_edit",
    ),
    path(
        "meetings/<int:meeting_id>/items/<int:item_id>/move/",
        meeting_views.meeting_item_move,
        name="meeting_item_move",
    ),
    path(
        "meetings/<int:meeting_id>/items/<int:item_id>/remove/",
        meeting_views.meeting_item_remove,
        name="meeting_item_remove",
    ),
    path(
        "meetings/<int:meeting_id>/approve-previous-minutes/",
        meeting_views.meeting_approve_minutes,
        name="meeting_approve_minutes",
    ),
    path("meetings/<int:meeting_id>/remind/", meeting_views.meeting_remind, name="meeting_remind"),
    path(
        "meetings/<int:meeting_id>/pack.pdf",
        meeting_views.meeting_pack_pdf,
        name="meeting_pack_pdf",
    ),
    path(
        "meetings/<int:meeting_id>/pack.xlsx",
        meeting_views.meeting_pack_xlsx,
        name="meeting_pack_xlsx",
    ),
    path("actions/", meeting_views.actions, name="actions"),
    path("actions/<int:action_id>/", meeting_views.action_update, name="action_update"),
]
