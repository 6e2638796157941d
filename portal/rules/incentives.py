"""The article's condition on every year of service: each annual assessment at least 称职.

A service mark (25 years for an ordinary cadre, 10 for a deputy leader) is met only when
every completed year of the service has an assessment of 优秀 or 称职: a year without a
recorded result, or one rated 基本称职 or 不称职, says why the mark is not met yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class YearsCheck:
    missing: tuple[int, ...]  # years with no recorded assessment
    below: tuple[int, ...]  # years rated below 称职

    @property
    def ok(self) -> bool:
        return not self.missing and not self.below

    @property
    def missing_text(self) -> str:
        return year_ranges(self.missing)

    @property
    def below_text(self) -> str:
        return year_ranges(self.below)


def year_ranges(years: tuple[int, ...]) -> str:
    """(1996, 1997, 1998, 2003) -> "1996–1998、2003"."""
    parts: list[tuple[int, int]] = []
    for year in years:
        if parts and parts[-1][1] == year - 1:
            parts[-1] = (parts[-1][0], year)
        else:
            parts.append((year, year))
    return "、".join(f"{a}" if a == b else f"{a}–{b}" for a, b in parts)


def check_years(since: date, today: date, grades: Mapping[int, str], passing: Set[str]) -> YearsCheck:
    """Each completed year from `since` to last year (this year is assessed after it ends)."""
    years = range(since.year, today.year)
    return YearsCheck(missing=tuple(y for y in years if y not in grades),
                      below=tuple(y for y in years if y in grades and grades[y] not in passing))
