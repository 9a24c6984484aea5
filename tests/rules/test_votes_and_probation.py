"""Issue 12, items 2, 6, 9, 10 and 11: who votes, which body decides, elections, vote counts, probation.

Each test edits the clean sample year (no findings as of 2025-12-31) at one boundary and
asserts exactly the findings a 组织员 would expect. In the sample, 10 members have a vote
at the 2025-03-20 补选 and the 2025-06-25 conversion of 黄丽 (she is not one of them), and
10 at the 2025-10-12 admission of 孙悦 (a 预备党员 from that day, 应到 only after it).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from zhibu.check import check_branch
from zhibu.examples import clean_files, write_clean_variant
from zhibu.format.load import load_branch
from zhibu.render import layout

END_2025 = dt.date(2025, 12, 31)
ELECTION = "records/2025/2025-03-20-支部党员大会.yaml"
CONVERSION = "records/2025/2025-06-25-支部党员大会.yaml"
ADMISSION = "records/2025/2025-10-12-支部党员大会.yaml"
COMMITTEE_JUNE = "records/2025/2025-06-20-支部委员会.yaml"
VOTES_9 = "votes: {for: 9, against: 0, abstain: 0}"
ALL_PRESENT_JUNE = (
    "attendees: [王建国, 陈志强, 刘芳, 周敏, 吴涛, 李晓梅, 张伟, 赵磊, 黄丽, 林静]\nabsent:\n  - {name: 郑凯, reason: 外出培训}\n"
)


def make(tmp_path: Path, *, edits=(), files=None) -> Path:
    return write_clean_variant(tmp_path / "branch", edits=edits, files=files)


def findings(root: Path, as_of=END_2025, year=2025):
    result = check_branch(root, as_of=as_of, year=year, strict=True, history=False)
    return [(f.code, f.subject) for f in result.findings], result


def codes(root: Path, **kw) -> list[str]:
    return sorted({code for code, _ in findings(root, **kw)[0]})


def record(branch, path):
    return next(r for r in branch.records if r.source.path == path)


# --- item 2: who votes, who is 应到 ---------------------------------------------------------------


def test_member_converted_at_a_meeting_is_not_a_voter_there_but_after(tmp_path):
    branch = load_branch(make(tmp_path)).branch
    day = dt.date(2025, 6, 25)  # her 预备期满 and the meeting deciding her conversion, the same day
    assert "黄丽" not in {m.name for m in branch.voters_on(day)}
    assert len(branch.voters_on(day)) == 10
    assert "黄丽" in {m.name for m in branch.voters_on(day + dt.timedelta(days=1))}


def test_member_stays_without_a_vote_until_a_late_conversion_meeting(tmp_path):
    # full_since is back-dated to 预备期满 (2025-06-25); the meeting deciding it is on 2025-07-10.
    moved = clean_files()[CONVERSION].replace("date: 2025-06-25", "date: 2025-07-10")
    root = make(tmp_path, files={CONVERSION: moved})
    branch = load_branch(root).branch
    assert branch.conversion_meetings() == {"黄丽": dt.date(2025, 7, 10)}
    assert "黄丽" not in {m.name for m in branch.voters_on(dt.date(2025, 7, 3))}
    assert "黄丽" in {m.name for m in branch.voters_on(dt.date(2025, 7, 11))}


def test_the_person_field_names_whom_a_conversion_is_about(tmp_path):
    root = make(
        tmp_path,
        edits=[
            (CONVERSION, "同意黄丽同志按期转为中共正式党员，党龄自2025年6月25日算起\n", "同意该同志按期转正\n    person: 黄丽\n")
        ],
    )
    assert load_branch(root).branch.conversion_meetings() == {"黄丽": dt.date(2025, 6, 25)}


@pytest.mark.parametrize(("votes_for", "failed"), [(5, True), (6, False)])
def test_conversion_vote_is_judged_against_ten_voters_not_eleven(tmp_path, votes_for, failed):
    root = make(tmp_path, edits=[(CONVERSION, VOTES_9, f"votes: {{for: {votes_for}, against: {9 - votes_for}, abstain: 0}}")])
    assert codes(root) == (["meeting.vote-failed"] if failed else [])


@pytest.mark.parametrize(("present", "quorum"), [(5, True), (6, False)])
def test_conversion_quorum_exactly_half_of_ten_is_not_enough(tmp_path, present, quorum):
    here = ["王建国", "陈志强", "刘芳", "周敏", "吴涛", "李晓梅"][:present]
    away = [n for n in ["王建国", "陈志强", "刘芳", "周敏", "吴涛", "李晓梅", "张伟", "赵磊", "林静", "郑凯"] if n not in here]
    attendance = f"attendees: [{', '.join([*here, '黄丽'])}]\nabsent:\n" + "".join(
        f"  - {{name: {n}, reason: 出差}}\n" for n in away
    )
    root = make(
        tmp_path,
        edits=[
            (CONVERSION, ALL_PRESENT_JUNE, attendance),
            (CONVERSION, VOTES_9, f"votes: {{for: {present}, against: 0, abstain: 0}}"),
        ],
    )
    found = codes(root)
    assert ("meeting.quorum" in found) is quorum
    assert "record.attendance" not in found  # 黄丽 is 应到 (a member) though not a voter


def test_person_admitted_is_not_expected_at_the_meeting_or_before_but_after(tmp_path):
    branch = load_branch(make(tmp_path)).branch
    admission = record(branch, ADMISSION)
    assert "孙悦" not in branch.expected_at(admission)
    assert len(branch.expected_at(admission)) == 10
    later = record(branch, "records/2025/2025-10-14-党小组会.yaml")
    assert "孙悦" in branch.expected_at(later)


def test_admission_minutes_and_sign_in_sheet_count_without_the_person_admitted(tmp_path):
    branch = load_branch(make(tmp_path)).branch
    admission = record(branch, ADMISSION)
    texts = [b.text for b in layout.minutes(branch, admission).blocks if isinstance(b, layout.Paragraph)]
    assert "应到：10 人，实到 9 人" in texts
    assert "有表决权的党员：应到 10 人，实到 9 人" in texts
    assert "另有到会（不计入应到）：孙悦" in texts
    assert not any(t.startswith("到会人员：") and "孙悦" in t for t in texts)
    sheet = layout.signin_sheet(branch, admission)
    assert "应到 10 人，实到 ________ 人" in [b.text for b in sheet.blocks if isinstance(b, layout.Paragraph)]
    tables = [b for b in sheet.blocks if isinstance(b, layout.Table)]
    signers = [row[1].text for row in tables[0].rows[1:]]
    sitting_in = [row[1].text for row in tables[1].rows[1:]]
    assert "孙悦" not in signers and len(signers) == 10
    assert sitting_in[:2] == ["张红（学院党委组织员）", "孙悦"]


def test_conversion_minutes_count_voters_without_the_member_converted(tmp_path):
    branch = load_branch(make(tmp_path)).branch
    texts = [b.text for b in layout.minutes(branch, record(branch, CONVERSION)).blocks if isinstance(b, layout.Paragraph)]
    assert "应到：11 人，实到 10 人" in texts  # 黄丽 is a member and present
    assert "有表决权的党员：应到 10 人，实到 9 人" in texts


# --- item 6: decisions only a 党员大会 may take ----------------------------------------------------


def test_commendation_decided_by_the_committee_is_reported(tmp_path):
    root = make(
        tmp_path,
        edits=[
            (
                COMMITTEE_JUNE,
                "  - text: 同意将黄丽同志转正事宜提交支部党员大会讨论\n    kind: 其他\n",
                "  - text: 表彰赵磊同志为优秀共产党员\n    kind: 表彰\n",
            )
        ],
    )
    assert codes(root) == ["meeting.decision-body"]


# --- item 9: elections ---------------------------------------------------------------------------


def _election(tmp_path, *, present: int, votes: int, ballots: str = "", kind: str = "选举", elected: str = ""):
    everyone = ["王建国", "陈志强", "刘芳", "吴涛", "李晓梅", "张伟", "赵磊", "郑凯", "林静", "周敏"]
    here, away = everyone[:present], everyone[present:]
    attendance = f"attendees: [{', '.join([*here, '黄丽'])}]\n" + (
        "absent:\n" + "".join(f"  - {{name: {n}, reason: 出差}}\n" for n in away) if away else ""
    )
    content = clean_files()[ELECTION]
    start = content.index("attendees:")
    content = content[:start] + attendance + content[content.index("topics:") :]
    content = content[: content.index("resolutions:")] + (
        f"resolutions:\n  - text: 选举赵磊同志为支部纪检委员\n    kind: {kind}\n{ballots}"
        f"    candidates:\n      - {{name: 赵磊, votes: {votes}{elected}}}\n"
    )
    return make(tmp_path, files={ELECTION: content})


@pytest.mark.parametrize(("present", "quorum"), [(8, True), (9, False), (10, False)])
def test_election_needs_more_than_four_fifths_present(tmp_path, present, quorum):
    root = _election(tmp_path, present=present, votes=present)
    assert codes(root) == (["meeting.quorum"] if quorum else [])


def test_by_election_is_an_election(tmp_path):
    root = _election(tmp_path, present=8, votes=8, kind="补选")
    found, result = findings(root)
    assert [c for c, _ in found] == ["meeting.quorum"]
    assert "五分之四" in result.findings[0].message


@pytest.mark.parametrize(("votes", "failed"), [(5, True), (6, False)])
def test_elected_needs_more_than_half_of_the_expected_electors(tmp_path, votes, failed):
    root = _election(tmp_path, present=10, votes=votes)
    assert findings(root)[0] == ([("meeting.vote-failed", "赵磊")] if failed else [])


def test_candidate_not_elected_is_not_judged(tmp_path):
    root = _election(tmp_path, present=10, votes=5, elected=", elected: false")
    assert codes(root) == []


@pytest.mark.parametrize(("returned", "expected"), [(9, []), (10, ["meeting.ballots"])])
def test_ballots_returned_may_not_exceed_those_issued(tmp_path, returned, expected):
    root = _election(tmp_path, present=10, votes=9, ballots=f"    ballots: {{issued: 9, returned: {returned}}}\n")
    assert codes(root) == expected


def test_ballots_issued_and_votes_may_not_exceed_the_electors_present(tmp_path):
    root = _election(tmp_path, present=9, votes=10, ballots="    ballots: {issued: 10, returned: 10}\n")
    found, result = findings(root)
    assert sorted(c for c, _ in found) == ["meeting.vote-count", "meeting.vote-count"]
    assert any("发出选票 10 张，多于到会的有表决权的党员 9 人" in f.message for f in result.findings)


# --- item 10: vote sanity ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("votes", "expected"),
    [("{for: 8, against: 1, abstain: 0}", []), ("{for: 8, against: 1, abstain: 1}", ["meeting.vote-count"])],
)
def test_votes_may_not_exceed_voters_present(tmp_path, votes, expected):
    root = make(tmp_path, edits=[(ADMISSION, VOTES_9, f"votes: {votes}")])  # 9 voters present, 刘芳 on sick leave
    assert codes(root) == expected


def test_written_opinion_of_the_absent_voter_counts_for_an_admission(tmp_path):
    root = make(tmp_path, edits=[(ADMISSION, VOTES_9, "votes: {for: 10, against: 0, abstain: 0, written: 1}")])
    assert codes(root) == []


def test_written_opinions_may_not_exceed_the_absent_voters(tmp_path):
    root = make(tmp_path, edits=[(ADMISSION, VOTES_9, "votes: {for: 10, against: 0, abstain: 0, written: 2}")])
    found, result = findings(root)
    assert [c for c, _ in found] == ["meeting.vote-count"]
    assert "书面意见 2 份，多于未到会的有表决权的党员 1 人" in result.findings[0].message


def test_written_opinions_do_not_count_for_other_resolutions(tmp_path):
    root = make(
        tmp_path,
        edits=[
            (
                ADMISSION,
                "    kind: 接收预备党员\n    " + VOTES_9,
                "    kind: 其他\n    votes: {for: 10, against: 0, abstain: 0, written: 1}",
            )
        ],
    )
    assert codes(root) == ["meeting.vote-count"]


def test_committee_votes_may_not_exceed_members_present(tmp_path):
    root = make(
        tmp_path,
        edits=[
            (
                COMMITTEE_JUNE,
                "    kind: 确定发展对象\n    votes: {for: 5, against: 0, abstain: 0}",
                "    kind: 确定发展对象\n    votes: {for: 5, against: 1, abstain: 0}",
            )
        ],
    )
    assert codes(root) == ["meeting.vote-count"]


# --- item 11: probation timing -------------------------------------------------------------------


def _admitted(admitted: str, full_since: str, *, ledger: bool = True):
    """黄丽's admission and conversion dates, in the roster and (unless told not to) the development ledger."""
    roster = (
        "members.yaml",
        "    admitted: 2024-06-25\n    full_since: 2025-06-25\n",
        f"    admitted: {admitted}\n    full_since: {full_since}\n",
    )
    book = (
        "development.yaml",
        "    admitted: 2024-06-25\n    full: 2025-06-25\n",
        f"    admitted: {admitted}\n    full: {full_since}\n",
    )
    return [roster, book] if ledger else [roster]


@pytest.mark.parametrize(("admitted", "late"), [("2024-05-25", False), ("2024-05-24", True)])
def test_conversion_discussed_more_than_a_month_after_probation_is_overdue_though_full_now(tmp_path, admitted, late):
    full_since = f"2025-{admitted[5:]}"
    root = make(tmp_path, edits=_admitted(admitted, full_since))
    assert findings(root)[0] == ([("member.probation-overdue", "黄丽")] if late else [])


def test_conversion_discussed_on_the_last_day_of_probation_is_on_time(tmp_path):
    assert codes(make(tmp_path)) == []  # admitted 2024-06-25, discussed 2025-06-25


def test_a_pack_may_shorten_the_discussion_window(tmp_path):
    pack = "pack: T-示例区\nlayer: T\ntitle: 示例区要求\nversion: 2026.1\nrules:\n  - code: member.probation-overdue\n    discuss_within_months: 0\n"
    moved = clean_files()[CONVERSION].replace("date: 2025-06-25", "date: 2025-06-26")
    root = make(
        tmp_path,
        files={"standards/T-示例区.yaml": pack, CONVERSION: moved},
        edits=[("zhibu.yaml", "standard:\n", "standard:\n  - standards/T-示例区.yaml\n")],
    )
    assert ("member.probation-overdue", "黄丽") in findings(root)[0]


@pytest.mark.parametrize(("full_since", "wrong"), [("2025-06-25", False), ("2025-06-26", True), ("2025-06-24", True)])
def test_full_since_is_the_end_of_probation(tmp_path, full_since, wrong):
    root = make(tmp_path, edits=_admitted("2024-06-25", full_since))
    assert ("member.full-since", "黄丽") in findings(root)[0] if wrong else findings(root)[0] == []


def test_full_since_after_a_recorded_extension_is_its_end(tmp_path):
    root = make(
        tmp_path,
        edits=[
            *_admitted("2024-01-10", "2025-06-25", ledger=False),
            (
                "development.yaml",
                "    admitted: 2024-06-25\n    full: 2025-06-25\n",
                "    admitted: 2024-01-10\n    full: {extended_to: 2025-06-25}\n",
            ),
        ],
    )
    found = findings(root)[0]
    assert ("member.full-since", "黄丽") not in found
    assert ("member.probation-overdue", "黄丽") not in found  # discussed on the extended end


EXTENSION_CASES = [("2027-04-11", True), ("2027-04-12", False), ("2027-10-12", False), ("2027-10-13", True)]


@pytest.mark.parametrize(("extended_to", "wrong"), EXTENSION_CASES)
def test_extension_is_at_least_six_months_and_at_most_a_year(tmp_path, extended_to, wrong):
    root = make(tmp_path, edits=[("development.yaml", "    full: null\n", f"    full: {{extended_to: {extended_to}}}\n")])
    found = findings(root, as_of=dt.date(2026, 11, 2))[0]
    assert found == ([("member.probation-extension", "孙悦")] if wrong else [])


MEETING_2026 = """type: 支部党员大会
date: {date}
place: 学院会议室
host: 王建国
recorder: 张伟
attendees: [王建国, 陈志强, 刘芳, 周敏, 孙悦, 李晓梅, 张伟, 赵磊, 黄丽, 郑凯, 林静]
topics:
  - 讨论孙悦同志预备党员转正
resolutions:
  - text: {text}
    kind: {kind}
    votes: {{for: 10, against: 0, abstain: 0}}
"""


def test_extension_decided_but_not_recorded_is_reported_instead_of_overdue(tmp_path):
    meeting = MEETING_2026.format(date="2026-10-16", text="同意延长孙悦同志预备期一年", kind="延长预备期")
    root = make(tmp_path, files={"records/2026/2026-10-16-支部党员大会.yaml": meeting})
    assert findings(root, as_of=dt.date(2026, 11, 2))[0] == [("member.probation-outcome", "孙悦")]
    recorded = make(
        tmp_path / "recorded",
        files={"records/2026/2026-10-16-支部党员大会.yaml": meeting},
        edits=[("development.yaml", "    full: null\n", "    full: {extended_to: 2027-10-12}\n")],
    )
    assert findings(recorded, as_of=dt.date(2026, 11, 2))[0] == []


def test_a_second_extension_is_reported(tmp_path):
    first = MEETING_2026.format(date="2026-10-16", text="同意延长孙悦同志预备期半年", kind="延长预备期")
    second = MEETING_2026.format(date="2027-04-16", text="同意再次延长孙悦同志预备期", kind="延长预备期")
    root = make(
        tmp_path,
        files={"records/2026/2026-10-16-支部党员大会.yaml": first, "records/2027/2027-04-16-支部党员大会.yaml": second},
        edits=[("development.yaml", "    full: null\n", "    full: {extended_to: 2027-04-12}\n")],
    )
    found = findings(root, as_of=dt.date(2027, 4, 20), year=2025)[0]
    assert ("member.probation-extension", "孙悦") in found


@pytest.mark.parametrize("left", [False, True])
def test_cancelled_probation_must_leave_the_roster(tmp_path, left):
    meeting = MEETING_2026.format(date="2026-10-16", text="取消孙悦同志预备党员资格", kind="取消预备党员资格")
    edits = (
        [
            (
                "members.yaml",
                "    joined: 2025-10-12\n",
                "    joined: 2025-10-12\n    left: {date: 2026-10-30, reason: 取消预备党员资格}\n",
            )
        ]
        if left
        else []
    )
    root = make(tmp_path, files={"records/2026/2026-10-16-支部党员大会.yaml": meeting}, edits=edits)
    found = findings(root, as_of=dt.date(2026, 11, 2))[0]
    assert found == ([] if left else [("member.probation-outcome", "孙悦")])


def test_election_recorded_with_votes_only_is_judged_by_them(tmp_path):
    content = clean_files()[ELECTION]
    content = content[: content.index("resolutions:")] + (
        "resolutions:\n  - text: 选举赵磊同志为支部纪检委员\n    kind: 选举\n    votes: {for: 5, against: 4, abstain: 0}\n"
    )
    assert codes(make(tmp_path, files={ELECTION: content})) == ["meeting.vote-failed"]


def test_election_minutes_show_ballots_and_votes_per_candidate(tmp_path):
    branch = load_branch(make(tmp_path)).branch
    texts = [b.text for b in layout.minutes(branch, record(branch, ELECTION)).blocks if isinstance(b, layout.Paragraph)]
    assert "1. 选举赵磊同志为支部纪检委员。发出选票 9 张，收回 9 张。得票：赵磊 9 票（当选）。" in texts


@pytest.mark.parametrize(("admitted", "early"), [("2024-06-25", False), ("2024-06-26", True)])
def test_conversion_may_be_discussed_on_the_day_probation_ends_but_not_before(tmp_path, admitted, early):
    root = make(tmp_path, edits=_admitted(admitted, f"2025-{admitted[5:]}"))
    assert findings(root)[0] == ([("member.conversion-early", "黄丽")] if early else [])


def test_development_ledger_and_roster_agree_on_the_conversion_date(tmp_path):
    root = make(tmp_path, edits=[("development.yaml", "    full: 2025-06-25\n", "    full: 2025-07-10\n")])
    found, result = findings(root)
    assert found == [("member.full-since", "黄丽")]
    assert result.findings[0].path == "development.yaml"
