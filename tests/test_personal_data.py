"""No ID or phone number planted in a branch comes out of any output, in any format (issue 11).

One branch carries an ID number and a mobile number (and a landline) in every field it controls:
member names, the host, topics, content, an absent member's reason, a waiver reason, a record's
file name, the branch's name and short name, a commit message and its author, and the folders a
committee's batch finds it in (a work tree and a bare mirror). Every output is then searched, as
bytes and (for .docx and .xlsx) in every XML part of the zip and through python-docx/openpyxl,
for the whole number and for its middle digits: none may appear.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import DEFAULT_COMMITTEE, DEFAULTS, git, init_repo

ID = "110105198807163417"
MOBILE = "15937164208"
MOBILE_SPACED = "159 3716 4208"
LANDLINE = "010-62874591"
# What must never appear: each whole number, and the digits that masking hides.
FORBIDDEN = [ID, MOBILE, LANDLINE, ID[3:-2], MOBILE[3:-2], "62874591"[:6], MOBILE_SPACED]

AS_OF = ["--as-of", "2026-12-31", "--year", "2026"]

MEMBERS = (
    DEFAULTS["members.yaml"]
    + f"""\
  - name: "{ID}"
    status: 正式党员
    admitted: 2010-06-20
    full_since: 2011-06-20
    joined: 2015-09-01
    group: 第一党小组
  - name: 周{MOBILE}
    status: 正式党员
    admitted: 2011-06-20
    full_since: 2012-06-20
    joined: 2016-09-01
    group: 第二党小组
    phone: {MOBILE}
"""
)

ZHIBU = f"""\
format: 1
name: 中共测试大学{MOBILE}支部委员会
short_name: 支部{ID}
parent: 中共测试大学委员会（电话 {LANDLINE}）
category: 高校
groups: [第一党小组, 第二党小组]
"""

RECORD = f"""\
type: 支部委员会
date: 2026-03-05
place: 会议室（联系 {MOBILE_SPACED}）
host: "{ID}"
recorder: 李晓梅
attendees: [王建国, 李晓梅, "{ID}", 赵{MOBILE}]
absent:
  - {{name: 陈志强, reason: 出差，手机 {MOBILE}，身份证 {ID}}}
topics:
  - 研究{MOBILE}号议题
  - 身份证号 {ID}
content: |
  联系电话 {LANDLINE}，手机 +86 {MOBILE_SPACED}。
  {ID}
"""

WAIVERS = f"""\
waivers:
  - code: meeting.committee-monthly
    period: 2026-01
    reason: 经批准合并召开，联系人手机 {MOBILE}，证件 {ID}
    approved_by: 中共测试大学委员会
    approved: 2026-01-05
"""


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """A git work tree with the numbers everywhere, inside a folder named with them, and its bare mirror."""
    top = tmp_path_factory.mktemp("planted") / "各支部"
    root = top / f"支部{MOBILE}"
    files = {
        "zhibu.yaml": ZHIBU,
        "members.yaml": MEMBERS,
        "committee.yaml": DEFAULT_COMMITTEE,
        "waivers.yaml": WAIVERS,
        "records/2026/2026-03-05-支部委员会.yaml": RECORD,
        f"records/2026/2026-04-08-{MOBILE}.yaml": RECORD.replace("2026-03-05", "2026-04-08"),
        f"records/2026/{ID}.yaml": RECORD.replace("2026-03-05", "2026-05-08"),
        f"attachments/{MOBILE}-{ID}.txt": "附件",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    init_repo(root)
    git(root, "add", "-A")
    git(
        root,
        "-c",
        f"user.name=书记{MOBILE}",
        "-c",
        f"user.email={MOBILE}@example.org",
        "commit",
        "-q",
        "-m",
        f"新建支部，身份证 {ID}，手机 {MOBILE}",
    )
    (root / "records/2026/2026-03-05-支部委员会.yaml").write_text(RECORD + f"# 改 {MOBILE}\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "-c", f"user.name={ID}", "-c", "user.email=x@example.org", "commit", "-q", "-m", f"修改 {LANDLINE}")
    subprocess.run(["git", "clone", "-q", "--mirror", str(root), str(top / f"镜像/{ID}.git")], check=True)
    return top, root


def leaks(data: bytes | str) -> list[str]:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return [n for n in FORBIDDEN if n in text]


def file_leaks(path: Path) -> list[str]:
    """Leaks in a file: its name, its bytes and, for Office files, every zip part and the parsed text."""
    found = leaks(path.name) + leaks(path.read_bytes())
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as archive:
            for part in archive.namelist():
                found += [f"{part}: {n}" for n in leaks(archive.read(part))]
    if path.suffix == ".docx":
        from docx import Document

        document = Document(str(path))
        texts = [p.text for p in document.paragraphs]
        texts += [c.text for t in document.tables for row in t.rows for c in row.cells]
        props = document.core_properties
        texts += [props.title or "", props.author or "", props.comments or ""]
        found += leaks("\n".join(texts))
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path)
        values = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
        found += leaks("\n".join(values))
    return found


def assert_clean(result, *files: Path) -> None:
    problems = {"stdout": leaks(result.stdout), "stderr": leaks(result.stderr)}
    for path in files:
        problems[str(path)] = file_leaks(path)
    assert not any(problems.values()), {k: v for k, v in problems.items() if v}


def test_the_planted_numbers_reach_the_branch(planted):
    """The test means something: the numbers are in the files, the names and the history."""
    _top, root = planted
    assert ID in (root / "members.yaml").read_text(encoding="utf-8")
    assert any(MOBILE in p.name for p in (root / "records/2026").iterdir())
    assert ID in git(root, "log", "--format=%an %s")


def test_check_text_and_json(planted, run):
    _top, root = planted
    text = run("check", root, *AS_OF)
    assert text.exit_code in (0, 1), text.stderr
    assert "format.personal-data" in text.stdout and "110*************17" in text.stdout  # masked, still reported
    assert_clean(text)
    data = run("check", root, *AS_OF, "--format", "json")
    assert json.loads(data.stdout)["findings"]
    assert_clean(data)
    assert_clean(run("check", root, *AS_OF, "--sources"))


def test_batch_check_every_format(planted, run, tmp_path):
    from zhibu.committee.formats import FORMATS

    top, _root = planted
    for output, fmt in FORMATS.items():  # every format of the table
        target = tmp_path / f"out{fmt.suffix}"
        result = run("batch", "check", top, *AS_OF, "--format", output, "-o", target, "-j", "2")
        assert result.exit_code in (0, 1), result.stderr
        assert target.stat().st_size > 200, output
        assert_clean(result, target)
        if not fmt.file_only:
            assert_clean(run("batch", "check", top, *AS_OF, "--format", output, "-j", "1", "--worst", "50"))


def test_batch_rate_and_report(planted, run, tmp_path):
    top, _root = planted
    for args in ([], ["--format", "json"], ["--explain", f"支部{MOBILE}"], ["--explain", f"镜像/{ID}.git"]):
        result = run("batch", "rate", top, *AS_OF, "-j", "2", *args)
        assert result.exit_code == 0, result.stderr
        assert_clean(result)
    out = tmp_path / "体检"
    result = run("batch", "report", top, "--out", out, *AS_OF, "-j", "2", "--committee", f"工委{MOBILE}")
    assert result.exit_code == 0, result.stderr
    written = sorted(out.iterdir())
    assert len(written) == 4  # two reports (work tree and mirror), the overview's .docx and .xlsx
    assert_clean(result, *written)


def test_log_and_audit(planted, run, tmp_path):
    _top, root = planted
    witness = tmp_path / "见证.txt"
    result = run("audit", "witness", "-C", root, "--append", witness)
    assert result.exit_code == 0, result.stderr
    assert_clean(result, witness)
    assert git(root, "rev-parse", "HEAD") in witness.read_text(encoding="utf-8")  # the hash itself is kept
    for args in ([], ["2026-03-05"], ["--member", ID], ["--member", f"周{MOBILE}"]):
        result = run("log", "-C", root, *args)
        assert result.exit_code == 0, result.stderr
        assert result.stdout.strip()
        assert_clean(result)
    assert_clean(run("audit", "signatures", "-C", root))


def test_documents(planted, run, tmp_path):
    _top, root = planted
    made = []
    for kind, args in (
        ("minutes", ["2026-03-05"]),
        ("signin", ["2026-03-05"]),
        ("ledger", ["--year", "2026", "--xlsx"]),
        ("checkup", ["--year", "2026", "--as-of", "2026-12-31"]),
    ):
        path = tmp_path / f"{kind}.docx"
        result = run("doc", kind, *args, "-o", path, "-C", root)
        assert result.exit_code == 0, (kind, result.stderr)
        made.append(path)
        assert_clean(result, path)
    assert_clean(run("meeting", "list", "-C", root), tmp_path / "ledger.xlsx")


def test_listing_commands(planted, run):
    _top, root = planted
    for args in (["member", "list"], ["meeting", "show", "2026-03-05"], ["committee", "show"], ["due", "--as-of", "2026-03-01"]):
        result = run(*args, "-C", root)
        assert_clean(result)


def test_a_copy_of_the_branch_outside_git_too(planted, run, tmp_path):
    """The same outputs from a plain folder (no git), where nothing comes from history."""
    _top, root = planted
    plain = tmp_path / f"副本{ID}"
    shutil.copytree(root, plain, ignore=shutil.ignore_patterns(".git"))
    result = run("batch", "check", tmp_path, *AS_OF, "--format", "csv")
    assert plain.name.replace(ID, "") in result.stdout
    assert_clean(result)
