from __future__ import annotations

from django.urls import path

from joinedup.web.referrals import journey, views

app_name = "referrals"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.start, name="start"),
    # One page per question, each its own name (its step is fixed here, never by the request).
    *(
        path(
            f"new/{step.name.replace('_', '-')}/",
            views.question,
            {"step": step.name},
            name=step.name,
        )
        for step in journey.STEPS
    ),
    path("new/check/", views.check, name="check"),
    path("new/sent/", views.sent, name="sent"),
    path("triage/", views.triage_queue, name="triage"),
    path("case-finding/", views.case_finding_start, name="case_finding"),
    path("case-finding/people/", views.case_finding_people, name="case_finding_people"),
    path("triage/<str:reference>/", views.triage_referral, name="triage_referral"),
    path("<str:reference>/", views.referral, name="referral"),
]
