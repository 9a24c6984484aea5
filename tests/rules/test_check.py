"""zhibu check over the clean sample year: period boundaries, layering, waivers, determinism."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from zhibu.check import check_branch
from zhibu.cli import cli
from zhibu.examples import clean_files, write_clean_variant
from zhibu.model.findings import Severity
from zhibu.report.printer import to_json

END_2025 = dt.date(2025, 12, 31)
COMMITTEE_APRIL = "records/2025/2025-04-09-支部委员会.yaml"
LECTURE_SEPT = "records/2025/2025-09-11-党课.yaml"


def make(tmp_path: Path, *, edits=(), files=None, remove=(), name="branch") -> Path:
    """The clean sample year with text replacements, added/replaced files and removals."""
    return write_clean_variant(tmp_path / name, edits=edits, files=files, remove=remove)


def codes(result, severity: Severity | None = None) -> list[tuple[str, str | None, str | None]]:
    return [(f.code, f.period, f.subject) for f in result.findings if severity is None or f.severity >= severity]


def check(root: Path, as_of=END_2025, year=2025):
    return check_branch(root, as_of=as_of, year=year, strict=True)


# --- the "done when" -----------------------------------------------------------


def test_missing_april_committee_and_q3_lecture_give_exactly_those_two(tmp_path):
    sept = clean_files()[LECTURE_SEPT]
    study = sept.replace("type: 党课", "type: 集中学习").replace("lecturer: 刘志远（示例大学马克思主义学院教授）\n", "")
    root = make(
        tmp_path,
        remove=[COMMITTEE_APRIL, LECTURE_SEPT],
        files={"records/2025/2025-09-11-集中学习.yaml": study},
        edits=[("plans/2025.yaml", "    type: 党课\n    date: 2025-09-11", "    type: 集中学习\n    date: 2025-09-11")],
    )
    result = check(root)
    assert codes(result) == [
        ("meeting.committee-monthly", "2025-04", None),
        ("meeting.lecture-quarterly", "2025Q3", None),
    ]
    assert result.exit_code == 0  # both are warnings: 一般 rules


def test_t_pack_raising_a_rule_to_error_changes_severity_and_exit_status(tmp_path):
    pack = "pack: T-示例区\nlayer: T\ntitle: 示例区要求\nversion: 2026.1\nrules:\n  - code: meeting.committee-monthly\n    severity: error\n"
    root = make(
        tmp_path,
        remove=[COMMITTEE_APRIL],
        files={"standards/T-示例区.yaml": pack},
        edits=[("zhibu.yaml", "standard:\n", "standard:\n  - standards/T-示例区.yaml\n")],
    )
    result = check(root)
    [finding] = result.findings
    assert (finding.code, finding.severity, finding.layer, finding.pack) == (
        "meeting.committee-monthly",
        Severity.ERROR,
        "T",
        "T-示例区",
    )
    assert result.exit_code == 1
    assert [p.pack for p in result.standard.packs] == ["B", "T-示例区", "X-本支部"]


# --- period boundaries -------------------------------------------------------------------


def test_meeting_on_the_last_day_of_a_quarter_counts_for_that_quarter(tmp_path):
    moved = clean_files()[LECTURE_SEPT].replace("date: 2025-09-11", "date: 2025-09-30")
    root = make(tmp_path, remove=[LECTURE_SEPT], files={"records/2025/2025-09-30-党课.yaml": moved})
    assert codes(check(root)) == []


def test_meeting_the_day_after_a_quarter_does_not_count_for_it(tmp_path):
    moved = clean_files()[LECTURE_SEPT].replace("date: 2025-09-11", "date: 2025-10-01")
    root = make(tmp_path, remove=[LECTURE_SEPT], files={"records/2025/2025-10-01-党课.yaml": moved})
    found = codes(check(root))
    assert ("meeting.lecture-quarterly", "2025Q3", None) in found


def test_a_period_not_ended_on_the_as_of_date_is_not_judged(tmp_path):
    root = make(tmp_path, remove=[LECTURE_SEPT])
    assert ("meeting.lecture-quarterly", "2025Q3", None) not in codes(check(root, as_of=dt.date(2025, 9, 29)))
    assert ("meeting.lecture-quarterly", "2025Q3", None) in codes(check(root, as_of=dt.date(2025, 9, 30)))


def test_group_created_mid_year_is_judged_only_from_its_first_whole_month(tmp_path):
    # 郑凯 moves to a new 第三党小组 set up on 2025-07-01 and nobody holds its meetings.
    root = make(
        tmp_path,
        edits=[
            (
                "zhibu.yaml",
                "groups: [第一党小组, 第二党小组]",
                "groups: [第一党小组, 第二党小组, {name: 第三党小组, since: 2025-07-01}]",
            ),
        ],
    )
    members = (root / "members.yaml").read_text(encoding="utf-8")
    start = members.index("name: 郑凯")
    end = members.index("group:", start)
    line_end = members.index("\n", end)
    (root / "members.yaml").write_text(members[:end] + "group: 第三党小组" + members[line_end:], encoding="utf-8")
    found = [(c, p) for c, p, s in codes(check(root)) if c == "meeting.group-monthly" and s == "第三党小组"]
    assert found == [(c, f"2025-{m:02d}") for c, m in (("meeting.group-monthly", m) for m in range(7, 13))]


def test_committee_elected_mid_year_is_judged_from_its_first_whole_month(tmp_path):
    # A branch whose committee was elected on 2025-06-20 and held no meetings.
    committee = "terms:\n  - elected: 2025-06-20\n    members:\n      - {name: 王建国, role: 书记, approved: 2025-07-01}\n      - {name: 张伟, role: 组织委员}\n      - {name: 陈志强, role: 宣传委员}\n      - {name: 赵磊, role: 纪检委员}\n"
    root = make(tmp_path, files={"committee.yaml": committee})
    for rel in list((root / "records/2025").glob("*支部委员会*.yaml")):
        rel.unlink()
    months = [p for c, p, _s in codes(check(root)) if c == "meeting.committee-monthly"]
    assert months == [f"2025-{m:02d}" for m in range(7, 13)]


def test_member_who_joined_mid_month_is_not_judged_for_that_month(tmp_path):
    pack = (
        "pack: X-谈话\nlayer: X\ntitle: 谈话\nversion: 1\nrules:\n"
        "  - {code: X.monthly-talk, kind: frequency, type: 谈心谈话, per: member, period: month, min: 1, severity: info, title: 每月谈话}\n"
    )
    root = make(
        tmp_path,
        files={"standards/X-谈话.yaml": pack},
        edits=[("zhibu.yaml", "  - standards/X-本支部.yaml\n", "  - standards/X-本支部.yaml\n  - standards/X-谈话.yaml\n")],
    )
    months = {p for c, p, s in codes(check(root)) if c == "X.monthly-talk" and s == "林静"}
    # 林静 joined on 2025-03-10: March is not a whole month of membership.
    assert "2025-03" not in months and "2025-02" not in months
    assert "2025-05" in months


# --- layering ------------------------------------------------------------------------------


def _with_pack(tmp_path, body: str, layer: str = "T", name: str = "T-区", extra_edits=()):
    pack = f"pack: {name}\nlayer: {layer}\ntitle: 测试\nversion: 1\nrules:\n{body}"
    return make(
        tmp_path,
        files={f"standards/{name}.yaml": pack},
        edits=[("zhibu.yaml", "standard:\n", f"standard:\n  - standards/{name}.yaml\n"), *extra_edits],
        name=name,
    )


def test_pack_adds_a_frequency_rule(tmp_path):
    root = _with_pack(
        tmp_path,
        "  - code: T.talk-twice-yearly\n    kind: frequency\n    title: 谈心谈话每年不少于2次\n    type: 谈心谈话\n"
        "    per: member\n    period: year\n    min: 3\n    severity: warning\n    source: 示例区教育工委〔2025〕3号\n",
    )
    result = check(root)
    # Judged: members counted for at least half the year: 吴涛 (left 2025-07-15) and 林静 (joined
    # 2025-03-10) too, but not 孙悦, admitted on 2025-10-12 (issue 12, item 5).
    assert {f.subject for f in result.findings} == {"周敏", "郑凯", "黄丽", "吴涛", "林静"}
    assert all(f.code == "T.talk-twice-yearly" and f.layer == "T" and f.pack == "T-区" for f in result.findings)
    assert all(f.source == "示例区教育工委〔2025〕3号" and f.period == "2025" for f in result.findings)


@pytest.mark.parametrize(
    "override",
    [
        "  - {code: meeting.theme-day-monthly, severity: warning}\n",
        "  - {code: meeting.general-quarterly, period: year}\n",
        "  - {code: meeting.committee-monthly, min: 0}\n",
        "  - {code: meeting.committee-monthly, enabled: false}\n",
        "  - {code: org.committee-roles, roles: [组织委员]}\n",
        "  - {code: meeting.committee-monthly, type: 党小组会}\n",
    ],
)
def test_loosening_is_reported_and_ignored(tmp_path, override):
    root = _with_pack(tmp_path, override, extra_edits=[])
    result = check(root)
    assert [f.code for f in result.findings] == ["standard.weakens-baseline"]
    assert result.findings[0].path == "standards/T-区.yaml" and result.findings[0].line == 6
    code = override.split("code: ")[1].split(",")[0]
    assert result.standard.rules[code].pack == "B"  # unchanged


def test_tightening_period_applies(tmp_path):
    root = _with_pack(tmp_path, "  - {code: meeting.general-quarterly, period: month}\n")
    months = [f.period for f in check(root).findings if f.code == "meeting.general-quarterly"]
    assert months and all(len(m) == 7 for m in months)  # judged monthly now


def test_x_cannot_loosen_t(tmp_path):
    t_pack = "pack: T-区\nlayer: T\ntitle: t\nversion: 1\nrules:\n  - {code: meeting.committee-monthly, severity: error}\n"
    x_pack = "pack: X-支部\nlayer: X\ntitle: x\nversion: 1\nrules:\n  - {code: meeting.committee-monthly, severity: warning}\n"
    root = make(
        tmp_path,
        remove=[COMMITTEE_APRIL],
        files={"standards/T-区.yaml": t_pack, "standards/X-支部.yaml": x_pack},
        edits=[("zhibu.yaml", "standard:\n", "standard:\n  - standards/T-区.yaml\n  - standards/X-支部.yaml\n")],
    )
    result = check(root)
    found = {(f.code, f.severity, f.pack) for f in result.findings}
    assert ("meeting.committee-monthly", Severity.ERROR, "T-区") in found
    assert ("standard.weakens-baseline", Severity.ERROR, "B") in found


@pytest.mark.parametrize(
    "body, fragment",
    [
        ("  - {code: T.x, kind: magic, min: 1}\n", "种类"),
        ("  - {code: meeting.comittee-monthly, severity: error}\n", "meeting.committee-monthly"),
        ("  - {code: T.x, kind: frequency, per: branch, period: month}\n", "缺少参数 min"),
        ("  - {code: T.x, kind: frequency, type: 开会, per: branch, period: month, min: 1}\n", "不是记录类型"),
    ],
)
def test_bad_rules_are_bad_pack_findings(tmp_path, body, fragment):
    result = check(_with_pack(tmp_path, body))
    [finding] = result.findings
    assert finding.code == "standard.bad-pack"
    assert fragment in finding.message + finding.hint


def test_missing_and_broken_packs_are_findings_not_crashes(tmp_path):
    root = make(
        tmp_path,
        edits=[("zhibu.yaml", "standard:\n", "standard:\n  - standards/T-不存在.yaml\n  - standards/T-坏.yaml\n")],
        files={"standards/T-坏.yaml": "pack: [\n"},
    )
    found = sorted(f.code for f in check(root).findings)
    assert found == ["format.yaml-syntax", "standard.bad-pack", "standard.bad-pack"]


# --- waivers -------------------------------------------------------------------------------


def _waiver(period: str, expires: str | None = None) -> str:
    text = f"waivers:\n  - code: meeting.committee-monthly\n    period: {period}\n    reason: 春节\n    approved_by: 上级\n    approved: 2025-02-05\n"
    return text + (f"    expires: {expires}\n" if expires else "")


def test_quarter_waiver_covers_a_month_of_it(tmp_path):
    root = make(
        tmp_path,
        remove=[COMMITTEE_APRIL],
        files={"waivers.yaml": _waiver("2025Q2") + _waiver("2025-02").replace("waivers:\n", "")},
    )
    result = check(root)
    assert result.findings == []
    assert sorted(f.period for f, _w in result.waived) == ["2025-02", "2025-04"]


def test_waiver_for_the_wrong_period_waives_nothing(tmp_path):
    root = make(tmp_path, remove=[COMMITTEE_APRIL])
    result = check(root)
    assert codes(result) == [("meeting.committee-monthly", "2025-04", None)]
    assert [f.period for f, _w in result.waived] == ["2025-02"]


def test_expired_waiver_is_reported_and_no_longer_waives(tmp_path):
    root = make(tmp_path, files={"waivers.yaml": _waiver("2025-02", "2025-06-30")})
    result = check(root)
    assert sorted(codes(result)) == [("meeting.committee-monthly", "2025-02", None), ("standard.waiver-expired", "2025-02", None)]
    assert result.waived == []


# --- output --------------------------------------------------------------------------------


def test_json_shape_and_determinism_after_shuffling_files(tmp_path, monkeypatch):
    content = clean_files()
    content.pop(COMMITTEE_APRIL)
    outputs = []
    for seed in (1, 2):
        items = list(content.items())
        random.Random(seed).shuffle(items)
        root = tmp_path / f"copy{seed}"
        for rel, text in items:  # creation order differs, so directory listing order may too
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        monkeypatch.chdir(root)
        outputs.append(to_json(check(root), "."))
    assert outputs[0] == outputs[1]
    data = json.loads(outputs[0])
    assert list(data) == ["zhibu", "branch", "as_of", "range", "standard", "summary", "findings", "waived", "notes"]
    assert data["notes"] == ["不是 git 仓库（或还没有提交）：未检查留痕（audit.*）。"]
    assert data["range"] == {"from": "2025-01-01", "to": "2025-12-31"}
    assert data["summary"] == {"error": 0, "warning": 1, "info": 0, "waived": 1}
    assert list(data["findings"][0]) == [
        "code",
        "severity",
        "layer",
        "pack",
        "period",
        "path",
        "line",
        "subject",
        "message",
        "hint",
        "source",
    ]
    assert data["waived"][0]["waiver"]["reason"].startswith("春节")


def test_cli_check_exit_codes_and_formats(tmp_path):
    runner = CliRunner()
    clean = make(tmp_path, name="clean")
    ok = runner.invoke(cli, ["check", str(clean), "--as-of", "2025-12-31", "--year", "2025"])
    assert ok.exit_code == 0, ok.output
    assert "通过：0 个错误" in ok.stdout
    broken = make(tmp_path, name="broken", remove=["records/2025/2025-03-28-主题党日.yaml"])
    bad = runner.invoke(cli, ["check", "-C", str(broken), "--as-of", "2025-12-31", "--year", "2025", "--format", "json"])
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["summary"]["error"] == 1
    nowhere = runner.invoke(cli, ["check", str(tmp_path / "nothing")])
    assert nowhere.exit_code == 2 and "zhibu.yaml" in nowhere.stderr
    sources = runner.invoke(cli, ["check", str(broken), "--as-of", "2025-12-31", "--year", "2025", "--sources"])
    assert "依据（B）：《中国共产党支部工作条例（试行）》" in sources.stdout


def test_unusable_config_exits_2(tmp_path):
    root = make(tmp_path, edits=[("zhibu.yaml", "category: 高校", "category: 大学")])
    result = CliRunner().invoke(cli, ["check", str(root), "--as-of", "2025-12-31"])
    assert result.exit_code == 2
    assert "zhibu.yaml" in result.stderr


def test_months_before_the_first_record_are_unknown_not_inactive(tmp_path):
    # 周敏 misses every meeting of January 2025, the first month the branch has records for.
    january = [
        "records/2025/2025-01-10-集中学习.yaml",
        "records/2025/2025-01-14-党小组会.yaml",
        "records/2025/2025-01-31-主题党日.yaml",
    ]
    content = clean_files()
    edits = []
    for path in january:
        text = content[path]
        edits.append((path, "周敏, ", ""))
        edits.append(
            (path, "absent:\n", "absent:\n  - {name: 周敏, reason: 病假}\n")
            if "absent:\n" in text
            else (path, "topics:", "absent:\n  - {name: 周敏, reason: 病假}\ntopics:")
        )
    root = make(tmp_path, edits=edits)
    assert [c for c in codes(check(root)) if c[0].startswith("member.")] == []
