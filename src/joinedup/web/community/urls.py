from __future__ import annotations

from django.urls import path

from joinedup.web.community import views

app_name = "community"
urlpatterns = [
    path("", views.directory_page, name="directory"),
    path("assets/<int:asset_id>/", views.asset_page, name="asset"),
    path("import/", views.import_page, name="import"),
    path("needs/", views.gaps_page, name="gaps"),
    path("befriending-audit/", views.befriending_page, name="befriending"),
    path("cases/<int:case_id>/", views.case_support, name="case_support"),
    path("cases/<int:case_id>/assets/<int:asset_id>/refer/", views.refer, name="refer"),
    path("cases/<int:case_id>/referrals/<int:referral_id>/", views.take_up, name="take_up"),
    path("referrals/<str:reference>/", views.triage_support, name="triage_support"),
]
