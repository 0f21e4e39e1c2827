from __future__ import annotations

from django.urls import path

from joinedup.web.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.cases, name="cases"),
    path("outcomes/", views.team_outcomes, name="outcomes"),
    path("<int:case_id>/", views.case, name="case"),
    path("<int:case_id>/workers/add/", views.worker_add, name="worker_add"),
    path(
        "<int:case_id>/workers/<int:worker_id>/remove/",
        views.worker_remove,
        name="worker_remove",
    ),
    path("<int:case_id>/needs/add/", views.need_add, name="need_add"),
    path("<int:case_id>/needs/<int:need_id>/", views.need_edit, name="need_edit"),
    path("<int:case_id>/actions/add/", views.action_add, name="action_add"),
    path("<int:case_id>/actions/<int:action_id>/", views.action_edit, name="action_edit"),
    path("<int:case_id>/notes/add/", views.note_add, name="note_add"),
    path("<int:case_id>/consent/", views.consent, name="consent"),
    path("<int:case_id>/review/", views.review, name="review"),
    path("<int:case_id>/pam/add/", views.pam_add, name="pam_add"),
    path("<int:case_id>/swemwbs/add/", views.swemwbs_add, name="swemwbs_add"),
    path("<int:case_id>/close/", views.close, name="close"),
]
