from __future__ import annotations

from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "joinedup.web.workforce"
    label = "workforce"
    default_auto_field = "django.db.models.BigAutoField"
