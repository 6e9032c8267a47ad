from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.levels import AdminLevel


class UserQuerySet(models.QuerySet):
    def admins(self):
        """Return users that hold an admin level."""
        return self.filter(admin_profile__isnull=False)

    def at_level(self, level: str):
        """Return users whose admin level is ``level``."""
        return self.filter(admin_profile__admin_level=level)

    def with_action_count(self):
        """Annotate each user with ``action_count``, its number of log entries."""
        return self.annotate(action_count=models.Count("logs"))


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    def _create_user_object(self, username, email, password, **extra_fields):
        if not email:
            raise ValueError("Every Janus user needs an email address.")
        return super()._create_user_object(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in to Janus (table ``users``).

    The seed design's ``password_hash`` column holds Django's password hash;
    Django's usual user columns (names, flags, dates) come on top.
    """

    username = models.CharField(
        _("username"),
        max_length=255,
        unique=True,
        help_text=_("Required. Letters, digits and @/./+/-/_ only."),
        validators=[UnicodeUsernameValidator()],
        error_messages={"unique": _("A user with that username already exists.")},
    )
    email = models.EmailField(
        _("email address"),
        max_length=255,
        unique=True,
        error_messages={"unique": _("A user with that email already exists.")},
    )
    password = models.CharField(
        _("password"), max_length=255, db_column="password_hash"
    )

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        db_table = "users"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    @property
    def admin_level(self) -> str | None:
        """Return this user's admin level, or None when it holds none."""
        try:
            return self.admin_profile.admin_level
        except Admin.DoesNotExist:
            return None

    @property
    def is_janus_admin(self) -> bool:
        return self.admin_level is not None


class AdminQuerySet(models.QuerySet):
    def level_of(self, user) -> str | None:
        """Return the admin level of ``user``, or None when it holds none."""
        return self.filter(user=user).values_list("admin_level", flat=True).first()


class Admin(models.Model):
    """The admin level a user holds (table ``admins``).

    A row grants its level's permission group and staff access; removing the
    row takes both away again (see ``accounts.services``).
    """

    user = models.OneToOneField(
        User,
        on_delete=models.CASCADE,
        related_name="admin_profile",
        verbose_name=_("user"),
    )
    admin_level = models.CharField(
        _("admin level"), max_length=50, choices=AdminLevel.choices
    )

    objects = AdminQuerySet.as_manager()

    class Meta:
        db_table = "admins"
        verbose_name = _("admin")
        verbose_name_plural = _("admins")
        ordering = ["user__username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(admin_level__in=AdminLevel.values),
                name="admins_admin_level_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_admin_level_display()})"
