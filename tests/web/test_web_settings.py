"""Production settings pass Django's deployment checks; every page sends the security headers."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.test import Client

PRODUCTION_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "joinedup.web.settings.production",
    "JOINEDUP_SECRET_KEY": "k" * 10 + "Zq8!vR2#pL5@xW9$mN3^bT6&hJ1*cF4(gD7)sA0-eY_uI+oP=lK",
    "JOINEDUP_FIELD_KEY": "n4bQ0hV0cYk1mF8Yt2xk5W2fJ0Zr3uE6aD9sL7pG1qI=",
    "JOINEDUP_ALLOWED_HOSTS": "hub.example.org",
    "JOINEDUP_DB_NAME": "joinedup",
}


def test_check_deploy_is_clean_with_the_production_settings() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "joinedup.web.manage",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            **PRODUCTION_ENVIRONMENT,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy_and_no_store(client: Client) -> None:
    response = client.get("/accounts/sign-in/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_the_gov_uk_assets_are_served_by_the_app_itself(client: Client) -> None:
    page = client.get("/accounts/sign-in/").content.decode()
    assert "/assets/govuk-frontend/govuk-frontend.min.css" in page
    assert "http://" not in page and "https://" not in page  # nothing from another site
    for asset in [
        "/assets/govuk-frontend/govuk-frontend.min.css",
        "/assets/fonts/bold-b542beb274-v2.woff2",
    ]:
        assert client.get(asset).status_code == 200, asset


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_it_was_asked_for() -> None:
    from django.db import connection

    from conftest import ON_POSTGRESQL

    assert connection.vendor == ("postgresql" if ON_POSTGRESQL else "sqlite")
