"""China's official working-day calendar (法定节假日 and 调休), behind one small interface.

The data comes from the optional ``chinesecalendar`` package, which covers
2004 up to the year its release knows (it raises for later years). A branch
or its T pack may supply dates of its own; a year nobody knows falls back to
plain weekdays and says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class Calendar:
    """Working days: explicit ``holidays`` / ``workdays`` win, then chinesecalendar, then weekdays."""

    holidays: frozenset = frozenset()
    workdays: frozenset = frozenset()
    unknown_years: set = field(default_factory=set)  # years that fell back to weekdays

    def is_workday(self, day: dt.date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        known = _package_is_workday(day)
        if known is None:
            self.unknown_years.add(day.year)
            return day.isoweekday() <= 5
        return known

    def next_workday(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the next working day."""
        for _ in range(60):
            if self.is_workday(day):
                return day
            day += dt.timedelta(days=1)
        return day


def _package_is_workday(day: dt.date) -> bool | None:
    try:
        import chinese_calendar
    except ImportError:
        return None
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None
