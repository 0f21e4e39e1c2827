"""Partner organisations, their users (email sign-in, one organisation, roles) and sign-in attempts."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone

from joinedup.web.accounts import fieldcrypt
from joinedup.web.accounts.policy import Role


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    def create_user(
        self,
        email: str,
        password: str | None,
        *,
        organisation: Organisation,
        full_name: str = "",
        roles: tuple[Role, ...] = (),
        **extra: Any,
    ) -> User:
        user = self.model(
            email=self.normalize_email(email).lower(),
            organisation=organisation,
            full_name=full_name,
            **extra,
        )
        user.set_password(password)
        user.save(using=self._db)
        RoleAssignment.objects.bulk_create([RoleAssignment(user=user, role=r) for r in roles])
        return user


class User(AbstractBaseUser):
    """A person who signs in. No Django superuser or staff flag: all access is by role."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="users")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Two-factor: the base32 TOTP secret, set when enrolment is confirmed, kept encrypted under
    # the field key (read and set it as ``totp_secret``); the last time step accepted, so that
    # one code cannot be used twice.
    totp_secret_encrypted = models.CharField(max_length=255, blank=True)
    totp_last_step = models.BigIntegerField(null=True, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        ordering: ClassVar[list[str]] = ["email"]

    def __str__(self) -> str:
        return self.email

    @property
    def roles(self) -> frozenset[Role]:
        """Read from the database on every request, so a removed role takes effect at once."""
        return frozenset(Role(r) for r in self.role_assignments.values_list("role", flat=True))

    @property
    def totp_secret(self) -> str:
        """The secret in clear; a FieldKeyError if the field key cannot decrypt it."""
        stored = self.totp_secret_encrypted
        return fieldcrypt.decrypt(stored) if stored else ""

    @totp_secret.setter
    def totp_secret(self, secret: str) -> None:
        self.totp_secret_encrypted = fieldcrypt.encrypt(secret) if secret else ""

    @property
    def has_two_factor(self) -> bool:
        return bool(self.totp_secret_encrypted)


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=32, choices=[(r.value, r.label) for r in Role])

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "role"], name="one_assignment_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.role}"


class SignInAttempt(models.Model):
    """One try at signing in, kept in the database so every worker sees the same count."""

    email = models.CharField(max_length=254, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    succeeded = models.BooleanField(default=False)
    # Refused because the account or address was locked: not counted towards a further lockout.
    while_locked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.email} {self.at:%Y-%m-%d %H:%M} {'ok' if self.succeeded else 'failed'}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is kept: the token is shown once, when made.

    A token is 256 random bits, so a fast hash is enough (nothing to guess from a dictionary);
    a leaked table of digests gives no token back.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    label = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.label} ({self.user})"


class ThrottleWindow(models.Model):
    """Requests counted in one fixed time window, for one user (or address) and one bucket.

    Kept in the database so that every thread and process of the web app counts together
    (joinedup.web.throttle); rows of windows that have ended are pruned as new ones start.
    """

    who = models.CharField(max_length=80)  # "user:<id>", or "ip:<address>" when signed out
    bucket = models.CharField(max_length=32)  # "api", "lookup"
    starts = models.BigIntegerField()  # seconds since the epoch
    ends = models.BigIntegerField(db_index=True)
    hits = models.PositiveIntegerField(default=0)
    # The first refused request of the window has been audited (once per window).
    alerted = models.BooleanField(default=False)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["who", "bucket", "starts"], name="one_count_per_window")
        ]

    def __str__(self) -> str:
        return f"{self.who} {self.bucket} from {self.starts}: {self.hits}"
