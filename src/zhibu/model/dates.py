"""Dates as people type them: the one reader behind every command's date options and the roster import."""

from __future__ import annotations

import datetime as dt
import re

# 2026-03-08, 2026-3-8, 2026/3/8, 2026.3.8 (an export may add a time); 2026年3月8日; 20260308.
_DATE_PATTERNS = (
    re.compile(r"(\d{4})\s*[-/.．]\s*(\d{1,2})\s*[-/.．]\s*(\d{1,2})(?:[ T].*)?"),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)


class NotADate(ValueError):
    """The text is no date; ``message`` says why in Chinese (impossible day, or an unknown shape)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def read_date(text: str) -> dt.date:
    """The date ``text`` names, or :class:`NotADate` saying what is wrong with it.

    A text in a known shape naming a day that does not exist (2026-02-30) is "不是有效日期",
    so the user fixes the day rather than the way it is written.
    """
    text = text.strip()
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            year, month, day = int(match[1]), int(match[2]), int(match[3])
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise NotADate(f"{year:04d}-{month:02d}-{day:02d} 不是有效日期") from None
    raise NotADate(f"“{text}”不是日期，请写成 2026-03-05、2026/3/5 或 2026年3月5日")
