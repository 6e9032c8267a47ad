"""Per-record cost of the audit log handler, with and without the hash chain.

Times ``logger.info(...)`` on a persisted logger in four set-ups:

- no handler at all (what logging costs anyway),
- the handler writing each record at once, linked into the hash chain,
- the same handler with chaining switched off (a plain INSERT), to show
  what the chain adds,
- records logged inside a transaction: queued at the call, written in one
  batch after commit (call cost and the batch's cost per record).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/janus_bench \\
        .venv/bin/python benchmarks/audit_handler.py
    DATABASE_URL=sqlite:///var/bench/handler.sqlite3 \\
        .venv/bin/python benchmarks/audit_handler.py

Run it against a database of its own: it migrates it and adds rows.
"""

import argparse
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "janus.settings")
os.environ.setdefault("DEBUG", "true")
os.environ["LOG_LEVEL"] = "INFO"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    return parser.parse_args()


def measure(emit, count: int) -> list[float]:
    """Return the microseconds each of ``count`` calls of ``emit`` took."""
    runs = []
    for number in range(count):
        started = time.perf_counter()
        emit(number)
        runs.append((time.perf_counter() - started) * 1e6)
    return runs


def summary(name: str, runs: list[float]) -> str:
    runs = sorted(runs)
    p95 = runs[int(len(runs) * 0.95) - 1]
    return (
        f"{name:<44} {statistics.mean(runs):>9.0f} {statistics.median(runs):>9.0f} "
        f"{p95:>9.0f}"
    )


def main():
    args = parse_args()
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"],
        check=True,
        cwd=ROOT,
    )

    import django

    django.setup()
    from django.db import connection, models, transaction

    from auditlog import chain
    from auditlog.chain import chain_verify
    from auditlog.handler import DatabaseHandler
    from auditlog.models import ChainHead, Log

    persisted = logging.getLogger("janus.bench")
    # Keep the console quiet: only the database handler stays attached.
    parent = logging.getLogger("janus")
    parent.handlers = [h for h in parent.handlers if isinstance(h, DatabaseHandler)]
    silent = logging.getLogger("benchmark.silent")
    silent.propagate = False
    silent.addHandler(logging.NullHandler())
    silent.setLevel(logging.INFO)

    def emit_to(logger):
        def emit(number):
            logger.info(
                "benchmark record number=%s",
                number,
                extra={"janus": {"number": number, "object": "bench:1"}},
            )

        return emit

    def plain_insert(queryset, objs, *, batch_size=None):
        return models.QuerySet.bulk_create(queryset, objs, batch_size=batch_size)

    before = Log.objects.count()
    print(f"Database: {connection.vendor}; {args.records} records per set-up")
    print(
        f"{'set-up (microseconds per record)':<44} {'mean':>9} {'median':>9} {'p95':>9}"
    )
    print(summary("no handler", measure(emit_to(silent), args.records)))
    measure(emit_to(persisted), 50)  # warm up connections and caches
    print(
        summary(
            "handler, chained, written at once",
            measure(emit_to(persisted), args.records),
        )
    )
    with transaction.atomic():
        calls = measure(emit_to(persisted), args.records)
        queued = time.perf_counter()
    flushed = time.perf_counter()
    print(summary("inside a transaction: the call", calls))
    batch = (flushed - queued) * 1e6 / args.records
    print(f"{'inside a transaction: batch write after commit':<44} {batch:>9.0f}")

    # Last, and undone afterwards: unchained rows would break the chain.
    head = ChainHead.objects.get(chain="logs")
    with mock.patch.object(chain, "chain_extend", plain_insert):
        unchained = measure(emit_to(persisted), args.records)
    print(summary("handler, not chained, written at once", unchained))
    with transaction.atomic():
        # Past the append-only triggers, as chain_prune gets past them.
        chain._allow_prune(connection.alias)
        Log.objects.filter(id__gt=head.head_id)._raw_delete(connection.alias)
        chain._allow_prune(connection.alias, allowed=False)

    written = Log.objects.count() - before
    print(f"\nRows written: {written}; chain intact: {chain_verify(Log).is_intact}")


if __name__ == "__main__":
    main()
