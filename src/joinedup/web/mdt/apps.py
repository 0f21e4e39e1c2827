from __future__ import annotations

from django.apps import AppConfig


class MdtConfig(AppConfig):
    name = "joinedup.web.mdt"
    label = "mdt"
    default_auto_field = "django.db.models.BigAutoField"
