from __future__ import annotations

from django.urls import path

from joinedup.web.feeds import views

app_name = "feeds"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("upload/", views.upload, name="upload"),
    path("deliveries/<int:delivery_id>/", views.delivery_page, name="delivery"),
    path("deliveries/<int:delivery_id>/lines/<int:line>/", views.fix_row, name="fix"),
    path("deliveries/<int:delivery_id>/lines/<int:line>/close/", views.close_row, name="close"),
    path("<str:feed>/", views.feed_page, name="feed"),
]
