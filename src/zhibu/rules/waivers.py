"""Waivers, decided once: whether a waiver has expired, and whether it covers a finding.

``check.py`` moves the findings a waiver covers to their own section; ``zhibu due`` leaves out
a requirement whose period a waiver covers. Both ask :func:`waiver_for`, so a reminder is not
listed for a period the check would waive for the whole branch.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from ..model.branch import Waiver
from ..model.periods import Period


def expired(waiver: Waiver, as_of: dt.date | None) -> bool:
    """A waiver with ``expires`` before ``as_of`` no longer waives anything (never, without an as-of date)."""
    return as_of is not None and waiver.expires is not None and waiver.expires < as_of


def same_subject(waiver: Waiver, subject: str | None) -> bool:
    """A waiver naming a subject covers only findings about that member or group; a finding
    about a pair (谈心谈话 between two 委员, ``甲、乙``) is covered when either is named. A waiver
    without a subject covers every finding of its code and period."""
    if waiver.subject is None:
        return True
    if subject is None:
        return False
    return waiver.subject == subject or waiver.subject in subject.split("、")


def covers(waiver: Waiver, code: str, period: Period | str | None, subject: str | None = None) -> bool:
    """Whether ``waiver`` covers a finding of ``code`` about ``subject`` (None: the branch as a
    whole) in ``period``: same code, same subject, and the period inside the waiver's."""
    if isinstance(period, str):
        period = Period.parse(period)
    if period is None or waiver.code != code or not same_subject(waiver, subject):
        return False
    covering = Period.parse(waiver.period)
    return covering is not None and covering.covers(period)


def waiver_for(
    waivers: Iterable[Waiver],
    code: str,
    period: Period | str | None,
    subject: str | None = None,
    *,
    as_of: dt.date | None = None,
) -> Waiver | None:
    """The first of ``waivers`` not expired by ``as_of`` that covers the finding (:func:`covers`), or None."""
    if isinstance(period, str):
        period = Period.parse(period)
    if period is None:
        return None
    for waiver in waivers:
        if not expired(waiver, as_of) and covers(waiver, code, period, subject):
            return waiver
    return None
