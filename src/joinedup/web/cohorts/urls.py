from __future__ import annotations

from django.urls import path

from joinedup.web.cohorts import views

app_name = "cohorts"
urlpatterns = [
    path("", views.library, name="library"),
    path("definitions/<str:name>/", views.definition, name="definition"),
    path("definitions/<str:name>/run/", views.run, name="run"),
    path("runs/<int:run_id>/", views.result, name="result"),
    path("runs/<int:run_id>/download.<str:file_format>", views.download, name="download"),
    path("runs/<int:run_id>/release/", views.request_release, name="release"),
]
