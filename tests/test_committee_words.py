"""Documents for the higher committee speak its words (issue 14): the 体检报告, the 体检总览 and the
record book's 统计表 carry no rule codes, file paths, line numbers, field keys, pack ids, tool names
or ISO dates; layers are named in Chinese. ``zhibu check`` keeps its technical detail (tests/golden).

The overview's title is the committee's name on a line of its own above the subject, the name
shrunk until it fits one line, and its tables span the type area (156 mm); the real-LibreOffice test
measures both in the PDF.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import SAMPLE, git, init_repo
from test_pdf import POPPLER, real_client

from zhibu.committee.batch import Target, check_target, rating_of
from zhibu.examples import build, check_example, examples
from zhibu.render import layout
from zhibu.render.checkup import checkup, overview
from zhibu.render.wording import file_words, place, plain, problem
from zhibu.report.printer import to_json_data

AS_OF = dt.date(2025, 12, 31)
YEAR = 2025
COMMITTEE = "中共示例区教育工委"
LONG_COMMITTEE = "中共示例理工大学信息与通信工程学院机关委员会"  # 22 characters: wider than 二号 allows

# What a committee's document must not say (the brief's list, and the check's period labels).
SOFTWARE_WORDS = {
    "rule code": re.compile(r"[a-z]+\.[a-z-]+"),
    "file name": re.compile(r"\.ya?ml"),
    "tool name": re.compile(r"zhibu", re.I),
    "pack id": re.compile(r"（[BTX](?:）|-)"),
    "ISO date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "ISO month": re.compile(r"(?<![\d-])\d{4}-\d{2}(?![\d-])"),
    "period label": re.compile(r"\d{4}[QH]\d"),
    "line number": re.compile(r":\d+"),
}
# The only Latin words left: the standard's own titles of two format codes (文件不是有效的 YAML, UTF-8).
LATIN_IN_TITLES = {"YAML", "UTF"}


def software_words(text: str) -> dict[str, list[str]]:
    return {name: found for name, pattern in SOFTWARE_WORDS.items() if (found := pattern.findall(text))}


def docx_text(path: Path) -> str:
    """Every paragraph and table cell of a .docx as python-docx reads it (and the page header)."""
    from docx import Document

    document = Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines += [cell.text for cell in row.cells]
    for section in document.sections:
        lines += [p.text for p in section.header.paragraphs]
    return "\n".join(lines)


def description_text(blocks) -> str:
    lines = []
    for block in blocks:
        if isinstance(block, layout.Table):
            lines += [cell.text for row in block.rows for cell in row]
        elif isinstance(block, layout.Paragraph):
            lines.append(block.text)
    return "\n".join(lines)


def commit_all(root: Path) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "初始")


@pytest.fixture(scope="module")
def entries(tmp_path_factory):
    """Rated batch entries of the sample (a git work tree), the demo repository (its history has late
    records and edits) and a folder that is no branch, as ``zhibu batch report`` builds them."""
    from click.testing import CliRunner

    from zhibu.cli import cli

    base = tmp_path_factory.mktemp("committee")
    sample = base / "院系/计算机学院/教工第一支部"
    shutil.copytree(SAMPLE, sample, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    init_repo(sample)
    commit_all(sample)
    demo = base / "院系/示例/演示支部"
    result = CliRunner().invoke(cli, ["demo", str(demo)])
    assert result.exit_code == 0, result.stderr
    (base / "杂项/资料").mkdir(parents=True)
    made = [
        check_target(Target(root, root.relative_to(base).as_posix(), "worktree"), AS_OF, YEAR, rate=True)
        for root in (sample, demo)
    ]
    made.append(check_target(Target(base / "杂项/资料", "杂项/资料", "not-branch"), AS_OF, YEAR, rate=True))
    assert [e["status"] for e in made] == ["findings", "findings", "unreadable"]
    return made


@pytest.fixture(scope="module")
def documents(entries, tmp_path_factory):
    """The check-up reports and overviews as .docx: {name: path}."""
    from zhibu.render.docx import write_docx

    out = tmp_path_factory.mktemp("documents")
    paths = {}
    for entry in entries[:2]:
        name = f"checkup-{entry['root'].rsplit('/', 1)[-1]}"
        paths[name] = write_docx(checkup(entry, AS_OF, YEAR), out / f"{name}.docx")
    paths["overview"] = write_docx(overview(entries, AS_OF, YEAR, COMMITTEE), out / "overview.docx")
    paths["overview-long"] = write_docx(overview(entries, AS_OF, YEAR, LONG_COMMITTEE), out / "overview-long.docx")
    return paths


# --- the words -------------------------------------------------------------------------------


def test_checkup_and_overview_of_the_sample_and_the_demo_carry_no_software_words(entries, documents):
    # the check itself still says it the technical way, which is what the documents translate
    technical = "\n".join(f["message"] + f"{f['path']}:{f['line']}" for e in entries[:2] for f in e["findings"] if f["path"])
    assert software_words(technical)
    texts = {name: docx_text(path) for name, path in documents.items()}
    for name, text in texts.items():
        assert software_words(text) == {}, name
    report = texts["checkup-教工第一支部"]
    assert "检查范围：2025年1月1日至2025年12月31日，检查日期：2025年12月31日。" in report
    assert "依据：全市基本标准、本支部特色要求。" in report
    assert "评分方案：党支部评星定级（默认方案，2026.1版）。" in report
    assert "无法从记录判断：支部基本信息中没有登记党员活动阵地。" in report
    # the problem in plain words, and the record it is in instead of path:line
    assert "缺席人员郑凯没有写明原因" in report and "2025年8月29日主题党日记录" in report
    for name in ("overview", "overview-long"):
        assert "2025年度，截至2025年12月31日，共 3 个支部" in texts[name]
        assert "杂项/资料：不是支部仓库" in texts[name]


def test_every_finding_of_every_rule_reads_as_the_committee_reads_it(tmp_path):
    # One example branch per finding code (data/examples.yaml): each finding's wording in the
    # check-up report, and the whole report of that branch.
    seen = set()
    for code in sorted(examples()):
        built = build(code, tmp_path / code)
        result = check_example(code, built)
        data = to_json_data(result, code)
        entry = {
            "root": code,
            "name": data["branch"]["name"],
            "status": "findings",
            "summary": data["summary"],
            "findings": data["findings"],
            "standard": data["standard"],
            **rating_of(result, data["findings"]),
        }
        for finding in data["findings"]:
            seen.add(finding["code"])
            words = f"{problem(finding)}\n{place(finding)}"
            assert problem(finding) and place(finding), finding
            assert software_words(words) == {}, (finding, words)
            assert set(re.findall(r"[A-Za-z]+", words)) <= LATIN_IN_TITLES, (finding, words)
        text = description_text(checkup(entry, AS_OF, YEAR).blocks)
        assert software_words(text) == {}, (code, text)
    assert seen >= set(examples())


@pytest.mark.parametrize(
    ("finding", "words", "where"),
    [
        # a message without software words stays, its dates in Chinese and the spaces around names gone
        (
            {
                "code": "audit.late-record",
                "message": "支部党员大会 2025-09-18 的记录于 2025-11-20 才由 张伟 首次提交，比会议晚 63 天。",
                "path": "records/2025/2025-09-18-支部党员大会.yaml",
                "line": 1,
                "period": "2025-09",
                "subject": None,
            },
            "支部党员大会2025年9月18日的记录于2025年11月20日才由张伟首次提交，比会议晚 63 天。",
            "2025年9月18日支部党员大会记录",
        ),
        # field keys become their labels
        (
            {
                "code": "record.attendance",
                "message": "应到人员 黄丽 既不在 attendees 中，也不在 absent 中",
                "path": "records/2025/2025-11-13-党课.yaml",
                "line": 7,
                "period": "2025-11",
                "subject": "黄丽",
            },
            "应到人员黄丽既不在到会人员中，也不在缺席人员及原因中",
            "2025年11月13日党课记录",
        ),
        # what cannot be said without the software's words is said by the standard's title and whom it concerns
        (
            {
                "code": "member.full-since",
                "message": "黄丽 2024-06-25 入党……在 development.yaml 中记录 full: {extended_to: 日期}。",
                "path": "members.yaml",
                "line": 72,
                "period": None,
                "subject": "黄丽",
            },
            "转正日期不是预备期满之日（黄丽）",
            "党员名册",
        ),
        (
            {
                "code": "standard.waiver-expired",
                "message": "meeting.org-life-yearly 在 2024 的例外已于 2025-01-31 过期，不再豁免。",
                "path": "waivers.yaml",
                "line": 7,
                "period": "2024",
                "subject": None,
            },
            "例外登记已过期",
            "经批准的例外",
        ),
        # no file: the period in Chinese
        (
            {
                "code": "meeting.general-quarterly",
                "message": "2025Q3 未召开支部党员大会（标准：支部党员大会一般每季度召开1次）。",
                "path": None,
                "line": None,
                "period": "2025Q3",
                "subject": None,
            },
            "2025年第三季度未召开支部党员大会（标准：支部党员大会一般每季度召开1次）。",
            "2025年第三季度",
        ),
        # a plan item's id is left out, its topic stays
        (
            {
                "code": "plan.item-not-done",
                "message": "计划条目 2025-07-活动-2 “赴西柏坡开展党性教育”（活动）在2025年7月没有对应记录。",
                "path": "plans/2025.yaml",
                "line": 115,
                "period": "2025-07",
                "subject": None,
            },
            "计划条目“赴西柏坡开展党性教育”（活动）在2025年7月没有对应记录。",
            "2025年度计划（一表）",
        ),
    ],
)
def test_a_finding_in_committee_words(finding, words, where):
    assert (problem(finding), place(finding)) == (words, where)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("records/2025/2025-03-20-支部党员大会+党课-2.yaml", "2025年3月20日支部党员大会暨党课记录"),
        ("records/2026/坏.yaml", "会议记录“坏”"),
        ("dues/2025.yaml", "2025年党费台账"),
        ("talks/2025.yaml", "2025年谈心谈话登记"),
        ("plans/2025.yaml", "2025年度计划（一表）"),
        ("zhibu.yaml", "支部基本信息"),
        ("committee.yaml", "支部委员会名单"),
        ("development.yaml", "发展党员台账"),
        ("standards/X-本支部.yaml", "支部执行的规则包"),
    ],
)
def test_files_are_named_as_registers(path, name):
    assert file_words(path) == name


def test_rating_texts_from_the_scheme_are_translated():
    # data/rating.yaml says where the information is missing the way a secretary fixes it
    assert plain("无法从记录判断：没有本年度的党费台账（dues/<年>.yaml）。") == "无法从记录判断：没有本年度的党费台账。"
    assert plain("党支部评星定级（zhibu 默认方案）") == "党支部评星定级（默认方案）"
    assert plain("书记自 2025-12-10 起空缺（2025-12-31）。") == "书记自2025年12月10日起空缺（2025年12月31日）。"


def test_a_scheme_set_by_a_t_pack_says_so(entries):
    entry = {
        **entries[0],
        "rating": {**entries[0]["rating"], "scheme": "示例区评星方案", "set_by": "T-区"},
        "standard": [{"pack": "B", "layer": "B"}, {"pack": "T-区", "layer": "T"}, {"pack": "X-本支部", "layer": "X"}],
    }
    text = description_text(checkup(entry, AS_OF, YEAR).blocks)
    assert "依据：全市基本标准、上级要求、本支部特色要求。评分方案：示例区评星方案（2026.1版，上级党组织规定）。" in text
    assert software_words(text) == {}


# --- the ledger's statistics ---------------------------------------------------------------------


T_PACK = """\
pack: T-示例区教育工委
layer: T
title: 示例区教育工委党支部工作特色要求
version: 2026.1
rules:
  - code: meeting.committee-monthly
    min: 2
"""


def statistics_section(document) -> list:
    """The ledger's blocks from the 统计表's title to the first record."""
    blocks = list(document.blocks)
    start = next(i for i, b in enumerate(blocks) if isinstance(b, layout.Paragraph) and b.text.endswith("年度组织生活统计表"))
    end = next(i for i in range(start, len(blocks)) if isinstance(blocks[i], layout.PageBreak))
    return blocks[start:end]


def test_the_ledgers_statistics_name_the_standards_in_chinese(tmp_path):
    from zhibu.format.load import load_branch
    from zhibu.standard.layers import build_standard

    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    (root / "standards/T-示例区教育工委.yaml").write_text(T_PACK, encoding="utf-8")
    config = (root / "zhibu.yaml").read_text(encoding="utf-8")
    (root / "zhibu.yaml").write_text(
        config.replace("standard:\n", "standard:\n  - standards/T-示例区教育工委.yaml\n"), encoding="utf-8"
    )
    branch = load_branch(root).branch
    rules = build_standard(branch).rules
    assert rules["meeting.committee-monthly"].pack == "T-示例区教育工委"  # the T pack tightened it
    section = statistics_section(layout.ledger(branch, rules, YEAR))
    text = description_text(section)
    assert software_words(text) == {}, text
    table = next(b for b in section if isinstance(b, layout.Table))
    standard = {row[0].text: row[-1].text for row in table.rows[1:]}
    assert standard["支部委员会"] == "每月至少2次（上级要求）"
    assert standard["支部党员大会"] == "每季度至少1次"  # the 全市基本标准 goes without saying
    assert standard["实践活动"] == "每季度至少1次（本支部特色要求）"
    note = next(b.text for b in section if isinstance(b, layout.Paragraph) and b.text.startswith("注："))
    assert "计数方法与体检报告相同" in note and "未注明的是全市基本标准的要求" in note
    assert "注明“上级要求”的出自《示例区教育工委党支部工作特色要求》" in note
    assert "注明“本支部特色要求”的出自《计算机学院教工第一党支部工作特色要求》" in note


# --- the overview's layout -------------------------------------------------------------------------


TYPE_AREA_MM = 156.0


def table_widths_mm(path: Path) -> list[float]:
    """Each table's width as the .docx states it (w:tblW, twips)."""
    from docx import Document
    from docx.oxml.ns import qn

    widths = []
    for table in Document(str(path)).tables:
        tblw = table._tbl.tblPr.find(qn("w:tblW"))
        widths.append(int(tblw.get(qn("w:w"))) / 1440 * 25.4)
    return widths


def test_every_table_of_the_committees_documents_is_the_type_area_wide(documents):
    for name, path in documents.items():
        widths = table_widths_mm(path)
        assert widths and all(abs(w - TYPE_AREA_MM) < 0.1 for w in widths), (name, widths)


def test_the_overview_title_is_the_committee_then_the_subject(entries, documents):
    from docx import Document

    for name, committee in (("overview", COMMITTEE), ("overview-long", LONG_COMMITTEE)):
        paragraphs = Document(str(documents[name])).paragraphs
        assert [p.text for p in paragraphs[:2]] == [committee, "2025年度党支部建设体检总览"]
        assert all(p.style.name == "Title" for p in paragraphs[:2])
    short, long = (overview(entries, AS_OF, YEAR, c).blocks[0] for c in (COMMITTEE, LONG_COMMITTEE))
    assert short.size is None  # 二号, the style's size
    assert long.size is not None and len(LONG_COMMITTEE) * long.size <= TYPE_AREA_MM / 25.4 * 72
    untitled = overview(entries, AS_OF, YEAR).blocks
    assert untitled[0].text == "2025年度党支部建设体检总览" and untitled[1].style == "body"


# --- measured in LibreOffice's PDF -----------------------------------------------------------------


MM = 72 / 25.4
LEFT, RIGHT = 28 * MM, (210 - 26) * MM  # the type area's edges in points (GB/T 9704 margins)


@pytest.fixture(scope="module")
def pdfs(documents, tmp_path_factory):
    """The overviews and one check-up report through LibreOffice, in one soffice call."""
    from zhibu.render.pdf import convert_to_pdf

    names = ["overview", "overview-long", "checkup-教工第一支部"]
    made = convert_to_pdf([documents[n] for n in names], tmp_path_factory.mktemp("pdf"))
    return dict(zip(names, made))


def pdf_lines(pdf: Path, page: int = 1) -> list[tuple[str, float, float, float]]:
    """(text, xMin, xMax, yMin) of every line poppler finds on a page."""
    html = subprocess.run(
        ["pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    lines = []
    for box, body in re.findall(r'<line (xMin="[^>]*)>(.*?)</line>', html, re.S):
        x0, y0, x1 = (float(v) for v in re.findall(r'(?:xMin|yMin|xMax)="([\d.]+)"', box)[:3])
        lines.append(("".join(re.findall(r"<word[^>]*>([^<]*)</word>", body)), x0, x1, y0))
    return lines


def first_rule(pdf: Path, dpi: int = 144) -> tuple[float, float, float]:
    """(left, right, top) in points of the first long horizontal line on page 1 (a table's top border),
    from a grey raster of the page."""
    with_prefix = pdf.with_name(pdf.stem + "-raster")
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", "1", "-l", "1", str(pdf), str(with_prefix)], check=True)
    raster = next(pdf.parent.glob(f"{with_prefix.name}*.pgm"))
    data = raster.read_bytes()
    magic, width, height, _depth, pixels = re.match(rb"(P5)\s+(\d+)\s+(\d+)\s+(\d+)\s(.*)", data, re.S).groups()
    width, height = int(width), int(height)
    top = round(37 * MM / 72 * dpi)  # below the top margin (a page header may have a rule of its own)
    for y in range(top, height):
        row = pixels[y * width : (y + 1) * width]
        dark = [x for x in range(width) if row[x] < 128]
        if len(dark) > width / 2 and dark[-1] - dark[0] + 1 <= len(dark) + 2:  # one unbroken run
            return dark[0] * 72 / dpi, (dark[-1] + 1) * 72 / dpi, y * 72 / dpi
    raise AssertionError(f"no horizontal rule on the first page of {pdf.name}")


@real_client
@pytest.mark.skipif(not POPPLER or shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
def test_the_overview_title_keeps_to_its_lines_and_the_first_table_spans_the_type_area(pdfs):
    for name, committee in (("overview", COMMITTEE), ("overview-long", LONG_COMMITTEE)):
        lines = pdf_lines(pdfs[name])
        texts = [t for t, *_ in lines]
        # the committee's name on one line, the subject on the next: no break inside either
        assert committee in texts and "2025年度党支部建设体检总览" in texts, (name, texts[:4])
        assert texts.index("2025年度党支部建设体检总览") == texts.index(committee) + 1
        _text, x0, x1, _y = lines[texts.index(committee)]
        assert LEFT - 1 <= x0 and x1 <= RIGHT + 1, (name, x0, x1, LEFT, RIGHT)
        left, right, _top = first_rule(pdfs[name])
        assert abs(left - LEFT) < 1.5 and abs(right - RIGHT) < 1.5, (name, left / MM, right / MM)
    left, right, _top = first_rule(pdfs["checkup-教工第一支部"])
    assert abs(left - LEFT) < 1.5 and abs(right - RIGHT) < 1.5, (left / MM, right / MM)
