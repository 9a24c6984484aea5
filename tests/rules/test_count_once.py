"""Issue 13, item 4: the check's verdict, ``zhibu due``'s reminder and the ledger count come from
one count (``rules/counting.py``), so for every frequency rule and period they agree.

Each case is judged three ways and compared with what :func:`counting.tallies` counted:

- the check: a finding (or a waived one) for the rule, period and subject exactly when the
  count is short of the rule's ``min``;
- ``zhibu due`` on the period's last day: a reminder for it exactly when the count is short and
  no waiver for the whole branch covers the period;
- the ledger (``stats.year_table``, for rules counted per branch): the months of the period add
  up to the count.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from zhibu.check import check_branch
from zhibu.examples import write_clean_variant
from zhibu.model.periods import Period
from zhibu.report.stats import year_table
from zhibu.rules import counting
from zhibu.rules.registry import Context
from zhibu.schedule.due import due_items

END_2025 = dt.date(2025, 12, 31)
COMMITTEE_MARCH = "records/2025/2025-03-06-支部委员会.yaml"
LECTURE_SEPT = "records/2025/2025-09-11-党课.yaml"
ASSEMBLY_SEPT = "records/2025/2025-09-18-支部党员大会.yaml"
PACK_QUARTER_TALK = (
    "pack: X-谈话\nlayer: X\ntitle: 谈话\nversion: 1\nrules:\n"
    "  - {code: X.quarterly-talk, kind: frequency, type: 谈心谈话, per: member, period: quarter, min: 1, severity: info, title: 每季度谈话}\n"
)


def with_quarter_talk(*edits):
    return {
        "files": {"standards/X-谈话.yaml": PACK_QUARTER_TALK},
        "edits": [
            ("zhibu.yaml", "  - standards/X-本支部.yaml\n", "  - standards/X-本支部.yaml\n  - standards/X-谈话.yaml\n"),
            *edits,
        ],
    }


def add_member(joined: str):
    entry = f"{{name: 钱新, status: 正式党员, admitted: 2015-06-01, full_since: 2016-06-01, joined: {joined}, group: 第一党小组}}"
    return ("members.yaml", "members:\n", f"members:\n  - {entry}\n")


def move(path: str, old: str, new: str):
    return (path, f"date: {old}", f"date: {new}")


class Views:
    """One branch judged for 2025 by the check, counted by ``counting``, listed by ``due``, tabled by the ledger."""

    def __init__(self, root: Path):
        self.result = check_branch(root, as_of=END_2025, year=2025, strict=True)
        self.branch = self.result.loaded.branch
        self.standard = self.result.standard
        self.rules = self.standard.rules
        self.ctx = Context(self.branch, END_2025, dt.date(2025, 1, 1), END_2025, self.rules)
        self.table = {row.label: row for row in year_table(self.branch, self.rules, 2025)}
        self._due: dict[dt.date, list] = {}

    def frequency_rules(self):
        return [rule for rule in self.rules.values() if rule.kind == "frequency"]

    def periods(self, rule):
        return self.ctx.judged_periods(rule.param("period"), rule)

    def counts(self, rule, period) -> dict:
        return dict(counting.tallies(self.ctx, rule, period))

    def reported(self, rule, period) -> set:
        """Subjects (None: the branch) the check reports or waives for the rule in the period."""
        pairs = [*self.result.findings, *(f for f, _w in self.result.waived)]
        return {f.subject for f in pairs if f.code == rule.code and f.period == period.label}

    def waived_for_branch(self, rule, period) -> bool:
        return any(f.code == rule.code and f.period == period.label and w.subject is None for f, w in self.result.waived)

    def due(self, rule, period) -> set:
        """Subjects ``zhibu due`` on the period's last day still lists for the rule and period."""
        day = period.end
        if day not in self._due:
            self._due[day] = due_items(self.branch, self.standard, day, day, as_of=day)
        out = set()
        for item in self._due[day]:
            if item.code != rule.code or not item.key.startswith(f"{rule.code}/{period.label}"):
                continue
            if rule.param("per") == "member":
                out.update(item.people)
            else:
                rest = item.key[len(f"{rule.code}/{period.label}") :]
                out.add(rest[1:] if rest else None)
        return out

    def ledger(self, rule, period) -> int:
        """The ledger's count for a rule counted per branch: its row's months in the period."""
        row = self.table[rule.param("counts_as") or rule.param("type")]
        months = range(period.start.month, period.end.month + 1)
        return sum(row.months[m - 1] for m in months) + (row.carried if period.kind == "year" else 0)

    def assert_agree(self) -> int:
        """Every frequency rule, judged period and subject: the three views agree. Returns the shortfalls seen."""
        shortfalls = 0
        for rule in self.frequency_rules():
            minimum = rule.param("min")
            for period in self.periods(rule):
                counts = self.counts(rule, period)
                short = {subject for subject, n in counts.items() if n < minimum}
                shortfalls += len(short)
                assert self.reported(rule, period) == short, (rule.code, period.label)
                expected_due = set() if self.waived_for_branch(rule, period) else short
                assert self.due(rule, period) == expected_due, (rule.code, period.label)
                if rule.param("per") == "branch":
                    assert self.ledger(rule, period) == counts[None], (rule.code, period.label)
        return shortfalls


def views(tmp_path: Path, name: str, **variant) -> Views:
    return Views(write_clean_variant(tmp_path / name, **variant))


def test_the_sample_year_agrees_in_all_three_views(tmp_path):
    clean = views(tmp_path, "clean")
    # One shortfall: February's 支委会, waived for the whole branch, so the check lists it as
    # waived and due does not remind of it.
    assert clean.assert_agree() == 1
    february = Period(2025, "month", 2)
    committee = clean.rules["meeting.committee-monthly"]
    assert clean.waived_for_branch(committee, february) and clean.due(committee, february) == set()
    assert clean.table["支部委员会"].months[1] == 0
    assert len(clean.frequency_rules()) >= 8  # the baseline's, counted per branch and per group
    gaps = views(
        tmp_path,
        "gaps",
        remove=("records/2025/2025-04-09-支部委员会.yaml", LECTURE_SEPT, "records/2025/2025-01-14-党小组会.yaml"),
    )
    # February (waived), April's 支委会, Q3's 党课 and September's 学习 (that 党课 was it), and
    # January's 党小组会 of 第一党小组 (counted per group).
    assert gaps.assert_agree() == 5
    group = gaps.rules["meeting.group-monthly"]
    january = Period(2025, "month", 1)
    assert gaps.reported(group, january) == gaps.due(group, january) == {"第一党小组"}
    april = Period(2025, "month", 4)
    assert gaps.counts(committee, april) == {None: 0} and gaps.ledger(committee, april) == 0


@pytest.mark.parametrize("day, march", [("2025-03-31", 1), ("2025-04-01", 0)])
def test_a_record_on_the_last_day_of_a_month_counts_for_that_month(tmp_path, day, march):
    v = views(tmp_path, "b", edits=[move(COMMITTEE_MARCH, "2025-03-06", day)])
    v.assert_agree()
    rule, period = v.rules["meeting.committee-monthly"], Period(2025, "month", 3)
    assert v.counts(rule, period) == {None: march} and v.table["支部委员会"].months[2] == march
    assert v.reported(rule, period) == ({None} if not march else set())
    assert v.due(rule, period) == ({None} if not march and not v.waived_for_branch(rule, period) else set())
    assert v.counts(rule, Period(2025, "month", 4)) == {None: 2 - march}


@pytest.mark.parametrize("joined, judged", [("2025-08-16", True), ("2025-08-17", False)])  # Q3: 46 of 92 days is half
def test_a_member_who_joined_for_exactly_half_a_quarter_is_counted_alike(tmp_path, joined, judged):
    v = views(tmp_path, "b", **with_quarter_talk(add_member(joined)))
    v.assert_agree()
    rule, q3 = v.rules["X.quarterly-talk"], Period(2025, "quarter", 3)
    assert ("钱新" in v.counts(rule, q3)) is judged
    assert ("钱新" in v.reported(rule, q3)) is judged
    assert ("钱新" in v.due(rule, q3)) is judged
    assert "钱新" not in v.counts(rule, Period(2025, "quarter", 2))
    # The ledger counts the branch's talks of the quarter as the rule counts them.
    assert sum(v.table["谈心谈话"].months[6:9]) == len(counting.counted(v.ctx, q3, "谈心谈话"))


def test_a_record_naming_two_types_counts_for_each_in_all_three_views(tmp_path):
    combined = (ASSEMBLY_SEPT, "type: 支部党员大会\n", "type: [支部党员大会, 党课]\nlecturer: 王建国\n")
    v = views(tmp_path, "b", edits=[combined], remove=[LECTURE_SEPT])
    v.assert_agree()
    q3 = Period(2025, "quarter", 3)
    for code in ("meeting.lecture-quarterly", "meeting.general-quarterly"):
        rule = v.rules[code]
        assert v.counts(rule, q3) == {None: 1} and v.ledger(rule, q3) == 1
        assert v.reported(rule, q3) == set() and v.due(rule, q3) == set()
    assert v.table["党课"].months[8] == 1 and v.table["支部党员大会"].months[8] == 1


def test_the_three_views_count_through_the_one_function(tmp_path, monkeypatch):
    """With :func:`counting.counted` made to count nothing, the check, due and the ledger all see nothing held."""
    root = write_clean_variant(tmp_path / "b")
    monkeypatch.setattr(counting, "counted", lambda *args, **kwargs: [])
    v = Views(root)
    rule, march = v.rules["meeting.committee-monthly"], Period(2025, "month", 3)
    assert all(sum(row.months) == 0 and row.carried == 0 for row in v.table.values())
    assert v.reported(rule, march) == {None}
    assert v.due(rule, march) == ({None} if not v.waived_for_branch(rule, march) else set())
    v.assert_agree()
