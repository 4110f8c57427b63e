"""The audit report: one model, written as JSON (for machines), CSV (for spreadsheets)
and HTML in Indonesian and English (for the assessors)."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import Literal

from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel

from consumers.audit.compare import FigureRow, StateDifference

TEMPLATES = Path(__file__).parent / "templates"
Verdict = Literal["match", "differ", "replayed"]

WORDS = {
    "id": {
        "title": "Laporan Audit Pantau", "window": "Rentang log", "from": "dari",
        "to": "sampai", "as_of": "Tanggal tampilan",
        "trends_until": "Aduan masuk per jam sampai", "compared": "Dibandingkan dengan",
        "nothing": "tidak ada (hanya pemutaran ulang)", "events": "Peristiwa diputar ulang",
        "rejected": "ditolak (surat mati)", "rate": "peristiwa/detik",
        "verdict": {"match": "COCOK: setiap angka sama persis",
                    "differ": "BERBEDA: lihat daftar di bawah",
                    "replayed": "Diputar ulang tanpa pembanding"},
        "figure": "Angka", "replayed": "Hasil putar ulang", "shown": "Yang ditampilkan",
        "ok": "sama", "bad": "beda", "differences": "Perbedaan keadaan",
        "partition": "Partisi", "key": "Kunci", "behind": "Peristiwa di baliknya",
        "generated": "Dibuat", "log_start": "awal log", "now": "sekarang",
    },
    "en": {
        "title": "Pantau Audit Report", "window": "Log window", "from": "from",
        "to": "to", "as_of": "Wall date",
        "trends_until": "Arrivals per hour up to", "compared": "Compared with",
        "nothing": "nothing (replay only)", "events": "Events replayed",
        "rejected": "rejected (dead letters)", "rate": "events/s",
        "verdict": {"match": "MATCH: every figure is identical",
                    "differ": "DIFFERENT: see the list below",
                    "replayed": "Replayed without a comparison"},
        "figure": "Figure", "replayed": "Replayed", "shown": "Shown",
        "ok": "same", "bad": "differs", "differences": "State differences",
        "partition": "Partition", "key": "Key", "behind": "Events behind it",
        "generated": "Generated", "log_start": "start of the log", "now": "now",
    },
}  # fmt: skip


class AuditReport(BaseModel):
    generated_at: datetime
    city: str
    since: datetime | None
    until: datetime | None
    as_of: str  # the city date the "today" figures are of
    trends_until: datetime  # the instant each dimension's arrivals per hour run up to
    compared_with: str | None  # "live state" or a snapshot's path
    events: int
    rejected: int
    seconds: float
    rate: float
    verdict: Verdict
    figures: list[FigureRow]
    differences: list[StateDifference]

    @property
    def mismatches(self) -> list[FigureRow]:
        return [row for row in self.figures if not row.matches]


def write_reports(report: AuditReport, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "report.json", folder / "figures.csv"]
    written[0].write_text(report.model_dump_json(indent=2))
    with written[1].open("w", newline="") as out:
        table = csv.writer(out)
        table.writerow(["figure", "replayed", "shown", "matches"])
        for row in report.figures:
            table.writerow([row.name, _cell(row.replayed), _cell(row.shown), row.matches])
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"])
    )
    template = environment.get_template("report.html")
    for language, name in (("id", "report.html"), ("en", "report.en.html")):
        page = folder / name
        page.write_text(template.render(report=report, w=WORDS[language], lang=language))
        written.append(page)
    return written


def _cell(value: object) -> str:
    return "" if value is None else str(value)
