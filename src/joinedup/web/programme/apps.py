from __future__ import annotations

from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "joinedup.web.programme"
    label = "programme"
    default_auto_field = "django.db.models.BigAutoField"
