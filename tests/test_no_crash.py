"""No value crashes a check (issue 11): each case the issue lists becomes a finding with its
file and line, or a note for history, never "内部错误"; committed once, it does not keep
``zhibu log`` crashing after the file is fixed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import SAMPLE, git, init_repo

AS_OF = ["--as-of", "2025-12-31", "--year", "2025"]
RECORD = "records/2025/2025-01-10-集中学习.yaml"
PACK = "standards/X-本支部.yaml"


def commit_all(root: Path, message: str = "更新", env: dict | None = None) -> str:
    git(root, "add", "-A")
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=root, check=True, env={**os.environ, **(env or {})})
    return git(root, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "支部"
    shutil.copytree(SAMPLE, root)
    init_repo(root)
    commit_all(root, "建立台账")
    return root


def edit(root: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def checked(run, root: Path) -> dict:
    result = run("check", "-C", root, *AS_OF, "--format", "json")
    assert "内部错误" not in result.output and "Traceback" not in result.output, result.output
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    assert not [f for f in data["findings"] if f["code"] == "internal.rule-crashed"]
    return data


def finding_at(data: dict, code: str, path: str) -> dict:
    found = [f for f in data["findings"] if f["code"] == code and f["path"] == path]
    assert found, f"no {code} in {path}: {[(f['code'], f['path']) for f in data['findings']]}"
    assert found[0]["line"], found[0]
    return found[0]


HUGE = "9" * 5000
VALUE_CASES = {
    # an integer of more than 4,300 digits, decimal and hex
    "huge-int": ("members.yaml", "admitted: 1998-06-20", f"admitted: {HUGE}", "format.bad-value"),
    "huge-hex": ("members.yaml", "admitted: 1998-06-20", "admitted: 0x" + "f" * 5000, "format.bad-value"),
    "huge-format": ("zhibu.yaml", "format: 1", f"format: {HUGE}", "format.bad-value"),
    # a dues amount of 10^400 (beyond any float)
    "dues-10e400": ("dues/2025.yaml", "amount: 540.00", "amount: 1" + "0" * 400, "format.bad-value"),
    # a map or list where a pack expects a word
    "pack-severity-map": (PACK, "severity: info", "severity: {a: 1}", "standard.bad-pack"),
    "pack-kind-map": (PACK, "kind: frequency", "kind: {x: 1}", "standard.bad-pack"),
    "pack-period-list": (PACK, "period: quarter", "period: [month]", "standard.bad-pack"),
    "pack-per-map": (PACK, "per: branch", "per: {branch: 1}", "standard.bad-pack"),
    "pack-type-map": (PACK, "type: 实践活动", "type: {实践活动: 1}", "standard.bad-pack"),
    "pack-override-list": (
        PACK,
        "rules:\n",
        "rules:\n  - {code: meeting.committee-monthly, severity: [error], period: {a: 1}}\n",
        "standard.bad-pack",
    ),
}


@pytest.mark.parametrize("case", sorted(VALUE_CASES))
def test_odd_values_are_findings_with_file_and_line(case, repo, run):
    rel, old, new, code = VALUE_CASES[case]
    edit(repo, rel, old, new)
    data = checked(run, repo) if rel != "zhibu.yaml" else None
    if rel == "zhibu.yaml":  # an unusable zhibu.yaml is exit 2 by design, still a finding with its line
        result = run("check", "-C", repo, *AS_OF, "--format", "json")
        assert result.exit_code == 2 and "内部错误" not in result.output
        data = json.loads(result.stdout)
    finding = finding_at(data, code, rel)
    assert len(finding["message"]) < 500  # a 5,000-digit value is shown by its ends
    commit_all(repo, "写错")
    edit(repo, rel, new, old)
    commit_all(repo, "改正")
    log = run("log", "-C", repo)
    assert log.exit_code == 0 and "内部错误" not in log.output, log.output
    member_log = run("log", "-C", repo, "--member", "王建国")
    assert member_log.exit_code == 0, member_log.output


def test_a_nul_is_a_chinese_finding_with_its_line(repo, run):
    path = repo / RECORD
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2][:4] + b"\x00" + lines[2][4:]
    path.write_bytes(b"\n".join(lines))
    finding = finding_at(checked(run, repo), "format.yaml-syntax", RECORD)
    assert finding["line"] == 3
    assert "空字符" in finding["message"] and "U+0000" in finding["message"] and "第 5 列" in finding["message"]


def test_other_control_characters_are_findings_too(repo, run):
    edit(repo, "members.yaml", "王建国", "王建\x07国")
    finding = finding_at(checked(run, repo), "format.yaml-syntax", "members.yaml")
    assert "U+0007" in finding["message"]


def test_control_characters_in_commit_message_and_author(repo, run):
    edit(repo, RECORD, "place: 学院会议室", "place: 学院报告厅")
    commit_all(repo, "改地点\x01并非新记录", env={"GIT_AUTHOR_NAME": "张\x01伟", "GIT_COMMITTER_NAME": "张\x01伟"})
    data = checked(run, repo)
    assert (
        data["summary"]["error"] == json.loads(run("check", "-C", SAMPLE, *AS_OF, "--format", "json").stdout)["summary"]["error"]
    )
    log = run("log", "-C", repo, RECORD)
    assert log.exit_code == 0 and "学院报告厅" in log.stdout, log.output
    signatures = run("audit", "signatures", "-C", repo)
    assert signatures.exit_code in (0, 1) and "Traceback" not in signatures.output, signatures.output
    assert "改地点\x01并非新记录" in signatures.stdout or "改地点" in signatures.stdout


def rewrite_head_zone(root: Path, zone: str) -> None:
    raw = subprocess.run(["git", "cat-file", "commit", "HEAD"], cwd=root, capture_output=True, check=True).stdout.decode()
    raw = re.sub(r"(\d+) [+-]\d{4}\n", rf"\1 {zone}\n", raw)
    sha = (
        subprocess.run(
            ["git", "hash-object", "-t", "commit", "-w", "--stdin", "--literally"],
            cwd=root,
            input=raw.encode(),
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .strip()
    )
    git(root, "update-ref", "HEAD", sha)


def test_a_commit_with_time_zone_plus_9999_is_a_note(repo, run):
    edit(repo, RECORD, "place: 学院会议室", "place: 学院报告厅")
    commit_all(repo, "改地点")
    rewrite_head_zone(repo, "+9999")
    data = checked(run, repo)
    assert any("时间无效" in note and "按 UTC 计" in note for note in data["notes"]), data["notes"]
    log = run("log", "-C", repo, RECORD)
    assert log.exit_code == 0 and "学院报告厅" in log.stdout
    signatures = run("audit", "signatures", "-C", repo)
    assert signatures.exit_code in (0, 1) and "Traceback" not in signatures.output, signatures.output


def test_a_close_tag_with_time_zone_plus_9999(repo, run):
    head = git(repo, "rev-parse", "HEAD")
    tag = f"object {head}\ntype commit\ntag zhibu/close/2025-01\ntagger 王建国 <w@example.org> 1738000000 +9999\n\n关账\x01说明\n"
    sha = (
        subprocess.run(
            ["git", "hash-object", "-t", "tag", "-w", "--stdin", "--literally"],
            cwd=repo,
            input=tag.encode(),
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .strip()
    )
    git(repo, "update-ref", "refs/tags/zhibu/close/2025-01", sha)
    edit(repo, RECORD, "place: 学院会议室", "place: 学院报告厅")
    commit_all(repo, "关账后修改")
    data = checked(run, repo)
    assert any(f["code"] == "audit.edited-after-close" for f in data["findings"])  # the tag is still read


def test_a_bare_mirror_with_odd_history_checks_in_batch(repo, run, tmp_path):
    edit(repo, RECORD, "place: 学院会议室", "place: 学院报告厅")
    commit_all(repo, "改\x01地点", env={"GIT_AUTHOR_NAME": "a\x01b"})
    rewrite_head_zone(repo, "-9999")
    top = tmp_path / "镜像"
    subprocess.run(["git", "clone", "-q", "--mirror", str(repo), str(top / "支部.git")], check=True)
    result = run("batch", "check", top, *AS_OF, "--format", "json", "-j", "1")
    entry = json.loads(result.stdout)["branches"][0]
    assert entry["status"] == "findings", entry.get("reason")
