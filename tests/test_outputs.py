"""One branch cannot break a committee's output (issue 11, item 4): names escaped for their format,
no formula from data in a spreadsheet or CSV, files that are not UTF-8 named, unique and bounded
report names, ``--format text -o``, and writers linear in the number of branches."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import functools
import io
import json
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLE, git, init_repo, record_text

from zhibu.model.redact import clean, dumps_clean, mask_personal_data, neutralise_formula, printable
from zhibu.render.checkup import MAX_NAME_BYTES, report_file_names

AS_OF = ["--as-of", "2026-12-31", "--year", "2026"]
FORMULAS = ["=1+2", '=HYPERLINK("http://evil.example/","点我")', "+SUM(1,2)", "-2+3", "@SUM(1)"]
LONG_NAME = "很长的支部目录名" * 10  # 80 characters, 240 bytes: with any suffix over the 255 a file name may have


# --- the masking and escaping functions --------------------------------------------------------


@pytest.mark.parametrize(
    "raw, masked",
    [
        ("身份证110101199003071234号", "身份证110*************34号"),
        ("11010119900307123X", "110*************3X"),
        ("旧证 110101900307123", "旧证 110**********23"),
        ("电话13812345678", "电话138******78"),
        ("Tel13812345678", "Tel138******78"),
        ("138 1234 5678", "138 **** **78"),
        ("+86 138-1234-5678", "+86 1**-****-**78"),
        ("010-62874591", "010-******91"),
        ("（0551）6287459", "（055*）*****59"),
        ("支部1101051988071634172026年", "支部110*****************26年"),
    ],
)
def test_personal_numbers_are_masked(raw, masked):
    assert mask_personal_data(raw) == masked
    assert mask_personal_data(masked) == masked  # idempotent: a string may pass two writers


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-05",
        "共 12 人，应到 9 人",
        "提交 3f2a9c1381234567890123456789abcdef012345",
        "d13812345678e",
        "1234567890",
        "第 2026030 号",
        # a witness line whose hash ends in digits, followed by the date: not "156 1227 2026"
        "5ea75b3e570c3f8dabb36f2ff4a7529ad1561227 2026-12-02T17:02:34+00:00 支部",
    ],
)
def test_ordinary_text_and_commit_hashes_are_left_alone(text):
    assert clean(text) == text


def test_undecodable_bytes_and_control_characters_become_escapes():
    assert printable("records/\udcff\udcfe.yaml") == "records/\\xff\\xfe.yaml"
    assert printable("a\x1b[31mb\x00\r") == "a\\x1b[31mb\\x00\\x0d"
    assert printable("两行\n\t缩进") == "两行\n\t缩进"
    assert json.loads(dumps_clean({"路径\udcff": ["\udce4", 1]})) == {"路径\\xff": ["\\xe4", 1]}


def test_csv_formula_cells_are_neutralised_as_owasp_recommends():
    for text in [*FORMULAS, "\tx", "\rx"]:
        assert neutralise_formula(text) == "'" + text
    assert neutralise_formula("王建国") == "王建国"


# --- report file names ----------------------------------------------------------------------


def test_report_names_are_unique_bounded_and_stable():
    roots = ["x", "x.git", "a/b", "a-b", "A", "a", LONG_NAME, LONG_NAME + "2", "镜像/样例.git", "院系/坏支部"]
    names = report_file_names(roots, "-2026年度体检报告.docx")
    assert len({n.casefold() for n in names.values()}) == len(roots)
    assert all(len(n.encode("utf-8")) <= MAX_NAME_BYTES + 40 for n in names.values())
    assert names["镜像/样例.git"] == "镜像-样例-2026年度体检报告.docx"  # a plain folder keeps its plain name
    assert names["院系/坏支部"] == "院系-坏支部-2026年度体检报告.docx"
    assert names["x"] != names["x.git"] and names["a/b"] != names["a-b"]
    assert report_file_names(list(reversed(roots)), "-2026年度体检报告.docx") == names
    odd = report_file_names(['a:b*?"<>|\\c', "\udcff", ".hidden", "13812345678"], ".docx")
    assert all(not set(n) & set(':*?"<>|\\') and not n.startswith(".") and "13812345678" not in n for n in odd.values())


# --- a committee's tree with hostile branches -----------------------------------------------


def commit_all(root: Path) -> None:
    init_repo(root)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "初始")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """x and x.git, a/b and a-b, a folder name of 80 characters, a file not named in UTF-8, formulas."""
    import shutil

    top = tmp_path_factory.mktemp("hostile") / "各支部"
    record = record_text(
        date="2026-03-05",
        host=json.dumps(FORMULAS[0]),
        absent=f"[{{name: {json.dumps(FORMULAS[1])}, reason: {json.dumps(FORMULAS[2])}}}]",
        topics=json.dumps([FORMULAS[3], FORMULAS[4]], ensure_ascii=False),
    )
    for rel in ("x", "a/b", "a-b", LONG_NAME):
        root = top / rel
        shutil.copytree(SAMPLE, root)
        (root / "records/2026").mkdir(parents=True, exist_ok=True)
        (root / "records/2026/2026-03-05-支部委员会.yaml").write_text(record, encoding="utf-8")
        (root / "records/2026").joinpath("\udcff\udcfe-坏名字.yaml").write_bytes(b"type: [\n")  # not UTF-8, and broken
        commit_all(root)
    subprocess.run(["git", "clone", "-q", "--mirror", str(top / "x"), str(top / "x.git")], check=True)
    return top


ROOTS = 5  # x, x.git, a/b, a-b and the long one


def sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("xl/worksheets/"))


def assert_no_formula_from_data(path: Path) -> None:
    from openpyxl import load_workbook

    assert "<f>" not in sheet_xml(path) and "<f " not in sheet_xml(path)
    book = load_workbook(path)
    seen = set()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value in FORMULAS:
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
                    seen.add(cell.value)
    return seen


def test_batch_check_outputs_survive_the_hostile_tree(hostile, run, tmp_path):
    from zhibu.committee.formats import FORMATS

    outputs = {}
    for output in FORMATS:  # every format of the table, so that a new one meets the hostile tree too
        target = tmp_path / f"结果{FORMATS[output].suffix}"
        result = run("batch", "check", hostile, *AS_OF, "--format", output, "-o", target, "-j", "2")
        assert result.exit_code == 1, (output, result.stderr)  # the branches have errors; nothing crashed
        assert target.stat().st_size > 0, output
        outputs[output] = target
        if not FORMATS[output].file_only:
            assert result.stdout == "", output  # -o means the file, standard output stays empty
    data = json.loads(outputs["json"].read_text(encoding="utf-8"))
    assert len(data["branches"]) == ROOTS and all(b["status"] != "unreadable" for b in data["branches"])
    paths = {f["path"] for b in data["branches"] for f in b["findings"]}
    assert "records/2026/\\xff\\xfe-坏名字.yaml" in paths  # the bytes shown, the JSON valid UTF-8
    lines = outputs["jsonl"].read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["root"] for line in lines] and len(lines) == ROOTS
    rows = list(csv.reader(io.StringIO(outputs["csv"].read_text(encoding="utf-8-sig"))))
    assert len(rows) - 1 == sum(len(b["findings"]) for b in data["branches"])  # nothing truncated
    assert all(len(row) == len(rows[0]) for row in rows)
    cells = {cell for row in rows for cell in row}
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) or (cell.startswith("-") and cell != "-") for cell in cells)
    assert any(cell.startswith("'=") for cell in cells)
    text = outputs["text"].read_text(encoding="utf-8")
    assert "共 5 个支部" in text and "问题最多的 5 个支部" in text
    assert assert_no_formula_from_data(outputs["xlsx"])  # some planted formula reached a cell, as text


def test_batch_report_writes_every_report_and_the_overview(hostile, run, tmp_path):
    out = tmp_path / "体检"
    result = run("batch", "report", hostile, "--out", out, *AS_OF, "-j", "2")
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in out.iterdir())
    reports = [n for n in names if n.endswith("体检报告.docx")]
    assert len(reports) == ROOTS, names  # x and x.git, a/b and a-b: each its own file
    assert "2026年度体检总览.docx" in names and "2026年度体检总览.xlsx" in names
    assert all(len(n.encode("utf-8")) <= 255 for n in names)
    assert f"已在 {out} 写入 5 份体检报告" in result.stdout
    assert_no_formula_from_data(out / "2026年度体检总览.xlsx")


def test_check_json_with_a_file_not_named_in_utf8(hostile, run):
    result = run("check", hostile / "x", *AS_OF, "--format", "json")
    data = json.loads(result.stdout)
    assert any(f["path"] == "records/2026/\\xff\\xfe-坏名字.yaml" for f in data["findings"])
    text = run("check", hostile / "x", *AS_OF)
    assert "records/2026/\\xff\\xfe-坏名字.yaml" in text.stdout


# --- writers are linear in branches ------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _sample_entry() -> dict:
    from zhibu.committee.batch import Target, check_target

    return check_target(Target(SAMPLE, "样例", "worktree"), dt.date(2025, 12, 31), 2025, rate=True)


def synthetic_entries(count: int, findings: int = 20) -> list[dict]:
    """``count`` rated batch entries like check_target's, each with ``findings`` findings (the sample's)."""
    base = copy.deepcopy(_sample_entry())
    base["findings"] = (base["findings"] * (1 + findings // len(base["findings"])))[:findings]
    entries = []
    for n in range(count):
        entry = copy.deepcopy(base)
        entry["root"] = f"院系{n % 37}/支部{n:05d}"
        entry["name"] = f"第{n}党支部"
        entry["rating"]["score"] = 60 + n % 40
        entries.append(entry)
    return entries


def best_of(runs: int, action) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def test_batch_writers_are_linear(tmp_path):
    """Four times the branches may cost at most eight times as long (linear ≈ 4, quadratic ≈ 16).

    The workbook of ``batch check --format xlsx`` and ``batch report`` (a row per branch and per
    finding) and the CSV; 80 and 320 branches of 20 findings. Before the fix (``ws.max_row`` per
    row) the ratio was about 12 at these sizes; ``benchmarks/batch.py`` times the whole commands.
    """
    from zhibu.committee.batch import summarise
    from zhibu.committee.formats import write_csv as _write_csv
    from zhibu.render.xlsx import write_batch_xlsx

    as_of = dt.date(2025, 12, 31)

    def writers(entries):
        def write():
            write_batch_xlsx(entries, summarise(entries), None, as_of, tmp_path / "总览.xlsx")
            _write_csv(io.StringIO(), entries)

        return write

    small, large = synthetic_entries(80), synthetic_entries(320)
    writers(small)()  # warm up imports and caches
    ratio = best_of(3, writers(large)) / best_of(3, writers(small))
    assert ratio < 8, f"320 branches took {ratio:.1f} times as long as 80"
