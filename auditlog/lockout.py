"""Lockout state, computed from the ``security`` table itself.

There is no lockout table and nothing in process memory: a username or an
address is locked while an ``auth.locked_out`` event for it is younger than
``JANUS_LOCKOUT_COOLOFF`` and no ``auth.unlocked`` event for it came after.
Every server process reads the same rows, so a lockout holds across all of
them, and lifting it is one more row in the tamper-evident trail.

Failures count from the newest reset: a lockout, an unlock, or (for a
username) a successful sign-in, and never from further back than
``JANUS_LOCKOUT_WINDOW``. Attempts refused while locked are recorded as
``auth.login_refused`` and do not count, so a lockout ends on time even
while someone keeps trying.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from auditlog.conf import lockout_cooloff, lockout_failures, lockout_window
from auditlog.models import SecurityAction, SecurityEvent

USERNAME = "username"
IP = "ip"
SCOPE_COLUMNS = {USERNAME: "username", IP: "ip_address"}
LOCK_ACTIONS = [SecurityAction.LOCKED_OUT, SecurityAction.UNLOCKED]


@dataclass(frozen=True)
class Lockout:
    """A lockout in force: what is locked, since when and until when."""

    scope: str
    value: str
    locked_at: datetime
    until: datetime
    event_id: int

    @property
    def minutes_left(self) -> int:
        seconds = (self.until - timezone.now()).total_seconds()
        return max(1, int(seconds // 60) + (1 if seconds % 60 else 0))


def _lock_events(since: datetime, scopes: Q | None = None):
    events = SecurityEvent.objects.filter(action__in=LOCK_ACTIONS, timestamp__gte=since)
    if scopes is not None:
        events = events.filter(scopes)
    return events.order_by("id").values_list(
        "id", "action", "username", "ip_address", "timestamp", "details"
    )


def _fold(rows) -> dict[tuple[str, str], Lockout]:
    """Return the lockouts left standing after replaying ``rows`` in order."""
    cooloff = lockout_cooloff()
    standing: dict[tuple[str, str], Lockout] = {}
    for event_id, action, username, ip, timestamp, details in rows:
        scope = (details or {}).get("scope")
        if scope not in SCOPE_COLUMNS:
            continue
        value = username if scope == USERNAME else ip
        if not value:
            continue
        if action == SecurityAction.LOCKED_OUT:
            standing[(scope, value)] = Lockout(
                scope, value, timestamp, timestamp + cooloff, event_id
            )
        else:
            standing.pop((scope, value), None)
    return standing


def lockout_for(*, username: str | None = None, ip: str | None = None):
    """Return the lockout that refuses this username or address, or None.

    The username is checked as typed: Django compares usernames exactly, so
    another spelling is another account, or none.
    """
    if lockout_failures() <= 0 or not (username or ip):
        return None
    scopes = Q(pk__in=[])
    if username:
        scopes |= Q(username=username)
    if ip:
        scopes |= Q(ip_address=ip)
    now = timezone.now()
    standing = _fold(_lock_events(now - lockout_cooloff(), scopes))
    for key in ((USERNAME, username), (IP, ip)):
        lock = standing.get(key)
        if lock is not None and lock.until > now:
            return lock
    return None


def lockouts_active() -> list[Lockout]:
    """Return every lockout in force, the one ending first first."""
    now = timezone.now()
    standing = _fold(_lock_events(now - lockout_cooloff()))
    return sorted(
        (lock for lock in standing.values() if lock.until > now),
        key=lambda lock: lock.until,
    )


def failures_since_reset(scope: str, value: str) -> int:
    """Return the failed sign-ins that count towards locking ``value``."""
    column = SCOPE_COLUMNS[scope]
    events = SecurityEvent.objects.filter(
        timestamp__gte=timezone.now() - lockout_window(), **{column: value}
    )
    resets = [SecurityAction.LOCKED_OUT, SecurityAction.UNLOCKED]
    if scope == USERNAME:
        resets.append(SecurityAction.LOGIN)
    reset_id = 0
    for event_id, action, details in events.filter(action__in=resets).values_list(
        "id", "action", "details"
    ):
        if action == SecurityAction.LOGIN or (details or {}).get("scope") == scope:
            reset_id = max(reset_id, event_id)
    return events.filter(action=SecurityAction.LOGIN_FAILED, id__gt=reset_id).count()
