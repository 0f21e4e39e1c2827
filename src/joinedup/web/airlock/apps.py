from __future__ import annotations

from django.apps import AppConfig


class AirlockConfig(AppConfig):
    name = "joinedup.web.airlock"
    label = "airlock"
    default_auto_field = "django.db.models.BigAutoField"
