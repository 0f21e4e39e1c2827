from __future__ import annotations

from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "joinedup.web.cohorts"
    label = "cohorts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the "cohort.run" kind of background job.
        from joinedup.web.cohorts import running  # noqa: F401
