"""Who is asking and from where: the one helper for request context.

Both the rows of the audit trail and the log lines take IP address, user
agent and path from here. ``AuditMiddleware`` keeps the current request in
a context variable so the logging handler can attach it to records emitted
anywhere below a view.
"""

import functools
import getpass
import ipaddress
import os
import sys
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from django.utils.functional import LazyObject, empty

from auditlog.conf import trusted_proxies

USER_AGENT_LENGTH = 512

current_request: ContextVar = ContextVar("janus_current_request", default=None)


def _parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:
        # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        # "192.0.2.1:443"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def client_ip(request) -> str | None:
    """Return the address of the client that sent ``request``.

    ``REMOTE_ADDR`` is the peer of this server. Only when
    ``JANUS_TRUSTED_PROXIES`` says proxies stand in front is
    ``X-Forwarded-For`` read, from the right, skipping exactly the trusted
    hops: with a count N the client is N entries left of ``REMOTE_ADDR``;
    with a list, the first address from the right that is not a listed
    proxy. Anything a client writes into the header further left is never
    used, so a forged header cannot choose the recorded address.
    """
    remote = _parse_address(request.META.get("REMOTE_ADDR", "") or "")
    proxies = trusted_proxies()
    if remote is None or not proxies:
        return str(remote) if remote else None

    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [part for part in forwarded.split(",") if part.strip()]
    # The chain as the last proxy sees it: client ... proxies ..., peer.
    chain = [_parse_address(part) for part in hops] + [remote]

    if isinstance(proxies, int):
        index = max(len(chain) - 1 - proxies, 0)
        for position in range(len(chain) - 1, index - 1, -1):
            if chain[position] is None:
                # A hop a trusted proxy wrote is unreadable: stop at the
                # nearest address that is known to be good.
                return str(chain[position + 1])
        return str(chain[index])

    position = len(chain) - 1
    while position > 0 and any(chain[position] in network for network in proxies):
        if chain[position - 1] is None:
            return str(chain[position])
        position -= 1
    return str(chain[position])


@dataclass(frozen=True)
class RequestInfo:
    """The parts of a request the audit trail records."""

    ip: str | None
    user_agent: str
    method: str
    path: str
    request_id: str

    def as_dict(self) -> dict:
        return {
            "ip": self.ip,
            "method": self.method,
            "path": self.path,
            "request_id": self.request_id,
        }


def request_info(request) -> RequestInfo:
    """Return what the audit trail records about ``request``.

    The result is kept on the request, so the address is worked out once.
    """
    info = getattr(request, "_janus_request_info", None)
    if info is None:
        info = RequestInfo(
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH],
            method=request.method or "",
            path=request.path[:500],
            request_id=uuid.uuid4().hex,
        )
        request._janus_request_info = info
    return info


def request_user(request):
    """Return the signed-in user of ``request``, or None.

    A user that nothing has looked at yet is left alone: resolving it would
    query the session from inside a logging call.
    """
    user = request.__dict__.get("user")
    if isinstance(user, LazyObject):
        user = None if user._wrapped is empty else user._wrapped
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


@functools.cache
def _process_identity() -> tuple[str | None, str]:
    try:
        os_user = getpass.getuser()
    except (OSError, KeyError):
        os_user = None
    # The program and its subcommand only: options may hold secrets, such
    # as the password ``seed --password`` gives the demo users.
    words = [os.path.basename(sys.argv[0])] if sys.argv and sys.argv[0] else []
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        words.append(sys.argv[1])
    return os_user, " ".join(words)


def process_info() -> dict:
    """Return who runs this process and as what command.

    Records made outside a request (commands, task workers) have no
    signed-in user; the operating-system account and the command say who
    acted instead.
    """
    os_user, command = _process_identity()
    return {"os_user": os_user, "command": command, "pid": os.getpid()}
