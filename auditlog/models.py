from django.conf import settings
from django.db import connections, models
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from auditlog.chain import GENESIS
from auditlog.exceptions import AppendOnlyError


class LogLevel(models.TextChoices):
    DEBUG = "DEBUG", _("debug")
    INFO = "INFO", _("info")
    WARNING = "WARNING", _("warning")
    ERROR = "ERROR", _("error")
    CRITICAL = "CRITICAL", _("critical")


class SecurityAction(models.TextChoices):
    LOGIN = "auth.login", _("signed in")
    LOGIN_FAILED = "auth.login_failed", _("sign-in failed")
    LOGIN_REFUSED = "auth.login_refused", _("sign-in refused (locked out)")
    LOGOUT = "auth.logout", _("signed out")
    PASSWORD_CHANGED = "auth.password_changed", _("password changed")
    PASSWORD_RESET = "auth.password_reset", _("password reset")
    PERMISSION_DENIED = "auth.permission_denied", _("page refused")
    LOCKED_OUT = "auth.locked_out", _("locked out")
    UNLOCKED = "auth.unlocked", _("unlocked")
    LEVEL_GRANTED = "admin.level_granted", _("admin level granted")
    LEVEL_REVOKED = "admin.level_revoked", _("admin level revoked")


class ChainedQuerySet(models.QuerySet):
    def bulk_create(self, objs, batch_size=None, **kwargs):
        """Link ``objs`` into the table's hash chain, then insert them.

        Conflict handling is refused: a row of the audit trail is never
        skipped or overwritten.
        """
        from auditlog.chain import chain_extend

        if kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts"):
            raise AppendOnlyError("Audit rows are never skipped or overwritten.")
        return chain_extend(self, list(objs), batch_size=batch_size)

    def update(self, **kwargs):
        """Refuse: a row of the audit trail is never changed."""
        raise AppendOnlyError(f"{self.model._meta.db_table} rows are never changed.")

    def delete(self):
        """Refuse: only ``manage.py prune_logs`` removes audit rows."""
        raise AppendOnlyError(
            f"{self.model._meta.db_table} rows are only removed by "
            "manage.py prune_logs."
        )


class ChainedModel(models.Model):
    """A row that is written once and linked into its table's hash chain.

    ``CHAIN_FIELDS`` names the columns the row hash covers, in order.
    """

    previous_hash = models.CharField(
        _("previous hash"), max_length=64, blank=True, editable=False
    )
    row_hash = models.CharField(
        _("row hash"), max_length=64, blank=True, editable=False
    )

    CHAIN_FIELDS: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, **kwargs):
        """Insert the row through the hash chain; refuse to save it again."""
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.db_table} rows are never changed.")
        using = kwargs.get("using") or self._state.db
        manager = type(self)._default_manager
        (manager.db_manager(using) if using else manager).bulk_create([self])
        self._state.adding = False

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(
            f"{self._meta.db_table} rows are only removed by manage.py prune_logs."
        )


def skip_scan_values(queryset, column: str, *, limit: int = 200) -> list[str]:
    """Return the distinct non-empty values of ``column``, in order.

    A recursive query jumps from one value to the next through the index on
    ``column``, so it reads a handful of index pages instead of every row;
    ``SELECT DISTINCT`` reads them all.
    """
    model = queryset.model
    connection = connections[queryset.db]
    table = connection.ops.quote_name(model._meta.db_table)
    name = connection.ops.quote_name(column)
    sql = (
        f"WITH RECURSIVE found(value, depth) AS ("  # noqa: S608
        f" SELECT (SELECT MIN({name}) FROM {table} WHERE {name} <> ''), 1"
        f" UNION ALL"
        f" SELECT (SELECT MIN({name}) FROM {table} WHERE {name} > found.value),"
        f" depth + 1 FROM found WHERE found.value IS NOT NULL AND depth < %s"
        f") SELECT value FROM found WHERE value IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit])
        return [row[0] for row in cursor.fetchall()]


class LogQuerySet(ChainedQuerySet):
    def for_user(self, user):
        """Return the log entries of ``user``."""
        return self.filter(user=user)

    def action_count(self, user) -> int:
        """Return how many actions ``user`` has logged."""
        return self.for_user(user).count()

    def recent(self):
        return self.order_by("-timestamp", "-id")

    def module_names(self) -> list[str]:
        """Return every logger name that has entries, without a table scan."""
        return skip_scan_values(self, "module")


class Log(ChainedModel):
    """An application log record kept in the database (table ``logs``).

    The user key becomes empty when the user is deleted; ``username`` keeps
    a snapshot so the entry still says who acted.
    """

    action = models.CharField(_("action"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="logs",
        verbose_name=_("user"),
    )
    timestamp = models.DateTimeField(_("timestamp"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    module = models.CharField(_("module"), max_length=100, null=True, blank=True)
    level = models.CharField(
        _("level"), max_length=50, null=True, blank=True, choices=LogLevel.choices
    )
    log_metadata = models.JSONField(_("metadata"), null=True, blank=True)
    # Columns on top of the seed design.
    username = models.CharField(_("username"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = LogQuerySet.as_manager()

    CHAIN_FIELDS = (
        "timestamp",
        "level",
        "module",
        "action",
        "username",
        "ip_address",
        "log_metadata",
    )

    class Meta:
        db_table = "logs"
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")
        ordering = ["-timestamp", "-id"]
        # Every index ends in (timestamp, id), the list order, so a filtered
        # page is read from the index in order and stops after one page.
        indexes = [
            models.Index(fields=["timestamp", "id"], name="logs_timestamp_idx"),
            models.Index(fields=["level", "timestamp", "id"], name="logs_level_idx"),
            models.Index(fields=["module", "timestamp", "id"], name="logs_module_idx"),
            models.Index(
                fields=["username", "timestamp", "id"], name="logs_username_idx"
            ),
            models.Index(fields=["ip_address", "timestamp", "id"], name="logs_ip_idx"),
        ]

    def __str__(self):
        return self.action


class SecurityEventQuerySet(ChainedQuerySet):
    def for_user(self, user):
        """Return the security events of ``user``."""
        return self.filter(user=user)

    def failed_logins(self):
        return self.filter(action=SecurityAction.LOGIN_FAILED)

    def recent(self):
        return self.order_by("-timestamp", "-id")

    def since(self, moment):
        """Return the events recorded at or after ``moment``."""
        return self.filter(timestamp__gte=moment)

    def for_scope(self, *, username: str | None = None, ip: str | None = None):
        """Return the events of one username or of one client address."""
        if username is not None:
            return self.filter(username=username)
        return self.filter(ip_address=ip)

    def failures_per_day(self):
        """Return ``(day, count)`` pairs of failed sign-ins, oldest first."""
        return (
            self.failed_logins()
            .annotate(day=TruncDate("timestamp"))
            .values_list("day")
            .annotate(count=models.Count("id"))
            .order_by("day")
        )

    def top_failing(self, column: str, *, limit: int = 10):
        """Return ``(value, count)`` for the ``column`` values failing most."""
        return (
            self.failed_logins()
            .exclude(**{f"{column}__isnull": True})
            .values_list(column)
            .annotate(count=models.Count("id"))
            .order_by("-count", column)[:limit]
        )


class SecurityEvent(ChainedModel):
    """A sign-in, failure, lockout or access change (table ``security``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="security_events",
        verbose_name=_("user"),
    )
    action = models.CharField(
        _("action"), max_length=255, choices=SecurityAction.choices
    )
    timestamp = models.DateTimeField(_("timestamp"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Columns on top of the seed design.
    username = models.CharField(_("username"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = SecurityEventQuerySet.as_manager()

    CHAIN_FIELDS = (
        "timestamp",
        "action",
        "username",
        "ip_address",
        "user_agent",
        "details",
    )

    class Meta:
        db_table = "security"
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-timestamp", "-id"]
        indexes = [
            models.Index(fields=["timestamp", "id"], name="security_timestamp_idx"),
            models.Index(
                fields=["action", "timestamp", "id"], name="security_action_idx"
            ),
            models.Index(
                fields=["username", "timestamp", "id"], name="security_username_idx"
            ),
            models.Index(
                fields=["ip_address", "timestamp", "id"], name="security_ip_idx"
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} ({self.username or '-'})"


class SecurityOverview(SecurityEvent):
    """The security overview page, listed in the admin index.

    A proxy without rows or permissions of its own: its admin shows charts
    and lockouts built from ``security`` to whoever may view that table.
    """

    class Meta:
        proxy = True
        default_permissions = ()
        verbose_name = _("security overview")
        verbose_name_plural = _("security overview")


class ChainHead(models.Model):
    """The newest link and the checkpoint of one table's hash chain.

    Writers lock this row while they append, so the chain never forks.
    ``anchor_id``/``anchor_hash`` are the checkpoint: rows up to
    ``anchor_id`` were pruned, and the oldest remaining row links to
    ``anchor_hash``. ``rebuilt_at`` marks a head that had to be rebuilt.
    """

    chain = models.CharField(_("table"), max_length=32, primary_key=True)
    head_id = models.IntegerField(_("newest row"), default=0)
    head_hash = models.CharField(_("newest hash"), max_length=64, default=GENESIS)
    anchor_id = models.IntegerField(_("pruned through row"), default=0)
    anchor_hash = models.CharField(_("checkpoint hash"), max_length=64, default=GENESIS)
    pruned_rows = models.BigIntegerField(_("rows pruned"), default=0)
    pruned_at = models.DateTimeField(_("last pruned at"), null=True, blank=True)
    # Set when a writer found rows but no head and rebuilt it from the newest
    # row: rows past that one may have gone with the head, so the chain
    # stays suspect until someone accepts the rebuild.
    rebuilt_at = models.DateTimeField(_("head rebuilt at"), null=True, blank=True)
    rebuilt_from_id = models.IntegerField(
        _("head rebuilt from row"), null=True, blank=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "audit_chain_heads"
        verbose_name = _("chain head")
        verbose_name_plural = _("chain heads")

    def __str__(self):
        return f"{self.chain} @ {self.head_id}"
