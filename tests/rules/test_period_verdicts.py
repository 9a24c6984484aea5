"""Issue 12, items 4, 5, 7, 8, 15, 16 and 17: periods judged as an inspector would judge them.

Boundaries tested as the text says them: a member (or a new branch) counted for exactly half
of a quarter or year is judged, a day less is not; "一年以上" is a calendar year across
29 February; a date on the as-of day itself has happened, a day later has not.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from zhibu.check import check_branch
from zhibu.examples import clean_files, write_clean_variant
from zhibu.format.load import load_branch
from zhibu.render.layout import ledger, meeting_name, minutes
from zhibu.report.stats import year_table

END_2025 = dt.date(2025, 12, 31)
ORG_LIFE = "records/2025/2025-12-19-组织生活会.yaml"
ASSEMBLY_SEPT = "records/2025/2025-09-18-支部党员大会.yaml"


def make(tmp_path: Path, *, edits=(), files=None, remove=(), name="branch") -> Path:
    """The clean sample year with text replacements, added/replaced files and removals."""
    return write_clean_variant(tmp_path / name, edits=edits, files=files, remove=remove)


def check(root: Path, as_of=END_2025, year=2025):
    return check_branch(root, as_of=as_of, year=year, strict=True)


def found(result, code: str) -> list[tuple[str | None, str | None]]:
    return [(f.period, f.subject) for f in result.findings if f.code == code]


def add_member(entry: str) -> tuple[str, str, str]:
    """An edit appending ``entry`` (a flow mapping) to the roster."""
    return ("members.yaml", "members:\n", f"members:\n  - {entry}\n")


def founded(day: str) -> tuple[str, str, str]:
    return ("zhibu.yaml", "founded: 2012-09-01", f"founded: {day}")


PACK_QUARTER_TALK = (
    "pack: X-谈话\nlayer: X\ntitle: 谈话\nversion: 1\nrules:\n"
    "  - {code: X.quarterly-talk, kind: frequency, type: 谈心谈话, per: member, period: quarter, min: 1, severity: info, title: 每季度谈话}\n"
)


def with_pack(pack: str, *edits, name="X-谈话"):
    return {
        "files": {f"standards/{name}.yaml": pack},
        "edits": [
            ("zhibu.yaml", "  - standards/X-本支部.yaml\n", f"  - standards/X-本支部.yaml\n  - standards/{name}.yaml\n"),
            *edits,
        ],
    }


# --- item 5: members who joined or left during a period ------------------------------------


@pytest.mark.parametrize(
    "joined, judged",
    [("2025-08-16", True), ("2025-08-17", False)],  # Q3 has 92 days: 46 is exactly half
)
def test_member_who_joined_for_exactly_half_a_quarter_is_judged(tmp_path, joined, judged):
    setup = with_pack(
        PACK_QUARTER_TALK,
        add_member(
            f"{{name: 钱新, status: 正式党员, admitted: 2015-06-01, full_since: 2016-06-01, joined: {joined}, group: 第一党小组}}"
        ),
    )
    result = check(make(tmp_path, **setup))
    assert (("2025Q3", "钱新") in found(result, "X.quarterly-talk")) is judged
    assert ("2025Q2", "钱新") not in found(result, "X.quarterly-talk")


@pytest.mark.parametrize(
    "left, judged",
    [("2025-08-16", True), ("2025-08-15", False)],  # counted 1 July to the day before leaving
)
def test_member_who_left_after_exactly_half_a_quarter_is_judged(tmp_path, left, judged):
    setup = with_pack(
        PACK_QUARTER_TALK,
        add_member(
            f"{{name: 钱新, status: 正式党员, admitted: 2015-06-01, full_since: 2016-06-01, joined: 2020-01-01, left: {{date: {left}}}, group: 第一党小组}}"
        ),
    )
    result = check(make(tmp_path, **setup))
    assert (("2025Q3", "钱新") in found(result, "X.quarterly-talk")) is judged
    assert ("2025Q4", "钱新") not in found(result, "X.quarterly-talk")


@pytest.mark.parametrize(
    "joined, judged",
    [("2025-04-01", True), ("2025-07-02", True), ("2025-07-03", False)],  # 183 of 365 days is half or more, 182 is not
)
def test_yearly_talk_judges_a_member_who_transferred_in_during_the_year(tmp_path, joined, judged):
    root = make(
        tmp_path,
        edits=[
            add_member(
                f"{{name: 钱新, status: 正式党员, admitted: 2015-06-01, full_since: 2016-06-01, joined: {joined}, group: 第一党小组}}"
            )
        ],
    )
    result = check(root)
    assert (("2025", "钱新") in found(result, "talk.yearly")) is judged


def test_a_pack_may_lower_the_share_but_not_raise_it(tmp_path):
    member = add_member(
        "{name: 钱新, status: 正式党员, admitted: 2015-06-01, full_since: 2016-06-01, joined: 2025-09-01, group: 第一党小组}"
    )
    lower = with_pack(
        "pack: X-比例\nlayer: X\ntitle: 比例\nversion: 1\nrules:\n  - {code: talk.yearly, min_share: 0.25}\n",
        member,
        name="X-比例",
    )
    assert ("2025", "钱新") in found(check(make(tmp_path, name="lower", **lower)), "talk.yearly")
    higher = with_pack(
        "pack: X-比例\nlayer: X\ntitle: 比例\nversion: 1\nrules:\n  - {code: talk.yearly, min_share: 0.75}\n", name="X-比例"
    )
    result = check(make(tmp_path, name="higher", **higher))
    assert [f.code for f in result.findings] == ["standard.weakens-baseline"]


# --- item 4: branches founded during the year ----------------------------------------------


@pytest.mark.parametrize("day, judged", [("2025-08-16", True), ("2025-08-17", False)])
def test_branch_founded_for_exactly_half_a_quarter_is_judged_for_it(tmp_path, day, judged):
    root = make(
        tmp_path,
        edits=[founded(day), (ASSEMBLY_SEPT, "type: 支部党员大会", "type: 集中学习")],
    )
    result = check(root)
    assert (("2025Q3", None) in found(result, "meeting.general-quarterly")) is judged
    assert found(result, "meeting.general-quarterly") == ([("2025Q3", None)] if judged else [])


def test_months_before_founding_are_not_judged_by_any_period_rule(tmp_path):
    # Founded on 2025-07-02: nothing before it exists, so removing all of January–June changes nothing;
    # July is not a whole month of the branch, August is.
    content = clean_files()
    early = [p for p in content if p.startswith("records/2025/2025-0") and p[18] in "1234567"]
    august = [p for p in content if p.startswith("records/2025/2025-08") and "支部委员会" in p]
    root = make(tmp_path, edits=[founded("2025-07-02")], remove=early + august)
    result = check(root)
    periods = {f.period for f in result.findings if f.period and f.period[:4] == "2025" and len(f.period) == 7}
    assert periods == {"2025-08"}
    assert found(result, "meeting.committee-monthly") == [("2025-08", None)]
    assert not [f for f in result.findings if f.code.startswith(("member.", "dues.", "plan."))]


def _plan(months) -> str:
    items = "".join(
        f"  - {{month: {m}, kind: 学习, topic: 学习{m}}}\n  - {{month: {m}, kind: 活动, topic: 活动{m}}}\n" for m in months
    )
    return f"year: 2025\nitems:\n{items}"


@pytest.mark.parametrize("day, reported", [("2025-06-01", ["2025-06"]), ("2025-06-02", [])])
def test_plan_of_a_branch_founded_mid_year_covers_its_whole_months(tmp_path, day, reported):
    root = make(tmp_path, edits=[founded(day)], files={"plans/2025.yaml": _plan(range(7, 13))})
    assert [p for p, _s in found(check(root), "plan.month-incomplete")] == reported


@pytest.mark.parametrize("day, reported", [("2025-12-01", True), ("2025-12-02", False)])
def test_no_plan_is_needed_for_a_year_without_a_whole_month(tmp_path, day, reported):
    root = make(tmp_path, edits=[founded(day)], remove=["plans/2025.yaml"])
    assert bool(found(check(root), "plan.missing")) is reported


# --- item 7: "一年以上" is a calendar year ---------------------------------------------------


@pytest.mark.parametrize(
    "activist, candidate, reported",
    [
        ("2023-03-01", "2024-02-29", True),  # 365 days, but a year is not over until 2024-03-01
        ("2023-03-01", "2024-03-01", False),
        ("2024-02-29", "2025-02-28", False),  # a year from 29 February ends on 28 February
        ("2024-02-29", "2025-02-27", True),
    ],
)
def test_activist_period_is_a_calendar_year_across_29_february(tmp_path, activist, candidate, reported):
    person = (
        f"people:\n  - {{name: 钱新, applied: 2022-10-01, talked: 2022-10-20, activist: {activist}, candidate: {candidate}}}\n"
    )
    root = make(tmp_path, edits=[("development.yaml", "people:\n", person)])
    year = int(candidate[:4])
    result = check(root, as_of=dt.date(year, 12, 31), year=year)
    assert ("钱新" in {s for _p, s in found(result, "development.activist-period")}) is reported


@pytest.mark.parametrize("as_of, reported", [("2025-02-28", False), ("2025-03-01", True)])
def test_probation_of_a_year_from_29_february_ends_on_28_february(tmp_path, as_of, reported):
    member = add_member("{name: 钱新, status: 预备党员, admitted: 2024-02-29, joined: 2024-02-29, group: 第一党小组}")
    result = check(make(tmp_path, edits=[member]), as_of=dt.date.fromisoformat(as_of), year=2025)
    assert ("钱新" in {s for _p, s in found(result, "member.probation-overdue")}) is reported


@pytest.mark.parametrize("talked, reported", [("2025-02-28", False), ("2025-03-01", True)])
def test_one_month_from_31_january_ends_on_28_february(tmp_path, talked, reported):
    person = f"people:\n  - {{name: 钱新, applied: 2025-01-31, talked: {talked}}}\n"
    result = check(make(tmp_path, edits=[("development.yaml", "people:\n", person)]))
    assert ("钱新" in {s for _p, s in found(result, "development.talk-late")}) is reported


# --- item 8: dues --------------------------------------------------------------------------

ZHOU_PAYMENTS = (
    "  - {name: 周敏, months: [1, 2, 3], amount: 264.00, date: 2025-03-20}\n",
    "  - {name: 周敏, months: [4, 5, 6], amount: 264.00, date: 2025-06-18}\n",
)


@pytest.mark.parametrize("paid_on, reported", [("2025-06-30", False), ("2025-07-01", True)])
def test_months_paid_late_in_one_lump_are_still_months_without_payment(tmp_path, paid_on, reported):
    edits = [
        ("dues/2025.yaml", ZHOU_PAYMENTS[0], ""),
        (
            "dues/2025.yaml",
            ZHOU_PAYMENTS[1],
            f"  - {{name: 周敏, months: [1, 2, 3, 4, 5, 6], amount: 528.00, date: {paid_on}}}\n",
        ),
    ]
    result = check(make(tmp_path, edits=edits))
    six = found(result, "dues.unpaid-6-months")
    assert (six == [("2025-06", "周敏")]) is reported
    if reported:
        [finding] = [f for f in result.findings if f.code == "dues.unpaid-6-months"]
        assert "2025-07-01 才补交" in finding.message
    assert found(result, "dues.unpaid") == []  # every month is paid now


def test_payment_after_the_as_of_date_has_not_been_made(tmp_path):
    payment = "  - {name: 周敏, months: [10, 11, 12], amount: 264.00, date: 2025-12-16}"
    root = make(tmp_path, edits=[("dues/2025.yaml", payment, payment.replace("2025-12-16", "2025-12-31"))])
    assert found(check(root), "dues.unpaid") == []  # paid on the as-of day itself
    assert found(check(root, as_of=dt.date(2025, 12, 30)), "record.future-date") == [("2025-12", "周敏")]
    assert ("2025-11", "周敏") in found(check(root, as_of=dt.date(2025, 12, 30)), "dues.unpaid")


@pytest.mark.parametrize(
    "paid_to, months, unpaid",
    [
        (None, "[6, 7, 8, 9, 10, 11, 12]", []),  # owes from the month after the transfer
        ("2025-04", "[6, 7, 8, 9, 10, 11, 12]", [("2025-05", "钱新")]),  # the letter: paid to April, so May is owed here
        ("2025-05", "[6, 7, 8, 9, 10, 11, 12]", []),
    ],
)
def test_member_who_transferred_in_owes_dues_from_the_month_after(tmp_path, paid_to, months, unpaid):
    letter = f", dues_paid_to: {paid_to}" if paid_to else ""
    edits = [
        add_member(
            f"{{name: 钱新, status: 正式党员, admitted: 2015-06-01, full_since: 2016-06-01, joined: 2025-05-20, group: 第一党小组{letter}}}"
        ),
        ("dues/2025.yaml", "paid:\n", f"paid:\n  - {{name: 钱新, months: {months}, amount: 350.00, date: 2025-06-16}}\n"),
    ]
    result = check(make(tmp_path, edits=edits))
    assert found(result, "dues.unpaid") == unpaid


def test_probationary_member_admitted_here_owes_the_month_of_admission(tmp_path):
    payment = "  - {name: 孙悦, months: [10, 11, 12], amount: 90.00, date: 2025-12-16}"
    root = make(
        tmp_path, edits=[("dues/2025.yaml", payment, "  - {name: 孙悦, months: [11, 12], amount: 60.00, date: 2025-12-16}")]
    )
    assert found(check(root), "dues.unpaid") == [("2025-10", "孙悦")]


@pytest.mark.parametrize("amount, reported", [("247.50", False), ("247.49", True), ("300.00", False)])
def test_payment_below_the_assessed_amount(tmp_path, amount, reported):
    payment = "  - {name: 赵磊, months: [10, 11, 12], amount: 247.50, date: 2025-12-16}"
    root = make(tmp_path, edits=[("dues/2025.yaml", payment, payment.replace("247.50", amount))])
    assert (found(check(root), "dues.underpaid") == [("2025-12", "赵磊")]) is reported


def test_dues_publication_on_the_as_of_day_counts(tmp_path):
    moved = clean_files()[ASSEMBLY_SEPT].replace("date: 2025-09-18", "date: 2025-12-31")
    root = make(tmp_path, remove=[ASSEMBLY_SEPT], files={"records/2025/2025-12-31-支部党员大会.yaml": moved})
    assert found(check(root), "dues.not-published") == []
    assert found(check(root, as_of=dt.date(2026, 1, 5)), "dues.not-published") == []
    # Without any publication the year is reported, once it has ended.
    bare = make(tmp_path, name="bare", edits=[(ASSEMBLY_SEPT, "dues_published: true", "dues_published: false")])
    assert found(check(bare), "dues.not-published") == [("2025", None)]
    assert found(check(bare, as_of=dt.date(2025, 12, 30)), "dues.not-published") == []


# --- item 15: waivers for one member -------------------------------------------------------

DUES_WAIVER = (
    "waivers:\n  - code: dues.unpaid-6-months\n    period: 2025\n    reason: 长期病休，经批准免交党费\n"
    "    approved_by: 中共示例大学计算机学院委员会\n    approved: 2025-07-01\n{subject}"
)


def _no_dues_for(*names):
    content = clean_files()["dues/2025.yaml"]
    lines = [line for line in content.splitlines(keepends=True) if not any(f"name: {n}," in line for n in names)]
    return {"dues/2025.yaml": "".join(lines)}


def test_waiver_naming_a_member_hides_only_that_members_finding(tmp_path):
    waiver = DUES_WAIVER.format(subject="    subject: 周敏\n")
    root = make(tmp_path, files={**_no_dues_for("周敏", "郑凯"), "waivers.yaml": waiver})
    result = check(root)
    assert found(result, "dues.unpaid-6-months") == [("2025-12", "郑凯")]
    assert [(f.code, f.subject) for f, _w in result.waived] == [("dues.unpaid-6-months", "周敏")]


def test_waiver_without_subject_still_covers_everyone(tmp_path):
    root = make(tmp_path, files={**_no_dues_for("周敏", "郑凯"), "waivers.yaml": DUES_WAIVER.format(subject="")})
    result = check(root)
    assert found(result, "dues.unpaid-6-months") == []
    assert sorted(f.subject for f, _w in result.waived) == ["周敏", "郑凯"]


def test_waiver_for_a_misspelt_member_is_reported_and_waives_nothing(tmp_path):
    root = make(tmp_path, files={**_no_dues_for("周敏"), "waivers.yaml": DUES_WAIVER.format(subject="    subject: 周明\n")})
    result = check(root)
    assert found(result, "dues.unpaid-6-months") == [("2025-12", "周敏")]
    [bad] = [f for f in result.findings if f.code == "format.bad-value"]
    assert "周明" in bad.message and bad.path == "waivers.yaml"


def test_waiver_naming_one_committee_member_covers_their_pair_findings(tmp_path):
    talk = "  - {date: 2025-04-08, between: [陈志强, 赵磊], form: 面谈}\n"
    waiver = "waivers:\n  - {code: talk.yearly, period: 2025, reason: 赵磊长期外派, subject: 赵磊}\n"
    root = make(tmp_path, edits=[("talks/2025.yaml", talk, "")], files={"waivers.yaml": waiver})
    result = check(root)
    assert found(result, "talk.yearly") == []
    [(finding, _w)] = result.waived
    assert set(finding.subject.split("、")) == {"陈志强", "赵磊"}


# --- item 16: yearly meetings held early in the next year -----------------------------------


def _org_life_in(day: str, for_year: str | None) -> dict:
    text = clean_files()[ORG_LIFE].replace("date: 2025-12-19", f"date: {day}")
    if for_year:
        text += f"for_year: {for_year}\n"
    return {f"records/{day[:4]}/{day}-组织生活会.yaml": text}


@pytest.mark.parametrize("day", ["2026-01-15", "2026-03-31"])
def test_org_life_meeting_held_early_next_year_counts_for_the_year_it_names(tmp_path, day):
    root = make(tmp_path, remove=[ORG_LIFE], files=_org_life_in(day, "2025"))
    as_of = dt.date.fromisoformat(day)  # the as-of day is the meeting day itself
    result = check(root, as_of=as_of, year=2025)
    assert found(result, "meeting.org-life-yearly") == []
    assert [f for f in result.findings if f.code.startswith("format.")] == []
    # It does not count for the year it was held in.
    later = check(root, as_of=dt.date(2026, 12, 31), year=2026)
    assert ("2026", None) in found(later, "meeting.org-life-yearly")
    # Nor before it was held.
    assert found(check(root, as_of=as_of - dt.timedelta(days=1), year=2025), "meeting.org-life-yearly") == [("2025", None)]


def test_without_for_year_a_january_meeting_counts_for_its_own_year(tmp_path):
    root = make(tmp_path, remove=[ORG_LIFE], files=_org_life_in("2026-01-15", None))
    assert found(check(root, as_of=dt.date(2026, 3, 31), year=2025), "meeting.org-life-yearly") == [("2025", None)]


@pytest.mark.parametrize(
    "day, for_year, counted_in",
    [("2026-04-01", "2025", "2026"), ("2026-01-15", "2024", "2026"), ("2025-12-19", "2026", "2025")],
)
def test_for_year_outside_january_to_march_of_the_next_year_is_a_format_error(tmp_path, day, for_year, counted_in):
    root = make(tmp_path, remove=[ORG_LIFE], files=_org_life_in(day, for_year))
    result = check(root, as_of=dt.date(2026, 12, 31), year=2025)
    assert [f.code for f in result.findings if f.code.startswith("format.")] == ["format.bad-value"]
    # The rejected for_year is ignored: the meeting counts for the year it was held in.
    assert found(result, "meeting.org-life-yearly") == ([] if counted_in == "2025" else [("2025", None)])


def test_for_year_is_shown_in_documents_and_statistics(tmp_path):
    root = make(tmp_path, remove=[ORG_LIFE], files=_org_life_in("2026-01-15", "2025"))
    result = check(root, as_of=dt.date(2026, 3, 31), year=2025)
    branch, rules = result.loaded.branch, result.standard.rules
    [record] = [r for r in branch.records if r.date == dt.date(2026, 1, 15)]
    assert meeting_name(record) == "2025年度组织生活会"
    assert minutes(branch, record).title.startswith("计算机学院教工第一党支部2025年度组织生活会记录")
    row_2025 = {r.label: r for r in year_table(branch, rules, 2025)}["组织生活会"]
    row_2026 = {r.label: r for r in year_table(branch, rules, 2026)}["组织生活会"]
    assert (sum(row_2025.months), row_2025.carried, row_2025.total) == (0, 1, 1)
    assert (row_2026.months[0], row_2026.total) == (0, 0)
    texts = [getattr(b, "text", "") for b in ledger(branch, rules, 2025).blocks]
    assert "2025年度组织生活会于2026年1月15日召开，计入本年度“全年”合计。" in texts
    texts_2026 = [getattr(b, "text", "") for b in ledger(branch, rules, 2026).blocks]
    assert "2026年1月15日召开的2025年度组织生活会计入2025年度，不计入本年各月。" in texts_2026


# --- item 17: future dates everywhere ------------------------------------------------------


def test_talks_and_development_dates_after_the_as_of_date_are_reported(tmp_path):
    edits = [
        (
            "talks/2025.yaml",
            "talks:\n",
            "talks:\n  - {date: 2025-12-31, between: [王建国, 周敏]}\n  - {date: 2026-01-05, between: [王建国, 郑凯]}\n",
        ),
        ("development.yaml", "    talked: 2025-10-16", "    talked: 2025-10-16\n    activist: 2026-01-10"),
    ]
    result = check(make(tmp_path, edits=edits))
    messages = sorted(f.message for f in result.findings if f.code == "record.future-date")
    assert len(messages) == 2  # the talk on the as-of day itself has happened
    assert any("王建国 与 郑凯 的谈心谈话日期 2026-01-05" in m for m in messages)
    assert any("邓晨 确定为入党积极分子的日期 2026-01-10" in m for m in messages)


# --- writing the new fields from the command line ------------------------------------------


def test_meeting_add_writes_for_year_and_dues_published(run, git_branch):
    root = git_branch({})
    result = run(
        "-C",
        root,
        "meeting",
        "add",
        "--type",
        "组织生活会",
        "--date",
        "2026-01-15",
        "--for-year",
        "2025",
        "--dues-published",
        "--place",
        "学院会议室",
        "--recorder",
        "李晓梅",
        "--topic",
        "开展批评和自我批评",
    )
    assert result.exit_code == 0, result.stderr
    text = (root / "records/2026/2026-01-15-组织生活会.yaml").read_text(encoding="utf-8")
    assert text.endswith("for_year: 2025\ndues_published: true\n")
    refused = run(
        "-C",
        root,
        "meeting",
        "add",
        "--type",
        "组织生活会",
        "--date",
        "2026-04-15",
        "--for-year",
        "2025",
        "--place",
        "学院会议室",
        "--recorder",
        "李晓梅",
        "--topic",
        "开展批评和自我批评",
    )
    assert refused.exit_code == 2 and "for_year" in refused.stderr
    assert not (root / "records/2026/2026-04-15-组织生活会.yaml").exists()


def test_member_add_writes_the_month_the_letter_says_dues_were_paid_to(run, git_branch):
    root = git_branch({})
    args = [
        "-C",
        root,
        "member",
        "add",
        "钱新",
        "--status",
        "正式党员",
        "--admitted",
        "2015-06-01",
        "--full-since",
        "2016-06-01",
        "--joined",
        "2026-03-10",
        "--group",
        "第一党小组",
    ]
    result = run(*args, "--dues-paid-to", "2026-02")
    assert result.exit_code == 0, result.stderr
    [member] = [m for m in load_branch(root).branch.members if m.name == "钱新"]
    assert member.dues_paid_to == (2026, 2) and member.dues_owed_from() == (2026, 3)
    refused = run(*args[:4], "钱二", *args[5:], "--dues-paid-to", "2026年2月")
    assert refused.exit_code == 2 and "dues_paid_to" in refused.stderr
