"""Change audit rows behind Janus's back, as a tamperer with SQL would."""

from django.db import connection, transaction


def tamper(statement: str, params=()) -> None:
    """Run ``statement`` on the audit tables past the append-only triggers.

    On PostgreSQL the triggers refuse UPDATE and DELETE; a superuser (the
    test role) can switch them off for the session, as an attacker holding
    the database would. SQLite has no such triggers.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
        return
    with transaction.atomic(), connection.cursor() as cursor:
        # A failing statement rolls the savepoint back, the setting with it;
        # otherwise it is switched back here, as LOCAL lasts until the
        # outermost transaction (the test's) ends.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(statement, params)
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
