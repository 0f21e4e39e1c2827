from __future__ import annotations

from django.urls import path

from joinedup.web.localities import views

app_name = "localities"
urlpatterns = [
    path("", views.choropleth, name="map"),
    path("map.<str:file_format>", views.choropleth_download, name="map_download"),
    path("compare/", views.compare, name="compare"),
    path("compare.<str:file_format>", views.compare_download, name="compare_download"),
    path("<str:code>/", views.area, name="area"),
    path("<str:code>/profile.<str:file_format>", views.area_download, name="area_download"),
]
