"""National-scale synthetic data for benchmarks: `flask --app wsgi demo scale`.

Regions, townships, cadres, today's whereabouts for everyone, a month of duty
roster, and reports in every state with their histories (overdue open reports
escalated, as `flask reports escalate` leaves them; portal/demo/scale_reports.py)
— written with bulk inserts (COPY on PostgreSQL, executemany in large transactions
on SQLite), with explicit ids so that no row needs a round trip. Region codes start
at 11 and never collide with the demo county (99…). Everything is marked synthetic (合成).
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, text

from portal import clock
from portal.demo.bulk import BulkWriter
from portal.demo.scale_reports import write_reports
from portal.extensions import db
from portal.models import (
    Cadre,
    DutyAssignment,
    DutyShift,
    Region,
    Report,
    ReportEvent,
    Township,
    Whereabouts,
)
from portal.rules.calendar import TZ
from portal.rules.coverage import required_shifts
from portal.services.shared.calendar import official_calendar

SYLLABLES = "安宝北长城大东丰福高古广和河红黄金靖康乐利林龙马南平青清庆仁三山石双水太泰天田新兴阳永玉元云枣中"
SUFFIXES = ("镇", "乡", "街道")
SUFFIX_PINYIN = {"镇": ["zhen"], "乡": ["xiang"], "街道": ["jie", "dao"]}
STATUSES = ("at_office",) * 14 + ("village",) * 4 + ("meeting", "trip", "leave", "duty", "off")


@dataclass
class ScalePlan:
    townships: int
    cadres_per_township: int
    reports: int
    seed: int = 2026
    # The share of the reports filed in the first province (the rest spread over the others).
    focus_share: float = 0.51


@dataclass
class ScaleResult:
    counts: dict[str, int]
    seconds: float


def _pinyin_pool() -> dict[str, str]:
    from pypinyin import Style, lazy_pinyin

    return {ch: lazy_pinyin(ch, style=Style.NORMAL)[0] for ch in SYLLABLES}


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).astimezone(UTC)


class Generator:
    """Builds one national data set; each `_step` streams its rows into BulkWriter."""

    def __init__(self, plan: ScalePlan, progress: Callable[[str, int, int], None]) -> None:
        self.plan = plan
        self.progress = progress
        self.rng = random.Random(plan.seed)
        self.writer = BulkWriter(progress)
        self.today = clock.today()
        self.now = clock.now()
        self.pinyin = _pinyin_pool()
        self.counts: dict[str, int] = {}
        self._n_cadres = plan.townships * plan.cadres_per_township
        # county id -> (city id, province id); city id -> "name (code)", as escalation notes it.
        self.ancestors: dict[int, tuple[int, int]] = {}
        self.city_labels: dict[int, str] = {}
        self.first_province_counties = 0
        self.region_ids: list[int] = []

    def run(self) -> dict[str, int]:
        if db.session.scalar(select(Region.id).where(Region.code == "110000")) is not None:
            raise ValueError("synthetic national data already present (region 110000)")
        counties = self._regions()
        first_township = self._townships(counties)
        self._cadres(first_township)
        self._whereabouts(first_township)
        self._roster(first_township)
        write_reports(self, first_township)
        self.writer.fix_sequences([Region, Township, Cadre, Whereabouts, DutyShift,
                                   DutyAssignment, Report, ReportEvent])
        db.session.commit()
        return self.counts

    def record_count(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def _regions(self) -> list[tuple[int, str]]:
        n_counties = max(1, self.plan.townships // 13)
        provinces = max(1, min(31, n_counties // 90 or 1))
        per_province = -(-n_counties // provinces)
        rows, counties = [], []
        next_id = self.writer.next_id(Region)
        for p in range(provinces):
            p_code = f"{11 + p:02d}0000"
            p_id = next_id
            next_id += 1
            rows.append((p_id, p_code, f"合成省{p + 1}", "province", None))
            cities = max(1, -(-per_province // 90))
            for c in range(cities):
                c_id, c_code, c_name = next_id, f"{11 + p:02d}{c + 1:02d}00", f"合成市{p + 1}-{c + 1}"
                next_id += 1
                rows.append((c_id, c_code, c_name, "city", p_id))
                self.city_labels[c_id] = f"{c_name} ({c_code})"
                for k in range(min(90, per_province - c * 90)):
                    if len(counties) >= n_counties:
                        break
                    code = f"{11 + p:02d}{c + 1:02d}{k + 1:02d}"
                    rows.append((next_id, code, f"合成县{code}", "county", c_id))
                    counties.append((next_id, code))
                    self.ancestors[next_id] = (c_id, p_id)
                    next_id += 1
            if p == 0:
                self.first_province_counties = len(counties)
        cols = ["id", "code", "name", "level", "parent_id"]
        self.record_count("regions", self.writer.write(Region, cols, rows))
        self.region_ids = [row[0] for row in rows]
        return counties

    def _township_name(self) -> tuple[str, str, str]:
        chars = self.rng.sample(SYLLABLES, 2)
        suffix = self.rng.choice(SUFFIXES)
        name = "".join(chars) + suffix
        syllables = [self.pinyin[c] for c in chars] + SUFFIX_PINYIN[suffix]
        return name, "".join(syllables), "".join(s[0] for s in syllables)

    def _townships(self, counties: list[tuple[int, str]]) -> int:
        first = self.writer.next_id(Township)

        def rows() -> Iterator[tuple]:
            for i in range(self.plan.townships):
                county_id, county_code = counties[i % len(counties)]
                name, full, initials = self._township_name()
                code = f"{county_code}{i // len(counties) + 1:03d}"
                yield (first + i, code, name, full, initials, county_id, f"{name}人民路{i % 90 + 1}号",
                       f"0{i % 900 + 100}-{6000000 + i}", "12388", True, 1, self.now)

        cols = ["id", "code", "name", "pinyin", "initials", "county_id", "address", "office_phone",
                "hotline", "active", "data_version", "updated_at"]
        self.record_count("townships", self.writer.write(Township, cols, rows(), self.plan.townships))
        return first

    def cadre_id(self, township_index: int, k: int) -> int:
        return self.first_cadre + township_index * self.plan.cadres_per_township + k

    def _cadres(self, first_township: int) -> None:
        self.first_cadre = self.writer.next_id(Cadre)
        per = self.plan.cadres_per_township
        leaders = ("党委书记", "镇长", "人大主席", "党委副书记", "副镇长", "纪委书记")
        since = date(2010, 1, 1)

        def rows() -> Iterator[tuple]:
            token = secrets.token_hex
            for t in range(self.plan.townships):
                for k in range(per):
                    leader = k < len(leaders)
                    chief = {0: "secretary", 1: "head"}.get(k)
                    yield (self.cadre_id(t, k), token(9), first_township + t,
                           self.rng.choice(SYLLABLES) + self.rng.choice(SYLLABLES),
                           leaders[k] if leader else "干事", leader, chief, f"0999-{k:07d}", "",
                           k, True, since, self.now)

        cols = ["id", "public_id", "township_id", "name", "post", "is_leader", "chief_role",
                "office_phone", "personal_phone", "sort_order", "active", "township_service_since",
                "created_at"]
        self.record_count("cadres", self.writer.write(Cadre, cols, rows(), self._n_cadres))

    def _whereabouts(self, first_township: int) -> None:
        start = _local(self.today, 8)
        first = self.writer.next_id(Whereabouts)

        def rows() -> Iterator[tuple]:
            n = first
            for t in range(self.plan.townships):
                for k in range(self.plan.cadres_per_township):
                    status = self.rng.choice(STATUSES)
                    village = f"{self.rng.choice(SYLLABLES)}家村" if status == "village" else ""
                    yield (n, self.cadre_id(t, k), first_township + t, status, village, "",
                           start, None, start)
                    n += 1

        cols = ["id", "cadre_id", "township_id", "status", "village", "note", "starts_at",
                "ends_at", "recorded_at"]
        self.record_count("whereabouts", self.writer.write(Whereabouts, cols, rows(), self._n_cadres))

    def _roster(self, first_township: int) -> None:
        month_start = self.today.replace(day=1)
        month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        slots = required_shifts(month_start, month_end, official_calendar())
        first_shift = self.writer.next_id(DutyShift)
        first_assignment = self.writer.next_id(DutyAssignment)
        per = self.plan.cadres_per_township

        def shift_rows() -> Iterator[tuple]:
            n = first_shift
            for t in range(self.plan.townships):
                for day, kind in slots:
                    hours = (8, 18) if kind == "day" else (18, 32)
                    yield (n, first_township + t, day, str(kind), _local(day, hours[0]),
                           _local(day, 0) + timedelta(hours=hours[1]))
                    n += 1

        def assignment_rows() -> Iterator[tuple]:
            n, shift = first_assignment, first_shift
            for t in range(self.plan.townships):
                for i, _slot in enumerate(slots):
                    if self.rng.random() > 0.03:  # a few coverage gaps
                        yield (n, shift, self.cadre_id(t, i % 6), "leader", None, "", self.now)
                        n += 1
                    yield (n, shift, self.cadre_id(t, 6 + i % max(1, per - 6)), "staff", None, "",
                           self.now)
                    n += 1
                    shift += 1

        self.record_count("duty_shifts", self.writer.write(
            DutyShift, ["id", "township_id", "day", "kind", "starts_at", "ends_at"], shift_rows(),
            self.plan.townships * len(slots)))
        self.record_count("duty_assignments", self.writer.write(
            DutyAssignment, ["id", "shift_id", "cadre_id", "role", "replaces_id", "note", "recorded_at"],
            assignment_rows(), 2 * self.plan.townships * len(slots)))

def generate(plan: ScalePlan, progress: Callable[[str, int, int], None] | None = None) -> ScaleResult:
    """Build the data set in one transaction; returns the row counts and the time taken."""
    started = time.monotonic()
    generator = Generator(plan, progress or (lambda *_: None))
    if generator.writer.dialect == "sqlite":
        # A bulk load needs no per-statement durability: it either finishes or is redone.
        db.session.execute(text("PRAGMA synchronous=OFF"))
    counts = generator.run()
    return ScaleResult(counts, time.monotonic() - started)
