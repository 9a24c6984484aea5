"""Every character of a document reaches LibreOffice's PDF, and none hangs past the type area (issue 14).

A 、 or ， after a full 28-character line used to vanish from the PDF: LibreOffice hung it
past the right margin and often drew nothing (the demo's ledger lost 27 of its 652 、). The
built-in reference now turns LibreOffice's hanging punctuation off (``w:overflowPunct``, which
its DOCX import reads inverted; docs/documents.md, "网格与行末标点"), so the mark takes the
character before it to the next line.

One ``soffice`` call converts every document kind of the sample branch (plan, sign-in sheet,
minutes, ledger, check-up report, the committee's overview) and synthetic documents that end
lines with every Chinese punctuation mark at and near column 28. Each PDF is compared with its
.docx (the text of ``word/document.xml``, read with lxml): the same characters, whitespace
aside; for the synthetic body text, in the same order.
"""

from __future__ import annotations

import collections
import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLE
from lxml import etree
from test_pdf import POPPLER, pdf_pages, real_client, sample_documents  # noqa: F401 (a fixture)

from zhibu.render import docx as render_docx
from zhibu.render import layout
from zhibu.render.pdf import convert_to_pdf

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def libreoffice(test):
    return real_client(pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed")(test))


# The type area's right edge in PDF points: A4 210 mm less the 26 mm right margin.
RIGHT_EDGE = (210 - 26) * 72 / 25.4
PAGE_NUMBER = re.compile(r"^\s*—\s*\d+\s*—\s*$", re.M)

# Marks that may end a line but never start one, those that never end one, and pairs.
CLOSING = [
    "、",
    "，",
    "。",
    "；",
    "：",
    "！",
    "？",
    "）",
    "」",
    "』",
    "》",
    "〉",
    "】",
    "〕",
    "”",
    "’",
    "……",
    "——",
    "·",
    "。”",
    "）。",
    "？！",
    "》，",
]
OPENING = ["（", "「", "《", "“", "‘", "【"]
BASE = (
    "深入学习贯彻党的二十届四中全会精神扎实推进支部标准化规范化建设不断增强政治功能和组织功能"
    "引导党员在教书育人科学研究社会服务中当先锋作表率把支部建设成为坚强战斗堡垒"
)


def synthetic_body() -> tuple[layout.Paragraph, ...]:
    """Each mark after 27, 28 and 29 characters of an unindented line, and after 25, 26 and 27
    characters of an indented first line (two characters in) and 26 + 28 (its second line ends)."""
    blocks = []
    for mark in CLOSING + OPENING:
        for n in (27, 28, 29):
            blocks.append(layout.para(BASE[:n] + mark + BASE[n : n + 8], indent=False))
        for n in (25, 26, 27, 54):
            blocks.append(layout.para(BASE[:n] + mark + BASE[n : n + 8]))
    return tuple(blocks)


def synthetic_table() -> layout.Table:
    """Narrow cells of 12 pt text ending their lines with the marks."""
    rows = [(layout.Cell("序号", header=True), layout.Cell("内容", header=True))]
    for mark in CLOSING[:12]:
        for n in range(8, 18):
            rows.append((layout.Cell(str(n)), layout.Cell(BASE[:n] + mark + BASE[n : n + 4], align="left")))
    return layout.Table(widths=(15, 60), rows=tuple(rows), size=12)


def synthetic(blocks, kind: str = "会议记录") -> layout.Document:
    return layout.Document(kind=kind, title="行尾标点", author="测试", date=dt.date(2025, 1, 1), blocks=tuple(blocks))


def docx_text(path: Path) -> str:
    """The text of the document body, tables included, in document order."""
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    return "".join(t.text or "" for t in root.iter(f"{{{W}}}t"))


def table_header_texts(path: Path) -> list[str]:
    """The text of each table's repeated header rows (LibreOffice prints them again on every page)."""
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    out = []
    for tbl in root.iter(f"{{{W}}}tbl"):
        rows = [tr for tr in tbl.findall("w:tr", NS) if tr.find("w:trPr/w:tblHeader", NS) is not None]
        if rows:
            out.append("".join(t.text or "" for tr in rows for t in tr.iter(f"{{{W}}}t")))
    return out


def pdf_text(path: Path, layout_mode: bool = True) -> str:
    """pdftotext without the "— N —" page numbers. Layout mode keeps a hyphen that ends a line
    (the default mode drops it, joining "2025-12-" and "31")."""
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout_mode else []), str(path), "-"]
    text = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return PAGE_NUMBER.sub("", text)


def chars(text: str) -> str:
    return "".join(c for c in text if not c.isspace())


def word_right_edges(path: Path) -> list[tuple[float, str]]:
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [(float(x), word) for x, word in re.findall(r'xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', html)]


@pytest.fixture(scope="module")
def pdfs(request, tmp_path_factory):
    """Every document kind of the sample and the synthetic documents, converted in one soffice call."""
    from click.testing import CliRunner

    from zhibu.cli import cli

    root, paths = request.getfixturevalue("sample_documents")  # test_pdf's .docx of the four kinds
    base = tmp_path_factory.mktemp("text")
    docs = dict(paths)
    docs["checkup"] = base / "checkup.docx"
    result = CliRunner().invoke(
        cli, ["doc", "checkup", "--year", "2025", "--as-of", "2025-12-31", "-o", str(docs["checkup"]), "-C", str(root)]
    )
    assert result.exit_code == 0, result.stderr
    result = CliRunner().invoke(
        cli, ["batch", "report", str(root), "--out", str(base / "batch"), "-j", "1", "--as-of", "2025-12-31", "--year", "2025"]
    )
    assert result.exit_code == 0, result.stderr
    docs["overview"] = base / "batch" / "2025年度体检总览.docx"
    docs["body"] = render_docx.write_docx(synthetic(synthetic_body()), base / "body.docx")
    docs["table"] = render_docx.write_docx(synthetic([synthetic_table()]), base / "table.docx")
    # A branch reference copied from the built-in one and saved by Word with 允许标点溢出边界 unticked.
    branch = base / "branch"
    shutil.copytree(root, branch)
    (branch / "templates").mkdir(exist_ok=True)
    document = render_docx.open_base(None)
    normal = document.styles["Normal"].element.get_or_add_pPr()
    render_docx._ppr_child(normal, "w:overflowPunct").set(f"{{{W}}}val", "0")
    document.save(branch / "templates" / "reference.docx")
    docs["branch-reference"] = render_docx.write_docx(synthetic(synthetic_body()), base / "branch-reference.docx", branch)
    made = convert_to_pdf(list(docs.values()), base / "pdf")
    return {kind: (docs[kind], pdf) for kind, pdf in zip(docs, made)}


KINDS = ["plan", "signin", "minutes", "ledger", "checkup", "overview", "body", "table", "branch-reference"]


@libreoffice
@pytest.mark.parametrize("kind", KINDS)
def test_no_character_is_lost_or_added(pdfs, kind):
    source, pdf = pdfs[kind]
    wanted = collections.Counter(chars(docx_text(source)))
    printed = collections.Counter(chars(pdf_text(pdf)))
    lost = wanted - printed
    assert not lost, f"{kind}: missing from the PDF: {dict(lost)}"
    extra = printed - wanted
    for header in table_header_texts(source):  # a table's header rows, again on each following page
        header = collections.Counter(chars(header))
        while header and not header - extra:
            extra -= header
    assert not extra, f"{kind}: in the PDF but not in the .docx: {dict(extra)}"


@libreoffice
@pytest.mark.parametrize("kind", ["body", "branch-reference"])
def test_body_text_comes_out_in_order(pdfs, kind):
    source, pdf = pdfs[kind]
    assert chars(pdf_text(pdf, layout_mode=False)) == chars(docx_text(source))


@libreoffice
@pytest.mark.parametrize("kind", KINDS)
def test_nothing_hangs_past_the_type_area(pdfs, kind):
    _source, pdf = pdfs[kind]
    outside = [(x, word) for x, word in word_right_edges(pdf) if x > RIGHT_EDGE + 0.5]
    assert not outside, f"{kind}: past the right edge of the type area ({RIGHT_EDGE:.1f} pt): {outside[:5]}"


@libreoffice
def test_full_pages_keep_22_lines_of_28_characters(pdfs):
    # GB/T 9704-2012 §5.2.2: 22 lines a page, 28 characters a line. A mark that cannot start a
    # line takes the character before it along, which leaves that line at 27, spread to the edge.
    _source, pdf = pdfs["body"]
    pages = pdf_text(pdf).split("\f")
    pages = [[line for line in page.splitlines() if line.strip()] for page in pages if page.strip()]
    assert len(pages) == pdf_pages(pdf) > 2
    # Widow and orphan control (tests/test_pdf_pages.py) may move a two-line paragraph whole to
    # the next page, leaving 21; the grid itself holds 22 and never more.
    full = [len(page) for page in pages[:-1]]
    assert max(full) == 22 and min(full) >= 21, full
    widths = collections.Counter(len(chars(line)) for page in pages for line in page)
    assert max(widths) == 28 and widths[28] > 50 and widths[27] > 20, widths


def test_a_base_document_cannot_turn_hanging_punctuation_back_on(tmp_path):
    """A branch reference saying w:overflowPunct="0" (in LibreOffice: hang, and lose the mark) gets "1"."""
    branch = tmp_path / "branch"
    shutil.copytree(SAMPLE, branch, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    (branch / "templates").mkdir(exist_ok=True)
    document = render_docx.open_base(None)
    for style in ("Normal", "Heading 1"):
        ppr = document.styles[style].element.get_or_add_pPr()
        render_docx._ppr_child(ppr, "w:overflowPunct").set(f"{{{W}}}val", "0")
    letterhead = document.add_paragraph("中共测试学院委员会")._p.get_or_add_pPr()
    render_docx._ppr_child(letterhead, "w:overflowPunct").set(f"{{{W}}}val", "false")
    document.save(branch / "templates" / "reference.docx")
    out = render_docx.write_docx(synthetic(synthetic_body()[:3]), tmp_path / "out.docx", branch)
    with zipfile.ZipFile(out) as z:
        styles = etree.fromstring(z.read("word/styles.xml"))
        body = etree.fromstring(z.read("word/document.xml"))
    default = styles.find("w:docDefaults/w:pPrDefault/w:pPr/w:overflowPunct", NS)
    assert default is not None and default.get(f"{{{W}}}val") == "1"
    found = [e.get(f"{{{W}}}val") for part in (styles, body) for e in part.iter(f"{{{W}}}overflowPunct")]
    assert len(found) == 4 and set(found) == {"1"}, found
