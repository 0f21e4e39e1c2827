from __future__ import annotations

from django.apps import AppConfig


class LocalitiesConfig(AppConfig):
    name = "joinedup.web.localities"
    label = "localities"
    default_auto_field = "django.db.models.BigAutoField"
