"""``manage.py bench``: the performance harness of performance.md.

By default it never touches the configured database: it creates a scratch database next to it
(PostgreSQL: ``--database-name``, default ``xian_bench``, on the same server; SQLite: a file
under ``var/``), re-runs itself with ``DATABASE_URL`` pointing there, and drops it at the end
unless ``--keep`` or ``--reuse``. ``--in-place`` measures the current database instead (the
tests use it on their test database).

The run: build the organisation, load a fifth of the case files, take a first snapshot (query
counts per page, province statistics), load the rest, then measure F, S and targets 1–12 and
print the table (``--json`` for machine-readable results). Exit code 0 unless ``--strict`` and a
target fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction

from benchmarks import datagen
from benchmarks.measure import Bench, as_json, table

CHILD_ENV = "XIAN_BENCH_CHILD"


class Command(BaseCommand):
    help = "Benchmark data and measurements of performance.md targets 1–12."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(datagen.SCALES), default="county")
        parser.add_argument("--cases", type=int, help="number of case files (overrides the scale's)")
        parser.add_argument("--counties", type=int, help="number of counties (default: by scale)")
        parser.add_argument(
            "--json", nargs="?", const="-", default=None, help="write results as JSON to PATH (stdout if no PATH)"
        )
        parser.add_argument("--keep", action="store_true", help="keep the scratch database")
        parser.add_argument("--reuse", action="store_true", help="reuse (and keep) a loaded scratch database")
        parser.add_argument("--strict", action="store_true", help="exit 1 if any target fails")
        parser.add_argument("--reps", type=int, default=30, help="warm repetitions per page (p95)")
        parser.add_argument("--ledger-rows", type=int, default=5000, help="rows of the target-12 ledger (and twice)")
        parser.add_argument("--database-name", default="xian_bench")
        parser.add_argument("--in-place", action="store_true", help="measure the current database (tests)")
        parser.add_argument("--load-only", action="store_true", help="build and load the data, measure nothing")

    def handle(self, *args, **opts):
        if opts["in_place"] or os.environ.get(CHILD_ENV):
            return self._run(opts)
        return self._parent(opts)

    # --- parent: scratch database and re-exec ---------------------------------------------

    def _parent(self, opts) -> None:
        db = settings.DATABASES["default"]
        name = opts["database_name"]
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
            raise CommandError("--database-name: lower-case letters, digits and underscores only")
        reuse, keep = opts["reuse"], opts["keep"] or opts["reuse"]
        env = dict(os.environ)
        env[CHILD_ENV] = "1"
        env["BENCH"] = "1"  # the child's settings install this app too
        env.pop("REDIS_URL", None)  # the bench never shares a cache or broker with anyone
        var = Path(settings.VAR_DIR) / "bench"
        env["XIAN_VAR_DIR"] = str(var)
        if db["ENGINE"].endswith("postgresql"):
            if name == db["NAME"]:
                raise CommandError("--database-name must differ from the configured database")
            with _pg_admin(db) as admin:
                exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
                if exists and not reuse:
                    admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                    exists = False
                if not exists:
                    admin.execute(f'CREATE DATABASE "{name}"')
            user = quote(db.get("USER") or "")
            password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
            env["DATABASE_URL"] = (
                f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"
            )
        else:
            path = Path(settings.VAR_DIR) / f"{name}.sqlite3"
            if str(path) == str(db["NAME"]):
                raise CommandError("--database-name must differ from the configured database")
            if not reuse:
                path.unlink(missing_ok=True)
            env["DATABASE_URL"] = f"sqlite:///{path}"
        argv = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench", "--scale", opts["scale"]]
        for flag in ("cases", "counties", "reps", "ledger_rows", "json"):
            if opts[flag] is not None:
                argv += [f"--{flag.replace('_', '-')}", str(opts[flag])]
        for flag in ("reuse", "strict", "load_only"):
            if opts[flag]:
                argv.append(f"--{flag.replace('_', '-')}")
        started = time.perf_counter()
        try:
            rc = subprocess.run(argv, env=env, check=False).returncode
        finally:
            if not keep:
                if db["ENGINE"].endswith("postgresql"):
                    with _pg_admin(db) as admin:
                        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                else:
                    (Path(settings.VAR_DIR) / f"{name}.sqlite3").unlink(missing_ok=True)
        self.stderr.write(f"bench: wall time {time.perf_counter() - started:.1f} s (database {name}"
                          f"{' kept' if keep else ' dropped'})")  # fmt: skip
        if rc:
            sys.exit(rc)

    # --- child: load and measure ----------------------------------------------------------

    def _run(self, opts) -> None:
        started = time.perf_counter()
        to_json = opts["json"]
        out = self.stderr if to_json == "-" else self.stdout

        def log(msg: str) -> None:
            self.stderr.write(f"bench: {msg}")

        from django.test.utils import setup_test_environment

        # Responses carry templates and context (province page, last page detection); under
        # pytest it is already set up.
        with contextlib.suppress(RuntimeError):
            setup_test_environment()
        counties, n = datagen.SCALES[opts["scale"]]
        counties = opts["counties"] or counties
        n = opts["cases"] or n
        if os.environ.get(CHILD_ENV):
            call_command("migrate", verbosity=0)
        from xian_enforcement.org.models import Region

        load: dict = {}
        small = None
        if opts["reuse"] and Region.objects.filter(code=datagen.PROVINCE_CODE).exists():
            st = datagen.structure_load()
            from cases.models import CaseFile

            n = CaseFile.objects.count()
            log(f"reusing loaded data: {n:,} case files")
        else:
            if Region.objects.filter(code=datagen.PROVINCE_CODE).exists():
                raise CommandError("benchmark data already present; use --reuse or a fresh database")
            t = time.perf_counter()
            st = datagen.structure_build(counties)
            log(f"structure: {counties} counties, {len(st.departments)} enforcement departments "
                f"({time.perf_counter() - t:.1f} s)")  # fmt: skip
            gen = datagen.CaseRows(st)
            n_a = n // 5
            secs_a = datagen.case_files_load(gen, n_a)
            log(f"loaded {n_a:,} case files in {secs_a:.1f} s")
            t = time.perf_counter()
            related = datagen.related_load(st, after_id=0)
            related.update(datagen.side_rows_load(st, n_cases=n))
            summary_s = datagen.summaries_rebuild() or 0.0
            _analyze()
            rel_s = time.perf_counter() - t
            if opts["load_only"]:
                secs_b = datagen.case_files_load(gen, n - n_a)
                log(f"loaded {n - n_a:,} more case files in {secs_b:.1f} s")
                self.stdout.write(json.dumps({"n": n, "copy_seconds": round(secs_a + secs_b, 2)}))
                return
            bench = Bench(st, n, reps=opts["reps"], ledger_rows=opts["ledger_rows"], log=log)
            from django.test.utils import override_settings

            from benchmarks.measure import BENCH_SETTINGS

            with override_settings(**BENCH_SETTINGS):
                small = bench.snapshot()
            log(f"snapshot at {small['n_cases']:,}: {small}")
            after = datagen.max_case_id()
            secs_b = datagen.case_files_load(gen, n - n_a)
            log(f"loaded {n - n_a:,} more case files in {secs_b:.1f} s")
            t = time.perf_counter()
            more = datagen.related_load(st, after_id=after)
            summary_s += datagen.summaries_rebuild() or 0.0
            _analyze()
            rel_s += time.perf_counter() - t
            related = {k: related.get(k, 0) + more.get(k, 0) for k in {*related, *more}}
            load = {
                "n": n,
                "seconds": round(secs_a + secs_b, 2),
                "method": "COPY" if connection.vendor == "postgresql" else "bulk_create",
                "related_seconds": round(rel_s, 2),
                "summary_rebuild_seconds": round(summary_s, 2),
                "related": related,
            }
            log(f"related rows {related} in {rel_s:.1f} s")
        bench = Bench(st, n, reps=opts["reps"], ledger_rows=opts["ledger_rows"], log=log)
        rows = bench.run(small=small, load=load)
        meta = {
            "scale": opts["scale"],
            "cases": n,
            "counties": len(st.county_ids),
            "vendor": connection.vendor,
            "reps": opts["reps"],
            "F_ms": round(bench.F * 1000, 2) if bench.F else None,
            "load": load,
            "wall_seconds": round(time.perf_counter() - started, 1),
            "uptime": _uptime(),
        }
        out.write(table(rows))
        out.write(f"\nwall {meta['wall_seconds']} s; load average {meta['uptime']}")
        result = as_json(rows, meta)
        if to_json == "-":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1, default=str))
        elif to_json:
            Path(to_json).write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        if opts["strict"] and not result["all_pass"]:
            sys.exit(1)


def _analyze() -> None:
    """After a bulk load: statistics for the planner and, on PostgreSQL, the visibility map that
    index-only scans need (``VACUUM (ANALYZE)``). In production autovacuum does this within
    minutes of a load; this server runs with autovacuum off, so without it every count read the
    heap (the review queue's counts 9 ms instead of 3 ms). Then a checkpoint, so that the
    server is not writing the load's gigabyte of dirty pages while the pages are timed."""
    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
        if connection.vendor == "postgresql":
            try:
                with transaction.atomic():
                    cur.execute("CHECKPOINT")  # superuser or pg_checkpoint
            except DatabaseError:
                pass


def _uptime() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def _pg_admin(db: dict):
    import psycopg

    return psycopg.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )
