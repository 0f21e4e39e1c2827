from __future__ import annotations

from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "joinedup.web.feeds"
    label = "feeds"
    default_auto_field = "django.db.models.BigAutoField"
