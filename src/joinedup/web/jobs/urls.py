from __future__ import annotations

from django.urls import path

from joinedup.web.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.jobs, name="jobs"),
    path("<int:job_id>/", views.job, name="job"),
]
