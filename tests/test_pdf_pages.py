"""Pagination, measured in LibreOffice's PDF: what ends up on each page of every document kind.

Every document of the demo branch (the year's plan, the sign-in sheet and the minutes of every
record, the ledger, the check-up report and the committee's overview) is converted in one
``soffice`` call and read back page by page with ``pdftotext -layout`` (the "— N —" page number
left out). The keep rules of docs/documents.md (分页) must hold on paper:

- no page holds only signature lines (主持人（签字）/记录人（签字）) or only headings;
- a minutes record's signature lines are on the page of the last line of the paragraph before them;
- no paragraph leaves its last line alone at the top of a page or its first line alone at the foot;
- no page but a cover and a document's last holds fewer than MIN_LINES lines of text.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from test_pdf import POPPLER, real_client

from zhibu.render import layout

# The smallest page the keep rules leave in a document that goes on: a record's last page in
# the ledger holds at least the last line of its final paragraph and the two signature lines
# (a broken paragraph leaves two lines, a heading keeps with its first). Any other page before
# the last is full but for what a keep moved on (a heading with its text, a table kept whole).
# Before the keep rules, 21 of the demo ledger's 104 pages held one or two signature lines only.
MIN_LINES = 3
YEAR = 2025
AS_OF = dt.date(2025, 12, 31)

FOOTER = re.compile(r"^—\s*\d+\s*—$")
SIGNATURE = "（签字）"
HEADING_STYLES = ("title", "heading1", "heading2")


def flat(text: str) -> str:
    """Text without white space: pdftotext -layout spaces out digits and Latin runs in Chinese text."""
    return re.sub(r"\s+", "", text)


def pdf_page_lines(pdf: Path) -> list[list[str]]:
    """The non-empty lines of each page, without the page number."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return [[flat(line) for line in page.splitlines() if line.strip() and not FOOTER.match(line.strip())] for page in pages]


@pytest.fixture(scope="module")
def demo_documents(tmp_path_factory):
    """name -> (description, lines of each PDF page) for every document of the demo branch."""
    from click.testing import CliRunner

    from zhibu.cli import cli
    from zhibu.committee.batch import Target, check_target
    from zhibu.format.load import load_branch
    from zhibu.render.checkup import checkup, overview
    from zhibu.render.docx import write_docx
    from zhibu.render.pdf import convert_to_pdf
    from zhibu.standard.layers import build_standard

    base = tmp_path_factory.mktemp("pages")
    root = base / "示例支部"
    result = CliRunner().invoke(cli, ["demo", str(root)])
    assert result.exit_code == 0, result.output
    branch = load_branch(root).branch
    rules = build_standard(branch).rules
    descriptions = {"plan": layout.plan_table(branch, YEAR), "ledger": layout.ledger(branch, rules, YEAR)}
    records = [r for r in branch.records if r.date.year == YEAR]
    assert len(records) > 60
    for record in records:
        stem = Path(record.source.path).stem
        descriptions[f"minutes-{stem}"] = layout.minutes(branch, record)
        descriptions[f"signin-{stem}"] = layout.signin_sheet(branch, record)
    entry = check_target(Target(root, root.name, "worktree"), AS_OF, YEAR, rate=True)
    descriptions["checkup"] = checkup(entry, AS_OF, YEAR)
    descriptions["overview"] = overview([entry], AS_OF, YEAR, "中共示例大学计算机学院委员会")
    descriptions.update(probes())
    folder = base / "docx"
    folder.mkdir()
    paths = [write_docx(d, folder / f"{name}.docx", root) for name, d in descriptions.items()]
    pdfs = convert_to_pdf(paths, base / "pdf")
    return {name: (descriptions[name], pdf_page_lines(pdf)) for name, pdf in zip(descriptions, pdfs)}


PROBE = "分页测试"


def probes() -> dict[str, layout.Document]:
    """Plain pages of one-line paragraphs, then a paragraph of about five lines where the page ends:
    at some of these lengths it must break across the page, and without widow and orphan control
    it would leave one line on either side."""
    long = "".join(f"第{k}句：学习贯彻党的二十大精神。" for k in range(1, 10))
    out = {}
    for n in range(16, 22):
        blocks = tuple(layout.para(f"第{i}段。") for i in range(1, n + 1)) + (layout.para(long),)
        out[f"probe-{n}"] = layout.Document(kind=PROBE, title=PROBE, author="zhibu", date=dt.date(YEAR, 1, 1), blocks=blocks)
    return out


def paragraphs(description: layout.Document, styles=None) -> list[layout.Paragraph]:
    return [b for b in description.blocks if isinstance(b, layout.Paragraph) and (styles is None or b.style in styles)]


needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed")


@real_client
@needs_poppler
def test_every_document_kind_is_there(demo_documents):
    kinds = {d.kind for d, _ in demo_documents.values()} - {PROBE}
    assert kinds == {"计划表", "签到表", "会议记录", "工作记录本", "体检报告", "体检总览"}
    assert all(pages for _, pages in demo_documents.values())


@real_client
@needs_poppler
def test_no_page_holds_only_signature_lines(demo_documents):
    bad = [
        (name, n)
        for name, (_, pages) in demo_documents.items()
        for n, lines in enumerate(pages, 1)
        if lines and all(SIGNATURE in line for line in lines)
    ]
    assert bad == []


@real_client
@needs_poppler
def test_no_page_holds_only_headings(demo_documents):
    bad = []
    for name, (description, pages) in demo_documents.items():
        headings = {flat(p.text) for p in paragraphs(description, HEADING_STYLES) if p.text}
        first = 2 if description.cover else 1
        for n, lines in enumerate(pages, 1):
            if n >= first and lines and all(line in headings for line in lines):
                bad.append((name, n, lines))
    assert bad == []


@real_client
@needs_poppler
def test_no_page_but_a_cover_and_the_last_is_nearly_empty(demo_documents):
    bad = []
    for name, (description, pages) in demo_documents.items():
        for n, lines in enumerate(pages, 1):
            if (n == 1 and description.cover) or n == len(pages):
                continue
            if len(lines) < MIN_LINES:
                bad.append((name, n, lines))
    assert bad == []


@real_client
@needs_poppler
def test_the_signature_lines_are_on_the_page_of_the_last_paragraph(demo_documents):
    checked = 0
    for name, (description, pages) in demo_documents.items():
        blocks = description.blocks
        # the paragraph before each signature block (an empty line, then 主持人 and 记录人)
        expected = [
            flat(blocks[i - 2].text)
            for i, b in enumerate(blocks)
            if isinstance(b, layout.Paragraph) and b.text.startswith("主持人（签字）")
        ]
        found = []
        for n, lines in enumerate(pages, 1):
            for i, line in enumerate(lines):
                if line.startswith("主持人（签字）"):
                    assert i + 1 < len(lines) and lines[i + 1].startswith("记录人（签字）"), (name, n, lines)
                    assert i > 0, (name, n, "the signature lines start the page", lines)
                    found.append((n, lines[i - 1]))
        assert len(found) == len(expected), name
        for (n, before), paragraph in zip(found, expected):
            # the line above the signatures is the end of that paragraph, so it is on the same page
            assert paragraph.endswith(before), (name, n, before, paragraph)
        checked += len(found)
    assert checked == 2 * sum(1 for name in demo_documents if name.startswith("minutes-"))  # and again in the ledger


def broken_paragraphs(description: layout.Document, pages: list[list[str]]):
    """(page, lines on that page, lines on the next) for each body paragraph broken across two pages."""
    texts = {flat(p.text) for p in paragraphs(description, ("body",)) if p.text}
    for n in range(len(pages) - 1):
        if not pages[n] or not pages[n + 1]:
            continue
        last, first = pages[n][-1], pages[n + 1][0]
        for text in texts:
            if last + first in text:  # one paragraph's lines, running on over the page: count them on each side
                before = 1
                while before < len(pages[n]) and pages[n][-1 - before] + "".join(pages[n][-before:]) + first in text:
                    before += 1
                after = 1
                while after < len(pages[n + 1]) and last + "".join(pages[n + 1][: after + 1]) in text:
                    after += 1
                yield n + 1, before, after, text


@real_client
@needs_poppler
def test_no_paragraph_leaves_a_single_line_on_a_page(demo_documents):
    bad, broken = [], 0
    for name, (description, pages) in demo_documents.items():
        for n, before, after, text in broken_paragraphs(description, pages):
            broken += 1
            if before < 2 or after < 2:
                bad.append((name, n, before, after, text[:40]))
    assert bad == []
    assert broken >= 1  # the check saw paragraphs run on over a page


def test_the_keep_rules_are_written_into_the_docx(tmp_path):
    """What LibreOffice and Word read: keepNext on headings, lead-ins and the signature block, widow control everywhere."""
    from conftest import SAMPLE
    from docx import Document
    from docx.oxml.ns import qn

    from zhibu.format.load import load_branch
    from zhibu.render.docx import write_docx

    branch = load_branch(SAMPLE).branch
    record = next(r for r in branch.records if r.date.isoformat() == "2025-03-20")
    description = layout.minutes(branch, record)
    path = write_docx(description, tmp_path / "记录.docx")
    body = Document(str(path)).paragraphs
    assert len(body) == len(description.blocks)
    for block, p in zip(description.blocks, body):
        ppr = p._p.pPr
        keep = ppr is not None and ppr.find(qn("w:keepNext")) is not None
        assert keep == block.keep_with_next, block.text
        widow = ppr.find(qn("w:widowControl"))
        assert widow is not None and widow.get(qn("w:val")) in (None, "1", "true", "on"), block.text
    *_, before, empty, host, recorder = description.blocks
    assert host.text.startswith("主持人（签字）") and recorder.text.startswith("记录人（签字）") and not empty.text
    assert before.text and before.keep_with_next and empty.keep_with_next and host.keep_with_next
    assert not recorder.keep_with_next
    assert all(b.keep_with_next for b in description.blocks if b.style != "body")
