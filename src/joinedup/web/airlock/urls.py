from __future__ import annotations

from django.urls import path

from joinedup.web.airlock import views

app_name = "airlock"
urlpatterns = [
    path("", views.outputs, name="outputs"),
    path("new/cohort/", views.request_cohort, name="request_cohort"),
    path("new/table/", views.request_table, name="request_table"),
    path("<int:output_id>/", views.output, name="output"),
    path("<int:output_id>/download.<str:file_format>", views.download, name="download"),
    path("review/", views.queue, name="queue"),
    path("review/<int:output_id>/", views.review, name="review"),
]
