"""Two-factor secrets encrypted at rest: the column is renamed, and every plaintext secret in it
is encrypted under the field key (JOINEDUP_FIELD_KEY). Reversed, they are decrypted again."""

from __future__ import annotations

import re
from typing import Any

from django.db import migrations, models

from joinedup.web.accounts import fieldcrypt

# A plaintext secret is base32; an encrypted one (a Fernet token) never is (it starts "gAAAAA").
BASE32 = re.compile(r"[A-Z2-7]+=*")


def encrypt_secrets(apps: Any, schema_editor: Any) -> None:
    users = apps.get_model("accounts", "User").objects.using(schema_editor.connection.alias)
    for user in users.exclude(totp_secret_encrypted="").only("pk", "totp_secret_encrypted"):
        if BASE32.fullmatch(user.totp_secret_encrypted):
            user.totp_secret_encrypted = fieldcrypt.encrypt(user.totp_secret_encrypted)
            user.save(update_fields=["totp_secret_encrypted"])


def decrypt_secrets(apps: Any, schema_editor: Any) -> None:
    users = apps.get_model("accounts", "User").objects.using(schema_editor.connection.alias)
    for user in users.exclude(totp_secret_encrypted="").only("pk", "totp_secret_encrypted"):
        if not BASE32.fullmatch(user.totp_secret_encrypted):
            user.totp_secret_encrypted = fieldcrypt.decrypt(user.totp_secret_encrypted)
            user.save(update_fields=["totp_secret_encrypted"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_apitoken")]

    operations = [
        migrations.RenameField(
            model_name="user", old_name="totp_secret", new_name="totp_secret_encrypted"
        ),
        migrations.AlterField(
            model_name="user",
            name="totp_secret_encrypted",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
    ]
