"""zhibu batch check / sync over a mixed tree of repositories."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import SAMPLE, git, init_repo

from zhibu.committee.batch import Target, check_target, discover, run_batch

AS_OF = ["--as-of", "2025-12-31", "--year", "2025"]


def commit_all(root: Path, message: str = "初始") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


@pytest.fixture
def tree(tmp_path, make_branch):
    """院系/计算机学院/教工第一支部 (the sample, a git work tree), 院系/数学学院/坏支部 (broken),
    杂项/notbranch (a git repo without zhibu.yaml), 杂项/资料 (a plain folder), 镜像/样例.git (a bare mirror)."""
    top = tmp_path / "tree"
    good = top / "院系/计算机学院/教工第一支部"
    shutil.copytree(SAMPLE, good)
    init_repo(good)
    commit_all(good)
    bad = top / "院系/数学学院/坏支部"
    shutil.copytree(make_branch({"records/2026/坏.yaml": "type: [支委会\n"}), bad)
    other = top / "杂项/notbranch"
    other.mkdir(parents=True)
    init_repo(other)
    (top / "杂项/资料").mkdir(parents=True)
    (top / "杂项/资料/说明.txt").write_text("不是仓库", encoding="utf-8")
    subprocess.run(["git", "clone", "-q", "--mirror", str(good), str(top / "镜像/样例.git")], check=True)
    return top


def test_discovery_finds_work_trees_mirrors_and_non_branches(tree):
    found = [(t.label, t.kind) for t in discover([tree])]
    assert found == [  # sorted by label, as Python sorts text (by code point)
        ("杂项/notbranch", "not-branch"),
        ("镜像/样例.git", "bare"),
        ("院系/数学学院/坏支部", "worktree"),
        ("院系/计算机学院/教工第一支部", "worktree"),
    ]


def test_mixed_tree_statuses_and_exit_code(tree, run):
    result = run("batch", "check", tree, *AS_OF, "--format", "json", "-j", "2")
    assert result.exit_code == 1  # the broken branch has errors
    data = json.loads(result.stdout)
    statuses = {b["root"]: b["status"] for b in data["branches"]}
    assert statuses == {
        "杂项/notbranch": "unreadable",
        "院系/数学学院/坏支部": "findings",
        "院系/计算机学院/教工第一支部": "findings",
        "镜像/样例.git": "findings",
    }
    assert data["summary"]["branches"] == 4 and data["summary"]["unreadable"] == 1
    reason = next(b["reason"] for b in data["branches"] if b["root"] == "杂项/notbranch")
    assert "zhibu.yaml" in reason


def test_batch_findings_equal_single_checks(tree, run, monkeypatch):
    data = json.loads(run("batch", "check", tree, *AS_OF, "--format", "json", "-j", "2").stdout)
    for root in ("院系/数学学院/坏支部", "院系/计算机学院/教工第一支部"):
        single = run("check", tree / root, *AS_OF, "--format", "json")
        entry = next(b for b in data["branches"] if b["root"] == root)
        assert entry["findings"] == json.loads(single.stdout)["findings"]
        assert entry["summary"] == json.loads(single.stdout)["summary"]
    # the mirror, read from git objects, says what its work tree says
    mirror = next(b for b in data["branches"] if b["root"] == "镜像/样例.git")
    work = next(b for b in data["branches"] if b["root"] == "院系/计算机学院/教工第一支部")
    assert [f["code"] for f in mirror["findings"]] == [f["code"] for f in work["findings"]]


def test_jsonl_streams_one_branch_per_line(tree, run):
    result = run("batch", "check", tree, *AS_OF, "--format", "jsonl", "-j", "1")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 4 and all({"root", "status", "summary", "findings"} <= set(line) for line in lines)


def test_csv_has_one_row_per_finding_with_the_branch_first(tree, run):
    result = run("batch", "check", tree, *AS_OF, "--format", "csv", "-j", "1")
    assert result.stdout.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert rows[0][:4] == ["支部目录", "支部名称", "状态", "规则码"]
    assert any(r[0] == "杂项/notbranch" and r[2] == "unreadable" for r in rows[1:])
    bad = [r for r in rows[1:] if r[0] == "院系/数学学院/坏支部"]
    assert bad and all(r[3] for r in bad)


def crash_on_bad_branch(target: Target, as_of, year, **options):
    """A worker that dies hard on one branch, as a crash in a C library would."""
    if "坏支部" in target.label:
        os._exit(3)
    return check_target(target, as_of, year, **options)


def test_a_worker_that_dies_costs_only_its_branch(tree):
    results = []
    run_batch(
        discover([tree]), as_of=dt.date(2025, 12, 31), year=2025, jobs=2, on_result=results.append, worker=crash_on_bad_branch
    )
    statuses = {r["root"]: r["status"] for r in results}
    assert len(results) == 4 and statuses["院系/数学学院/坏支部"] == "unreadable"
    assert statuses["院系/计算机学院/教工第一支部"] == "findings"
    reason = next(r["reason"] for r in results if r["root"] == "院系/数学学院/坏支部")
    assert "异常退出" in reason


def test_manifest_reports_missing_unregistered_and_wrong_pack(tree, run, tmp_path):
    manifest = tmp_path / "登记表.yaml"
    manifest.write_text(
        "committee: 中共示例区教育工委\npack: T-示例区教育工委\nbranches:\n"
        "  - {name: 计算机学院教工第一党支部, path: 院系/计算机学院/教工第一支部, pack: X-本支部}\n"
        "  - {name: 数学学院支部, path: 院系/数学学院/坏支部}\n"
        "  - {name: 物理学院支部, path: 院系/物理学院/支部}\n",
        encoding="utf-8",
    )
    data = json.loads(run("batch", "check", tree, *AS_OF, "--format", "json", "--manifest", manifest, "-j", "1").stdout)
    registry = data["registry"]
    assert registry["missing"] == [{"name": "物理学院支部", "path": "院系/物理学院/支部"}]
    assert [u["root"] for u in registry["unregistered"]] == ["杂项/notbranch", "镜像/样例.git"]
    assert [w["name"] for w in registry["wrong_pack"]] == ["数学学院支部"]  # the sample uses X-本支部 as required


def test_sync_clones_then_fetches_mirrors_and_reports_a_failure(tree, run, tmp_path):
    source = tree / "院系/计算机学院/教工第一支部"
    manifest = tmp_path / "登记表.yaml"
    manifest.write_text(
        f'branches:\n  - {{name: 计算机学院教工第一党支部, url: "{source.as_uri()}"}}\n'
        f'  - {{name: 不存在, url: "{(tmp_path / "nowhere").as_uri()}"}}\n',
        encoding="utf-8",
    )
    dest = tmp_path / "镜像"
    first = run("batch", "sync", manifest, "--dest", dest)
    assert first.exit_code == 1 and "不存在" in first.stderr
    mirror = dest / "计算机学院教工第一党支部.git"
    assert (mirror / "HEAD").is_file() and not (mirror / "zhibu.yaml").exists()  # bare: nothing checked out
    (source / "records/2025/2025-12-30-其他.yaml").write_text(
        "type: 其他\ndate: 2025-12-30\nplace: 会议室\nhost: 王建国\nrecorder: 张伟\nattendees: [王建国]\ntopics: [整理档案]\n",
        encoding="utf-8",
    )
    commit_all(source, "新记录")
    again = run("batch", "sync", manifest, "--dest", dest)
    assert "完成" in again.stdout
    assert git(mirror, "rev-parse", "HEAD") == git(source, "rev-parse", "HEAD")
    checked = json.loads(run("batch", "check", dest, *AS_OF, "--format", "json", "-j", "1").stdout)
    assert [b["status"] for b in checked["branches"]] == ["findings"]


def test_no_branch_found_is_exit_2(run, tmp_path):
    (tmp_path / "空").mkdir()
    result = run("batch", "check", tmp_path / "空")
    assert result.exit_code == 2 and "没有找到支部仓库" in result.stderr


def test_batch_is_deterministic(tree, run):
    a = run("batch", "check", tree, *AS_OF, "--format", "json", "-j", "2").stdout
    b = run("batch", "check", tree, *AS_OF, "--format", "json", "-j", "1").stdout
    assert a == b


def test_xlsx_has_the_documented_sheets_and_columns(tree, run, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "结果.xlsx"
    result = run("batch", "check", tree, *AS_OF, "--format", "xlsx", "-o", out, "-j", "1")
    assert result.exit_code == 1 and out.exists()
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "问题"]
    summary = wb["汇总"]
    assert [c.value for c in summary[1]][:6] == ["支部目录", "支部名称", "状态", "错误", "警告", "提示"]
    assert summary.max_row == 1 + 4
    problems = wb["问题"]
    assert [c.value for c in problems[1]][:4] == ["支部目录", "支部名称", "规则码", "级别"]
    data = json.loads(run("batch", "check", tree, *AS_OF, "--format", "json", "-j", "1").stdout)
    assert problems.max_row - 1 == sum(len(b["findings"]) for b in data["branches"])
    again = tmp_path / "再次.xlsx"
    run("batch", "check", tree, *AS_OF, "--format", "xlsx", "-o", again, "-j", "1")
    assert again.read_bytes() == out.read_bytes()  # reproducible


def test_report_writes_a_checkup_per_branch_and_the_overviews(tree, run, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    out = tmp_path / "体检"
    result = run("batch", "report", tree, "--out", out, *AS_OF, "--committee", "中共示例区教育工委", "-j", "2")
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "2025年度体检总览.docx",
        "2025年度体检总览.xlsx",
        "镜像-样例-2025年度体检报告.docx",
        "院系-数学学院-坏支部-2025年度体检报告.docx",
        "院系-计算机学院-教工第一支部-2025年度体检报告.docx",
    ]
    report = Document(str(out / "院系-数学学院-坏支部-2025年度体检报告.docx"))
    text = "\n".join(p.text for p in report.paragraphs)
    assert "一、评星定级" in text and "二、风险提示" in text and "四、整改清单" in text
    headers = [[c.text for c in t.rows[0].cells] for t in report.tables]
    assert ["序号", "问题", "整改措施", "责任人", "时限"] in headers
    wb = load_workbook(out / "2025年度体检总览.xlsx")
    assert wb.sheetnames == ["汇总", "问题", "风险提示"]
    assert wb["汇总"]["H2"].value is not None  # scores


def test_the_format_choices_and_their_help_come_from_the_table(run):
    from zhibu.committee.formats import FORMATS

    result = run("batch", "check", "--help")
    assert result.exit_code == 0
    assert f"--format [{'|'.join(FORMATS)}]" in result.stdout
    for fmt in FORMATS.values():
        assert f"{fmt.name:<7}{fmt.title}" in result.stdout
        assert fmt.suffix.startswith(".") and fmt.title
    assert [f.name for f in FORMATS.values() if f.streams] == ["jsonl"]
    # a format that writes a file itself says so when -o is missing
    for fmt in (f for f in FORMATS.values() if f.file_only):
        result = run("batch", "check", ".", "--format", fmt.name)
        assert result.exit_code == 2 and f"{fmt.name} 格式需要用 -o 指定输出文件。" in result.stderr
