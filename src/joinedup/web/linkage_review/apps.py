from __future__ import annotations

from django.apps import AppConfig


class LinkageReviewConfig(AppConfig):
    name = "joinedup.web.linkage_review"
    label = "linkage_review"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the linkage run as a kind of background job.
        from joinedup.web.linkage_review import running  # noqa: F401
