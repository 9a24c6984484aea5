"""Calendar periods (month, quarter, half, year) and the branch's fixed 主题党日."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

PERIOD_KINDS = ("month", "quarter", "half", "year")
_MONTHS_IN = {"month": 1, "quarter": 3, "half": 6, "year": 12}
_PERIOD_CHINESE = {"month": "月", "quarter": "季度", "half": "半年", "year": "年"}
_QUARTER_NAMES = "一二三四"


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A calendar period; ``index`` is the month (1-12), quarter (1-4) or half (1-2)."""

    year: int
    kind: str
    index: int = 1
    # Derived once: rules ask for these hundreds of thousands of times.
    start: dt.date = field(init=False, repr=False, compare=False)
    end: dt.date = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        months = _MONTHS_IN[self.kind]
        first = (self.index - 1) * months + 1
        last = self.index * months
        object.__setattr__(self, "start", dt.date(self.year, first, 1))
        object.__setattr__(self, "end", dt.date(self.year, last, calendar.monthrange(self.year, last)[1]))

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> "Period":
        return cls(day.year, kind, (day.month - 1) // _MONTHS_IN[kind] + 1)

    @classmethod
    def parse(cls, text: str) -> "Period | None":
        """``2026-03``, ``2026Q1``, ``2026H2`` or ``2026``; None when malformed."""
        text = str(text).strip()
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
            month = int(m[2])
            return cls(int(m[1]), "month", month) if 1 <= month <= 12 else None
        if m := re.fullmatch(r"(\d{4})[Qq]([1-4])", text):
            return cls(int(m[1]), "quarter", int(m[2]))
        if m := re.fullmatch(r"(\d{4})[Hh]([12])", text):
            return cls(int(m[1]), "half", int(m[2]))
        if re.fullmatch(r"\d{4}", text):
            return cls(int(text), "year", 1)
        return None

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def covers(self, other: "Period") -> bool:
        return self.start <= other.start and other.end <= self.end

    @property
    def label(self) -> str:
        """Machine label as in JSON output: 2026-03, 2026Q1, 2026H1, 2026."""
        if self.kind == "month":
            return f"{self.year}-{self.index:02d}"
        if self.kind == "quarter":
            return f"{self.year}Q{self.index}"
        if self.kind == "half":
            return f"{self.year}H{self.index}"
        return str(self.year)

    @property
    def chinese(self) -> str:
        if self.kind == "month":
            return f"{self.year}年{self.index}月"
        if self.kind == "quarter":
            return f"{self.year}年第{_QUARTER_NAMES[self.index - 1]}季度"
        if self.kind == "half":
            return f"{self.year}年{'上' if self.index == 1 else '下'}半年"
        return f"{self.year}年"

    def next(self) -> "Period":
        per_year = 12 // _MONTHS_IN[self.kind]
        if self.index < per_year:
            return Period(self.year, self.kind, self.index + 1)
        return Period(self.year + 1, self.kind, 1)

    def __str__(self) -> str:
        return self.label


def periods_of_year(year: int, kind: str) -> list[Period]:
    return [Period(year, kind, i) for i in range(1, 12 // _MONTHS_IN[kind] + 1)]


def periods_between(kind: str, first: dt.date, last: dt.date) -> list[Period]:
    """Every period of ``kind`` that overlaps [first, last], in order."""
    out = []
    period = Period.containing(kind, first)
    while period.start <= last:
        out.append(period)
        period = period.next()
    return out


def period_word(kind: str) -> str:
    return _PERIOD_CHINESE[kind]


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, clamped to the month's end (2026-01-31 + 1 = 2026-02-28)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    """Same day ``years`` later: a calendar year, not 365 days (2024-02-29 + 1 = 2025-02-28)."""
    return add_months(day, 12 * years)


# A per-member rule with a period longer than a month judges a member who counted for at
# least this share of the period (docs/standard.md); a pack may lower it (``min_share``).
DEFAULT_MIN_SHARE = 0.5


def days_covered(period: Period, first: dt.date, until: dt.date | None = None) -> int:
    """Days of ``period`` in [first, until) (``until`` None: open-ended)."""
    start = max(period.start, first)
    stop = period.end + dt.timedelta(days=1)
    if until is not None:
        stop = min(stop, until)
    return max((stop - start).days, 0)


def covers_share(period: Period, first: dt.date, until: dt.date | None = None, share: float = DEFAULT_MIN_SHARE) -> bool:
    """Whether [first, until) covers enough of ``period`` to judge it.

    A month must be covered whole; a quarter, half or year at least ``share`` of its days
    (exactly half counts: "at least half").
    """
    covered = days_covered(period, first, until)
    total = (period.end - period.start).days + 1
    if period.kind == "month":
        return covered == total
    return covered >= share * total


# --- 主题党日 -----------------------------------------------------------------

_WEEKDAYS = "一二三四五六日"
_CHINESE_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}


@dataclass(frozen=True, slots=True)
class ThemeDay:
    """A fixed monthly day: ``day`` of month, or the ``nth`` ``weekday`` (1=Mon; nth -1 = last)."""

    day: int | None = None
    weekday: int | None = None
    nth: int | None = None
    shift_to_workday: bool = False

    def nominal_date(self, year: int, month: int) -> dt.date:
        """The date the rule names in a month, before any shift off holidays."""
        last = calendar.monthrange(year, month)[1]
        if self.day is not None:
            return dt.date(year, month, min(self.day, last))
        days = [d for d in range(1, last + 1) if dt.date(year, month, d).isoweekday() == self.weekday]
        index = self.nth - 1 if self.nth > 0 else self.nth
        return dt.date(year, month, days[max(min(index, len(days) - 1), -len(days))])

    @property
    def chinese(self) -> str:
        if self.day is not None:
            text = f"每月{self.day}日"
        elif self.nth == -1:
            text = f"每月最后一个周{_WEEKDAYS[self.weekday - 1]}"
        else:
            text = f"每月第{self.nth}个周{_WEEKDAYS[self.weekday - 1]}"
        return text + ("（遇节假日顺延）" if self.shift_to_workday else "")


def parse_theme_day(value) -> ThemeDay | None:
    """Read ``每月20日`` / ``每月第1个周五`` / ``每月最后一个周五`` / ``{day: 20}`` /
    ``{weekday: 5, nth: -1}``, with ``顺延: 节假日`` or ``shift: next-workday``. None if malformed."""
    shift = False
    if isinstance(value, dict):
        shift = value.get("顺延") == "节假日" or value.get("shift") == "next-workday"
        if "rule" in value or "规则" in value:
            value = value.get("rule", value.get("规则"))
        elif isinstance(value.get("day"), int) and not isinstance(value.get("day"), bool):
            day = value["day"]
            return ThemeDay(day=day, shift_to_workday=shift) if 1 <= day <= 31 else None
        elif all(isinstance(value.get(k), int) and not isinstance(value.get(k), bool) for k in ("weekday", "nth")):
            weekday, nth = value["weekday"], value["nth"]
            if 1 <= weekday <= 7 and nth in (1, 2, 3, 4, 5, -1):
                return ThemeDay(weekday=weekday, nth=nth, shift_to_workday=shift)
            return None
        else:
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if "顺延" in text:
        shift = True
        text = re.sub(r"[（(，,]?\s*(遇[^）)]*)?顺延[^）)]*[）)]?", "", text).strip()
    if m := re.fullmatch(r"每月(\d{1,2})[日号]", text):
        day = int(m[1])
        return ThemeDay(day=day, shift_to_workday=shift) if 1 <= day <= 31 else None
    if m := re.fullmatch(r"每月第([1-5一二三四五])个?(?:周|星期)([一二三四五六日天])", text):
        nth = int(m[1]) if m[1].isdigit() else _CHINESE_NUMBERS[m[1]]
        return ThemeDay(weekday=_WEEKDAYS.index(m[2].replace("天", "日")) + 1, nth=nth, shift_to_workday=shift)
    if m := re.fullmatch(r"每月最后一个?(?:周|星期)([一二三四五六日天])", text):
        return ThemeDay(weekday=_WEEKDAYS.index(m[1].replace("天", "日")) + 1, nth=-1, shift_to_workday=shift)
    return None
