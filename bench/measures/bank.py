"""Measure 5: importing and exporting a generated bank, each in a process of its own."""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

from bench.measures.common import (
    BENCH,
    IMPORT_BANK_ID,
    ROOT,
    Measure,
    Size,
    make_app,
    peak_rss_mb,
    pstats_text,
    verdict,
)
from bench.measures.database import write_generated_bank

# The targets for the import and for the export, each: seconds, and the process's peak memory.
MOST_SECONDS = 3.0
MOST_MB = 300


def child(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    """One import or export, alone in this process: its time and the process's peak RSS."""
    result: dict[str, Any] = {"kind": kind, "rss_before_mb": round(peak_rss_mb(), 1)}
    if kind.startswith("anki"):
        from anki.collection import (
            Collection,
            ExportAnkiPackageOptions,
            ImportAnkiPackageOptions,
            ImportAnkiPackageRequest,
        )

        col = Collection(args.collection)
        result["rss_before_mb"] = round(peak_rss_mb(), 1)
        started = time.perf_counter()
        if kind == "anki-import":
            col.import_anki_package(
                ImportAnkiPackageRequest(
                    package_path=args.package, options=ImportAnkiPackageOptions()
                )
            )
            result["notes"] = col.note_count()
        else:
            col.export_anki_package(
                out_path=args.package,
                options=ExportAnkiPackageOptions(
                    with_scheduling=False, with_deck_configs=False, with_media=True, legacy=True
                ),
                limit=None,
            )
            result["bytes"] = Path(args.package).stat().st_size
        result["seconds"] = time.perf_counter() - started
        col.close()
    else:
        from models import db
        from services.bank_export import stored_bank
        from services.bank_import import import_bank, kept_faces
        from srs.export import export_bank
        from srs.sources import read_bank

        app = make_app(args.db, Path(args.instance))
        profile = None
        if args.profile_out:
            import cProfile

            profile = cProfile.Profile()
        with app.app_context():
            result["rss_before_mb"] = round(peak_rss_mb(), 1)
            if profile is not None:
                profile.enable()
            started = time.perf_counter()
            if kind == "wengu-import":
                # Read as `bank import` reads it: to be imported.
                bank = read_bank(
                    args.bank,
                    max_bytes=app.config["WENGU_MAX_BANK_BYTES"],
                    importing=partial(kept_faces, db.session),
                )
                report = import_bank(db.session, bank)
                db.session.commit()
                result["report"] = str(report)
            else:
                stored = stored_bank(db.session, args.bank_id)
                assert stored is not None
                export_bank(stored, "apkg", Path(args.package))
                result["bytes"] = Path(args.package).stat().st_size
            result["seconds"] = time.perf_counter() - started
            if profile is not None:
                profile.disable()
                title = f"5. {kind} of {args.bank_id} ({result['seconds']:.1f} s profiled)"
                Path(args.profile_out).write_text(pstats_text(profile, title))
            db.session.remove()
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    # The import's render workers (srs.ahead), forked from this process: the largest one's
    # peak, most of it pages still shared with this process.
    result["workers_peak_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
    )
    return result


def run_child(kind: str, *options: str) -> dict[str, Any]:
    command = [sys.executable, str(BENCH / "run.py"), "--child", kind, *options]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{kind} failed:\n{done.stdout}\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def free_bank_id(app: Any, wanted: str) -> str:
    """``wanted``, or ``wanted-N`` if a bank of that id is stored already (a run on the
    database itself, not a copy): deleting a bank is no part of the measure, and on SQLite
    it checks ``cards`` for every question deleted."""
    from sqlalchemy import select

    from models import Bank, db

    with app.app_context():
        taken = set(db.session.scalars(select(Bank.id).where(Bank.id.like(f"{wanted}%"))))
        db.session.remove()
    number, candidate = 1, wanted
    while candidate in taken:
        number += 1
        candidate = f"{wanted}-{number}"
    return candidate


def measure_bank(app: Any, url: str, size: Size, work: Path) -> list[Measure]:
    bank_id = free_bank_id(app, IMPORT_BANK_ID)
    folder = write_generated_bank(work / "generated-bank", size.bank_questions, bank_id)
    package = work / "generated.apkg"
    instance = str(work / "instance-children")
    common = ("--db", url, "--instance", instance, "--bank-id", bank_id)
    wengu_import = run_child("wengu-import", *common, "--bank", str(folder))
    wengu_export = run_child("wengu-export", *common, "--package", str(package))
    anki = {}
    try:
        import anki as _anki  # noqa: F401

        collection = str(work / "anki-bank" / "collection.anki2")
        Path(collection).parent.mkdir()
        anki["import"] = run_child(
            "anki-import", "--collection", collection, "--package", str(package)
        )
        anki["export"] = run_child(
            "anki-export", "--collection", collection, "--package", str(work / "anki.apkg")
        )
    except ImportError:
        pass
    n = size.bank_questions
    rows = []
    for number, (what, run, limit) in enumerate(
        (("import", wengu_import, MOST_SECONDS), ("export to .apkg", wengu_export, MOST_SECONDS))
    ):
        other = anki.get("import" if number == 0 else "export")
        seconds, rss = run["seconds"], run["peak_rss_mb"]
        met = seconds <= limit and rss <= MOST_MB
        workers = run.get("workers_peak_rss_mb", 0)
        shared = f" (render workers {workers:.0f} MB, mostly shared)" if workers else ""
        rows.append(
            Measure(
                5,
                f"Bank of {n:,} questions: {what}",
                f"{seconds:.2f} s, peak {rss:.0f} MB{shared}",
                f"Anki {other['seconds']:.2f} s, peak {other['peak_rss_mb']:.0f} MB"
                if other
                else "anki not installed",
                f"{seconds / other['seconds']:.1f}× Anki" if other else "",
                f"≤ {limit:.0f} s, ≤ {MOST_MB} MB",
                verdict(met),
                {"wengu": run, "anki": other, "questions": n},
            )
        )
    return rows
