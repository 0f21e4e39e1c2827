from __future__ import annotations

from django.urls import path

from joinedup.web.people import views

app_name = "people"
urlpatterns = [
    path("break-glass/", views.break_glass_reviews, name="break_glass_reviews"),
    path("break-glass/<int:grant_id>/", views.break_glass_review, name="break_glass_review"),
    path("subject-access/", views.subject_access, name="subject_access"),
    path("subject-access/requests/", views.requests, name="requests"),
    path("subject-access/requests/<str:reference>/", views.request_detail, name="request"),
    path("<str:person_key>/", views.person, name="person"),
    path("<str:person_key>/break-glass/", views.break_glass, name="break_glass"),
]
