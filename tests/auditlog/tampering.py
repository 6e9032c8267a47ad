"""Change audit rows behind Janus's back, as a tamperer with SQL would."""

from django.db import connection


def tamper(statement: str, params=()) -> None:
    """Run ``statement`` on the audit tables past the append-only triggers.

    On PostgreSQL the triggers refuse UPDATE and DELETE; a superuser (the
    test role) can switch them off for the session, as an attacker holding
    the database would. SQLite has no such triggers.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(statement, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
