"""Read the State Council's notice of a year's holidays (国务院办公厅关于YYYY年部分节假日安排的通知).

Plain text in, the days it sets out: each holiday with its name, and each make-up working day
(调休上班). What looks wrong (a weekday that does not match its date, a count of days that does
not add up, a statutory holiday left out) comes back as a warning for the administrator to
check before confirming; text that cannot be read at all raises NoticeError.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from portal.rules.holidays import STATUTORY_NAMES, TOMB_SWEEPING, statutory_holidays

_NUMERAL = "一二三四五六七八九十"
_SECTION = re.compile(rf"[{_NUMERAL}]+、([^:。,]{{1,30}}?):")
_YEAR = (re.compile(r"关于(\d{4})年(?:部分)?节假日"), re.compile(r"现将(\d{4})年"))
_DATE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:\(([^)]*)\))?")
_RANGE = re.compile(rf"({_DATE.pattern})(?:至({_DATE.pattern}))?")
_COUNT = re.compile(r"(?:共|放假)(\d{1,2})天")
_WEEKDAY = re.compile(r"(?:周|星期)([一二三四五六日天])")
_WEEKDAYS = {c: i for i, c in enumerate("一二三四五六日")} | {"天": 6}
_ALIASES = {"清明": TOMB_SWEEPING, "五一": "劳动节", "国庆": "国庆节", "中秋": "中秋节", "端午": "端午节",
            "新年": "元旦"}
MAX_NAME = 32


class NoticeError(ValueError):
    """The text is not a notice that can be read; `code` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class NoticeDay:
    """One day of the notice: a holiday, or a make-up working day for the named holiday."""

    date: date
    name: str
    working: bool = False  # True: 调休上班, a weekend day worked in lieu


@dataclass(frozen=True)
class NoticeWarning:
    """Something for the administrator to check; `code` names it, `subject` says where."""

    code: str  # weekday | count | makeup_weekday | unknown_name | conflict | bad_date | missing
    subject: str


@dataclass
class ParsedNotice:
    year: int
    days: list[NoticeDay] = field(default_factory=list)
    warnings: list[NoticeWarning] = field(default_factory=list)

    @property
    def holidays(self) -> list[NoticeDay]:
        return [d for d in self.days if not d.working]

    @property
    def makeup_days(self) -> list[NoticeDay]:
        return [d for d in self.days if d.working]


def normalize(text: str) -> str:
    """Full-width forms to ASCII (（ → (, ： → :, ２ → 2), and no white space at all."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def notice_year(text: str) -> int | None:
    """The year a notice is about, from its title or first sentence."""
    for pattern in _YEAR:
        found = pattern.search(text)
        if found:
            return int(found.group(1))
    return None


def _names(header: str, warnings: list[NoticeWarning]) -> list[str]:
    names = []
    for raw in header.split("、"):
        name = _ALIASES.get(raw, raw)[:MAX_NAME]
        if name not in STATUTORY_NAMES:
            warnings.append(NoticeWarning("unknown_name", name))
        names.append(name)
    return names


def _to_date(groups: tuple, default: date, warnings: list[NoticeWarning]) -> date | None:
    year, month, day, note = groups
    subject = f"{month or default.month}月{day}日"
    try:
        found = date(int(year or default.year), int(month or default.month), int(day))
    except ValueError:
        warnings.append(NoticeWarning("bad_date", subject))
        return None
    weekday = _WEEKDAY.search(note or "")
    if weekday and _WEEKDAYS[weekday.group(1)] != found.weekday():
        warnings.append(NoticeWarning("weekday", f"{subject}({weekday.group(0)})"))
    return found


def _holiday_range(sentence: str, year: int, warnings: list[NoticeWarning]) -> list[date]:
    found = _RANGE.search(sentence)
    if not found:
        return []
    first = _to_date(found.groups()[1:5], date(year, 1, 1), warnings)
    if first is None:
        return []
    last = first
    if found.group(6):
        last = _to_date(found.groups()[6:10], first, warnings)
        if last is None:
            return []
        if last < first and not found.group(7):  # "12月31日至1月2日": into the next year
            last = last.replace(year=last.year + 1)
    days = [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
    count = _COUNT.search(sentence)
    if count and int(count.group(1)) != len(days):
        warnings.append(NoticeWarning("count", f"{first:%m-%d}–{last:%m-%d}"))
    return days


def _makeup_days(sentence: str, year: int, warnings: list[NoticeWarning]) -> list[date]:
    days = []
    for found in _DATE.finditer(sentence):
        day = _to_date(found.groups(), date(year, 1, 1), warnings)
        if day is None:
            continue
        if day.weekday() < 5:
            warnings.append(NoticeWarning("makeup_weekday", day.isoformat()))
        days.append(day)
    return days


def _name_days(days: list[date], names: list[str], year: int) -> dict[date, str]:
    """Each holiday its section's name: a statutory day keeps its own, the rest take the name
    with most statutory days in the range (国庆节 rather than 中秋节 in "国庆节、中秋节")."""
    statutory = {**statutory_holidays(year - 1), **statutory_holidays(year), **statutory_holidays(year + 1)}
    own = {d: statutory[d] for d in days if statutory.get(d) in names}
    counts = Counter(own.values())
    main = max(names, key=lambda n: (counts[n], -names.index(n)))
    return {d: own.get(d, main) for d in days}


def _section(body: str, names: list[str], year: int, warnings: list[NoticeWarning]) -> list[NoticeDay]:
    result: list[NoticeDay] = []
    for sentence in body.split("。"):
        if "上班" in sentence:
            result += [NoticeDay(d, names[0], working=True) for d in _makeup_days(sentence, year, warnings)]
        elif "放假" in sentence:
            named = _name_days(_holiday_range(sentence, year, warnings), names, year)
            result += [NoticeDay(d, name) for d, name in named.items()]
    return result


def _check(parsed: ParsedNotice) -> None:
    by_date: dict[date, NoticeDay] = {}
    for day in parsed.days:
        before = by_date.setdefault(day.date, day)
        if before.working != day.working:
            parsed.warnings.append(NoticeWarning("conflict", day.date.isoformat()))
    rest = {d.date for d in parsed.days if not d.working}
    for day, name in statutory_holidays(parsed.year).items():
        if day not in rest:
            parsed.warnings.append(NoticeWarning("missing", f"{day.isoformat()} {name}"))
    parsed.days = sorted(by_date.values(), key=lambda d: d.date)


def parse_notice(text: str) -> ParsedNotice:
    """The holidays and make-up working days of a notice, with what to check."""
    flat = normalize(text)
    year = notice_year(flat)
    if year is None:
        raise NoticeError("no_year")
    sections = list(_SECTION.finditer(flat))
    if not sections:
        raise NoticeError("no_sections")
    parsed = ParsedNotice(year)
    for i, match in enumerate(sections):
        end = sections[i + 1].start() if i + 1 < len(sections) else len(flat)
        names = _names(match.group(1), parsed.warnings)
        parsed.days += _section(flat[match.end():end], names, year, parsed.warnings)
    if not parsed.days:
        raise NoticeError("no_days")
    _check(parsed)
    return parsed
