from __future__ import annotations

from django.urls import path

from joinedup.web.governance import views

app_name = "governance"
urlpatterns = [
    path("", views.agreements, name="agreements"),
    path("new/", views.agreement_create, name="agreement_create"),
    path("<str:reference>/", views.agreement, name="agreement"),
    path("<str:reference>/edit/", views.agreement_edit, name="agreement_edit"),
]
