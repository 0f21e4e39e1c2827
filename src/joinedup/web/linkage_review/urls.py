from __future__ import annotations

from django.urls import path

from joinedup.web.linkage_review import views

app_name = "linkage_review"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("run/", views.run_now, name="run_now"),
    path("runs/<int:run_id>/", views.run, name="run"),
    path("quality/", views.quality_over_time, name="quality"),
]
