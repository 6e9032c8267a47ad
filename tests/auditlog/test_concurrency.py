"""Several writers at once: the chain never forks, lockouts hold everywhere.

Separate processes run against the test's own database on both SQLite and
PostgreSQL. Threads, each with its own connection, run only on PostgreSQL:
SQLite's test database is one in-memory file shared by this process, which
is not how SQLite is deployed; its separate-process test is the real one.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from accounts.levels import AdminLevel
from auditlog.chain import chain_verify
from auditlog.models import Log, SecurityAction, SecurityEvent
from auditlog.services import security_event_record

from .tampering import tamper

ON_POSTGRESQL = connection.vendor == "postgresql"
WRITERS = 3
ROWS_EACH = 40


def test_parallel_processes_extend_one_unbroken_chain(shared_database):
    processes = [
        shared_database.popen("write", "--kind", kind, "--count", str(ROWS_EACH))
        for kind in ("logs", "security")
        for _writer in range(WRITERS)
    ]
    for process in processes:
        assert shared_database.result(process) == ROWS_EACH

    report = shared_database.run("report")
    assert report["logs"]["intact"] is True, report["logs"]
    assert report["security"]["intact"] is True, report["security"]
    assert report["logs"]["rows"] >= WRITERS * ROWS_EACH
    assert report["security"]["rows"] == WRITERS * ROWS_EACH


if ON_POSTGRESQL:

    @pytest.mark.django_db(transaction=True)
    def test_parallel_threads_on_postgresql_extend_one_unbroken_chain():
        def write(number: int) -> int:
            try:
                for row in range(ROWS_EACH):
                    security_event_record(
                        action=SecurityAction.LOGIN,
                        username=f"thread-{number}",
                        details={"row": row},
                    )
                return ROWS_EACH
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=6) as pool:
            assert sum(pool.map(write, range(6))) == 6 * ROWS_EACH

        report = chain_verify(SecurityEvent)
        assert report.is_intact is True, report.problem
        assert report.rows == 6 * ROWS_EACH
        ids = list(SecurityEvent.objects.order_by("id").values_list("id", flat=True))
        assert ids == sorted(ids)


def sign_in(shared_database, *usernames, password, ip, attempts=1, env):
    """Sign in from a separate process; return each attempt's outcome.

    Several usernames are taken in turn, one per attempt.
    """
    return shared_database.run(
        "sign_in",
        "--username",
        *usernames,
        "--password",
        password,
        "--attempts",
        str(attempts),
        "--ip",
        ip,
        env=env,
    )


@pytest.fixture
def carol(make_staff):
    return make_staff(AdminLevel.EDITOR, username="carol", password="carol-pass-1")


def test_lockout_holds_across_processes(carol, shared_database):
    limit = {"JANUS_LOCKOUT_FAILURES": "3"}
    first = sign_in(
        shared_database,
        "carol",
        password="wrong",
        ip="198.51.100.1",
        attempts=2,
        env=limit,
    )
    second = sign_in(
        shared_database, "carol", password="wrong", ip="198.51.100.2", env=limit
    )
    assert first + second == ["failed", "failed", "failed"]

    # A fresh process, with nothing in memory, refuses the right password.
    refused = sign_in(
        shared_database, "carol", password="carol-pass-1", ip="198.51.100.3", env=limit
    )
    assert refused == ["locked"]

    unlocked = shared_database.manage("unlock", "carol", env=limit)
    assert unlocked.returncode == 0, unlocked.stderr
    allowed = sign_in(
        shared_database, "carol", password="carol-pass-1", ip="198.51.100.3", env=limit
    )
    assert allowed == ["ok"]

    report = shared_database.run("report")
    assert report["security"]["intact"] is True
    assert report["actions"]["auth.locked_out"] == 1
    assert report["actions"]["auth.unlocked"] == 1


def test_address_lockout_holds_across_processes(carol, shared_database):
    limit = {"JANUS_LOCKOUT_FAILURES": "3"}
    address = "198.51.100.7"
    # A new username each time, so that only the address reaches the limit.
    first = sign_in(
        shared_database,
        "mallory",
        "trudy",
        password="wrong",
        ip=address,
        attempts=2,
        env=limit,
    )
    second = sign_in(shared_database, "eve", password="wrong", ip=address, env=limit)
    assert first + second == ["failed", "failed", "failed"]

    # Carol never failed; a fresh process refuses her for the address alone.
    refused = sign_in(
        shared_database, "carol", password="carol-pass-1", ip=address, env=limit
    )
    assert refused == ["locked"]

    unlocked = shared_database.manage("unlock", "--ip", address, env=limit)
    assert unlocked.returncode == 0, unlocked.stderr
    assert f"Unlocked {address} (was locked)" in unlocked.stdout
    allowed = sign_in(
        shared_database, "carol", password="carol-pass-1", ip=address, env=limit
    )
    assert allowed == ["ok"]


def test_simultaneous_failures_lock_exactly_once(carol, shared_database):
    limit = {"JANUS_LOCKOUT_FAILURES": "5"}
    processes = [
        shared_database.popen(
            "sign_in",
            "--username",
            "carol",
            "--password",
            "wrong",
            "--attempts",
            "4",
            "--ip",
            f"198.51.100.{number}",
            env=limit,
        )
        for number in (11, 12)
    ]
    outcomes = [o for process in processes for o in shared_database.result(process)]
    assert len(outcomes) == 8

    actions = shared_database.run("report")["actions"]
    assert actions["auth.locked_out"] == 1
    failed = actions["auth.login_failed"]
    assert failed >= 5
    assert failed + actions.get("auth.login_refused", 0) == 8


def test_verify_command_exits_non_zero_for_a_tampered_trail(shared_database):
    Log.objects.create(action="kept")
    tampered = Log.objects.create(action="will be edited")
    Log.objects.create(action="after")
    tamper("UPDATE logs SET action = 'edited' WHERE id = %s", [tampered.pk])

    result = shared_database.manage("verify_audit_trail")
    assert result.returncode == 1
    assert f"logs: BROKEN at row {tampered.pk}" in result.stderr
    assert "security: intact" in result.stdout
