from __future__ import annotations

from django.apps import AppConfig


class LinkflagsConfig(AppConfig):
    name = "joinedup.web.linkflags"
    label = "linkflags"
    default_auto_field = "django.db.models.BigAutoField"
