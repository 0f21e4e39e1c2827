from __future__ import annotations

from django.urls import path

from joinedup.web.mdt import views

app_name = "mdt"
urlpatterns = [
    path("", views.meeting_list, name="meetings"),
    path("new/", views.meeting_new, name="meeting_new"),
    path("<int:meeting_id>/", views.meeting, name="meeting"),
    path("<int:meeting_id>/agenda/", views.agenda, name="agenda"),
    path("<int:meeting_id>/agenda/print/", views.agenda_print, name="agenda_print"),
    path("<int:meeting_id>/record/print/", views.record_print, name="record_print"),
    path("<int:meeting_id>/attendance/", views.attendance, name="attendance"),
    path("<int:meeting_id>/items/<int:item_id>/", views.item, name="item"),
    path("<int:meeting_id>/items/<int:item_id>/actions/", views.item_action, name="item_action"),
]
