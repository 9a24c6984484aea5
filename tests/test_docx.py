"""Word documents (zhibu doc …): golden dumps, GB/T layout, fonts, reproducibility, the ledger against check.

The .docx files are compared through a normalised dump of their XML (never bytes):
paragraphs as ``P[style|flags] text ‹fonts›``, table cells as ``T r,c text`` with
their merges, and the effective East Asian / Latin font and size of every run
(run, else paragraph style chain, else document defaults). The dump reads the
package with zipfile and lxml, not with the writer's library.

Regenerate the goldens after an intended change with
``ZHIBU_UPDATE_GOLDENS=1 pytest tests/test_docx.py`` and review the diff.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLE
from lxml import etree

from zhibu.check import check_branch
from zhibu.errors import ZhibuError
from zhibu.format.load import load_branch
from zhibu.render import documents, layout
from zhibu.render import docx as render_docx
from zhibu.report.stats import year_table
from zhibu.standard.layers import build_standard
from zhibu.write.edit import find_record

GOLDEN = Path(__file__).parent / "golden_docx"
UPDATE = os.environ.get("ZHIBU_UPDATE_GOLDENS") == "1"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def w(name: str) -> str:
    return f"{{{W}}}{name}"


# --- the normaliser -------------------------------------------------------------------------


class Package:
    """The parts of a .docx that the dump and the assertions read."""

    def __init__(self, path: Path):
        with zipfile.ZipFile(path) as z:
            self.names = z.namelist()
            self.parts = {n: z.read(n) for n in self.names}
        self.document = etree.fromstring(self.parts["word/document.xml"])
        self.styles = etree.fromstring(self.parts["word/styles.xml"])
        self.core = etree.fromstring(self.parts["docProps/core.xml"])
        self.style_by_id = {s.get(w("styleId")): s for s in self.styles.findall("w:style", NS)}
        self.default_rpr = self.styles.find("w:docDefaults/w:rPrDefault/w:rPr", NS)
        rels = etree.fromstring(self.parts["word/_rels/document.xml.rels"])
        self.targets = {r.get("Id"): "word/" + r.get("Target") for r in rels}

    def style_name(self, style_id: str | None) -> str:
        style = self.style_by_id.get(style_id or self.default_paragraph_style())
        return style.find("w:name", NS).get(w("val")) if style is not None else f"?{style_id}"

    def default_paragraph_style(self) -> str:
        for s in self.styles.findall("w:style", NS):
            if s.get(w("type")) == "paragraph" and s.get(w("default")) in ("1", "true"):
                return s.get(w("styleId"))
        return "Normal"

    def _style_chain(self, style_id: str | None):
        seen = set()
        style_id = style_id or self.default_paragraph_style()
        while style_id and style_id not in seen:
            seen.add(style_id)
            style = self.style_by_id.get(style_id)
            if style is None:
                return
            yield style
            based = style.find("w:basedOn", NS)
            style_id = based.get(w("val")) if based is not None else None

    def effective(self, run, style_id: str | None) -> tuple[str, str, float]:
        """(eastAsia font, ascii font, size in points) as Word resolves them for this run."""
        rprs = [run.find("w:rPr", NS)] + [s.find("w:rPr", NS) for s in self._style_chain(style_id)] + [self.default_rpr]
        east = latin = size = None
        for rpr in rprs:
            if rpr is None:
                continue
            fonts = rpr.find("w:rFonts", NS)
            if fonts is not None:
                east = east or fonts.get(w("eastAsia"))
                latin = latin or fonts.get(w("ascii"))
            sz = rpr.find("w:sz", NS)
            if size is None and sz is not None:
                size = int(sz.get(w("val"))) / 2
        return east or "?", latin or "?", size or 0


def _text(run) -> str:
    out = []
    for child in run:
        if child.tag == w("t"):
            out.append(child.text or "")
        elif child.tag == w("tab"):
            out.append("\t")
        elif child.tag == w("br"):
            out.append("⏎" if child.get(w("type")) != "page" else "[page]")
        elif child.tag == w("instrText"):
            out.append("{" + (child.text or "").strip() + "}")
    return "".join(out)


def _fonts(pkg: Package, p, style_id) -> str:
    seen = []
    for run in p.iter(w("r")):
        if not _text(run).strip() or run.find("w:instrText", NS) is not None:
            continue
        east, latin, size = pkg.effective(run, style_id)
        label = f"{east}/{latin} {size:g}"
        if label not in seen:
            seen.append(label)
    return f" ‹{' + '.join(seen)}›" if seen else ""


def _paragraph_text(p) -> str:
    """Visible text; a field shows its instruction instead of its cached result."""
    out, in_field, showing = [], False, True
    for run in p.iter(w("r")):
        fld = run.find("w:fldChar", NS)
        if fld is not None:
            kind = fld.get(w("fldCharType"))
            if kind == "begin":
                in_field, showing = True, False
            elif kind == "separate":
                showing = False
            elif kind == "end":
                in_field, showing = False, True
            continue
        if run.find("w:instrText", NS) is not None:
            out.append(_text(run))
        elif showing or not in_field:
            out.append(_text(run))
    return "".join(out)


def _paragraph_line(pkg: Package, p) -> str:
    ppr = p.find("w:pPr", NS)
    style_id = None
    flags = []
    if ppr is not None:
        ps = ppr.find("w:pStyle", NS)
        style_id = ps.get(w("val")) if ps is not None else None
        if ppr.find("w:pageBreakBefore", NS) is not None:
            flags.append("break")
        ind = ppr.find("w:ind", NS)
        if ind is not None and ind.get(w("firstLine")) == "0":
            flags.append("noindent")
        jc = ppr.find("w:jc", NS)
        if jc is not None:
            flags.append(jc.get(w("val")))
    name = pkg.style_name(style_id)
    text = _paragraph_text(p)
    return f"P[{'|'.join([name, *flags])}] {text}".rstrip() + _fonts(pkg, p, style_id)


def _table_lines(pkg: Package, tbl) -> list[str]:
    widths = [int(g.get(w("w"))) for g in tbl.findall("w:tblGrid/w:gridCol", NS)]
    lines = [f"T begin grid={','.join(str(x) for x in widths)}"]
    for r, tr in enumerate(tbl.findall("w:tr", NS)):
        trpr = tr.find("w:trPr", NS)
        header = trpr is not None and trpr.find("w:tblHeader", NS) is not None
        col = 0
        for tc in tr.findall("w:tc", NS):
            tcpr = tc.find("w:tcPr", NS)
            span_el = tcpr.find("w:gridSpan", NS) if tcpr is not None else None
            span = int(span_el.get(w("val"))) if span_el is not None else 1
            vmerge = tcpr.find("w:vMerge", NS) if tcpr is not None else None
            flags = []
            if header:
                flags.append("hdr")
            if span > 1:
                flags.append(f"span={span}")
            if vmerge is not None:
                flags.append("vmerge=" + (vmerge.get(w("val")) or "continue"))
            texts, fonts, aligns = [], [], set()
            for p in tc.findall("w:p", NS):
                ppr = p.find("w:pPr", NS)
                style_id = (
                    ppr.find("w:pStyle", NS).get(w("val")) if ppr is not None and ppr.find("w:pStyle", NS) is not None else None
                )
                jc = ppr.find("w:jc", NS) if ppr is not None else None
                if jc is not None and jc.get(w("val")) != "center":
                    aligns.add(jc.get(w("val")))
                texts.append(_paragraph_text(p))
                f = _fonts(pkg, p, style_id)
                if f and f not in fonts:
                    fonts.append(f)
            flags += sorted(aligns)
            text = "⏎".join(t for t in texts if t)
            flag_text = f" [{' '.join(flags)}]" if flags else ""
            if text or vmerge is None or vmerge.get(w("val")) == "restart":
                lines.append(f"T {r},{col}{flag_text} {text}".rstrip() + "".join(fonts))
            else:
                lines.append(f"T {r},{col}{flag_text}")
            col += span
    lines.append("T end")
    return lines


def dump(path: Path) -> str:
    """The normalised text of a .docx: page setup, header/footer, then the body in order."""
    pkg = Package(path)
    body = pkg.document.find("w:body", NS)
    lines = []
    sect = body.find("w:sectPr", NS)
    size, margins, grid = sect.find("w:pgSz", NS), sect.find("w:pgMar", NS), sect.find("w:docGrid", NS)
    lines.append(
        f"PAGE {size.get(w('w'))}x{size.get(w('h'))} margins "
        + " ".join(f"{k}={margins.get(w(k))}" for k in ("top", "bottom", "left", "right"))
        + (f" grid={grid.get(w('type'))}/{grid.get(w('linePitch'))}" if grid is not None else "")
        + (" first-page-different" if sect.find("w:titlePg", NS) is not None else "")
    )
    for ref in sect:
        if ref.tag in (w("headerReference"), w("footerReference")):
            kind = "HEADER" if ref.tag == w("headerReference") else "FOOTER"
            part = etree.fromstring(pkg.parts[pkg.targets[ref.get(f"{{{NS_R}}}id")]])
            texts = [_paragraph_line(pkg, p) for p in part.iter(w("p"))]
            lines.append(f"{kind} {ref.get(w('type'))}: " + " / ".join(texts))
    for child in body:
        if child.tag == w("p"):
            lines.append(_paragraph_line(pkg, child))
        elif child.tag == w("tbl"):
            lines += _table_lines(pkg, child)
    return "\n".join(lines) + "\n"


NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def core_properties(path: Path) -> dict[str, str]:
    pkg = Package(path)
    return {etree.QName(el).localname: (el.text or "") for el in pkg.core}


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    return load_branch(SAMPLE).branch


@pytest.fixture(scope="module")
def rules(sample):
    return build_standard(sample).rules


def render(description, tmp_path: Path, name: str = "out.docx", root: Path | None = None) -> Path:
    path = tmp_path / name
    render_docx.write_docx(description, path, root)
    return path


@pytest.fixture(scope="module")
def entry(tmp_path_factory):
    """The sample branch's batch entry (rated), from a copy outside any git repository."""
    from zhibu.committee.batch import Target, check_target

    root = tmp_path_factory.mktemp("entry") / "示例支部"
    shutil.copytree(SAMPLE, root)
    return check_target(Target(root, "示例支部", "worktree"), dt.date(2025, 12, 31), 2025, rate=True)


def descriptions(sample, rules, entry):
    """Every document of :data:`zhibu.render.documents.DOCUMENTS`, built through the table."""
    record = lambda ref: find_record(sample, ref)  # noqa: E731
    as_of = dt.date(2025, 12, 31)
    inputs = {
        "plan-2025": dict(branch=sample, year=2025),
        "signin-2025-01-14-党小组会": dict(branch=sample, record=record("2025-01-14-党小组会")),
        "signin-2025-10-12-支部党员大会": dict(branch=sample, record=record("2025-10-12-支部党员大会")),
        "minutes-2025-03-06-支部委员会": dict(branch=sample, record=record("2025-03-06-支部委员会")),
        "minutes-2025-10-12-支部党员大会": dict(branch=sample, record=record("2025-10-12-支部党员大会")),
        "ledger-2025": dict(branch=sample, rules=rules, year=2025),
        "checkup-2025": dict(entry=entry, as_of=as_of, year=2025),
        "overview-2025": dict(entries=[entry], as_of=as_of, year=2025, committee="中共示例大学委员会"),
    }
    return {name: documents.build(name.split("-")[0], **given) for name, given in inputs.items()}


GOLDEN_NAMES = [
    "plan-2025",
    "signin-2025-01-14-党小组会",
    "signin-2025-10-12-支部党员大会",
    "minutes-2025-03-06-支部委员会",
    "minutes-2025-10-12-支部党员大会",
    "ledger-2025",
    "checkup-2025",
    "overview-2025",
]


def test_every_document_of_the_table_has_a_golden():
    """A document added to the table fails here until it has a golden dump."""
    assert {name.split("-")[0] for name in GOLDEN_NAMES} == set(documents.DOCUMENTS)


@pytest.fixture(scope="module")
def rendered(sample, rules, entry, tmp_path_factory):
    folder = tmp_path_factory.mktemp("docs")
    return {name: render(d, folder, f"{name}.docx") for name, d in descriptions(sample, rules, entry).items()}


# --- goldens ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_golden_dump(name, rendered):
    text = dump(rendered[name])
    golden = GOLDEN / f"{name}.txt"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    if not golden.exists():
        pytest.fail(f"no golden file {golden.name}; run ZHIBU_UPDATE_GOLDENS=1 pytest tests/test_docx.py")
    assert text == golden.read_text(encoding="utf-8")


def test_every_golden_is_a_rendered_document():
    assert sorted(p.stem for p in GOLDEN.glob("*.txt")) == sorted(GOLDEN_NAMES)


# --- fonts and styles ------------------------------------------------------------------------


@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_every_run_with_chinese_sets_the_east_asian_font(name, rendered):
    pkg = Package(rendered[name])
    parts = [pkg.document] + [etree.fromstring(pkg.parts[n]) for n in pkg.names if re.match(r"word/(header|footer)\d*\.xml", n)]
    checked = 0
    for part in parts:
        for run in part.iter(w("r")):
            text = "".join(t.text or "" for t in run.findall("w:t", NS))
            if not CJK.search(text):
                continue
            fonts = run.find("w:rPr/w:rFonts", NS)
            assert fonts is not None and fonts.get(w("eastAsia")), f"run {text!r} has no w:eastAsia"
            assert fonts.get(w("hint")) == "eastAsia"
            assert fonts.get(w("ascii")) == "Times New Roman"
            checked += 1
    assert checked > 3


@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_no_theme_fonts_and_chinese_language(name, rendered):
    pkg = Package(rendered[name])
    styles_xml = pkg.parts["word/styles.xml"].decode("utf-8")
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        assert f"w:{attr}=" not in styles_xml
    lang = pkg.default_rpr.find("w:lang", NS)
    assert lang.get(w("eastAsia")) == "zh-CN"
    assert pkg.default_rpr.find("w:rFonts", NS).get(w("eastAsia")) == "仿宋_GB2312"


def _style(pkg: Package, name: str):
    for s in pkg.styles.findall("w:style", NS):
        if s.find("w:name", NS).get(w("val")) == name:
            return s
    raise AssertionError(f"no style {name}")


def test_gbt_styles_and_page_setup(rendered):
    pkg = Package(rendered["minutes-2025-10-12-支部党员大会"])
    sect = pkg.document.find("w:body/w:sectPr", NS)
    size, margins, grid = sect.find("w:pgSz", NS), sect.find("w:pgMar", NS), sect.find("w:docGrid", NS)
    assert (size.get(w("w")), size.get(w("h"))) == ("11906", "16838")  # A4
    assert {k: margins.get(w(k)) for k in ("top", "bottom", "left", "right")} == {
        "top": "2098",
        "bottom": "1984",
        "left": "1587",
        "right": "1474",  # 37 / 35 / 28 / 26 mm
    }
    assert (grid.get(w("type")), grid.get(w("linePitch"))) == ("lines", "579")

    def props(name):
        s = _style(pkg, name)
        fonts = s.find("w:rPr/w:rFonts", NS)
        sz = s.find("w:rPr/w:sz", NS)
        return fonts.get(w("eastAsia")), fonts.get(w("ascii")), sz.get(w("val")) if sz is not None else None

    assert props("Normal") == ("仿宋_GB2312", "Times New Roman", "32")  # 三号
    assert props("Title") == ("方正小标宋简体", "Times New Roman", "44")  # 二号
    assert props("heading 1")[:2] == ("黑体", "Times New Roman")
    assert props("heading 2")[:2] == ("楷体_GB2312", "Times New Roman")
    normal = _style(pkg, "Normal")
    assert normal.find("w:rPr/w:spacing", NS).get(w("val")) == "-5"  # 28 characters a line
    spacing = normal.find("w:pPr/w:spacing", NS)
    assert (spacing.get(w("line")), spacing.get(w("lineRule"))) == ("579", "exact")
    assert _style(pkg, "Title").find("w:pPr/w:jc", NS).get(w("val")) == "center"
    # GB/T 9704 §7.5, printed on both sides: odd pages' number on the right, even pages' on the left
    footers = dump(rendered["minutes-2025-10-12-支部党员大会"]).splitlines()[1:3]
    assert footers == [
        "FOOTER default: P[footer|right] — {PAGE} — ‹宋体/Times New Roman 14›",
        "FOOTER even: P[footer|left] — {PAGE} — ‹宋体/Times New Roman 14›",
    ]
    settings = etree.fromstring(zipfile.ZipFile(rendered["minutes-2025-10-12-支部党员大会"]).read("word/settings.xml"))
    assert settings.find("w:evenAndOddHeaders", NS) is not None


def test_tables_snap_off_grid_repeat_headers_and_carry_widths(rendered):
    pkg = Package(rendered["plan-2025"])
    (tbl,) = pkg.document.findall("w:body/w:tbl", NS)
    grid = [int(g.get(w("w"))) for g in tbl.findall("w:tblGrid/w:gridCol", NS)]
    assert grid == [render_docx._twips(mm) for mm in layout.PLAN_WIDTHS]
    assert tbl.find("w:tblPr/w:tblLayout", NS).get(w("type")) == "fixed"
    rows = tbl.findall("w:tr", NS)
    assert [r.find("w:trPr/w:tblHeader", NS) is not None for r in rows[:3]] == [True, True, False]
    for tr in rows:
        col = 0
        for tc in tr.findall("w:tc", NS):
            span_el = tc.find("w:tcPr/w:gridSpan", NS)
            span = int(span_el.get(w("val"))) if span_el is not None else 1
            assert int(tc.find("w:tcPr/w:tcW", NS).get(w("w"))) == sum(grid[col : col + span])
            for p in tc.findall("w:p", NS):
                assert p.find("w:pPr/w:snapToGrid", NS).get(w("val")) == "0"
            col += span
        assert col == len(grid)


def test_plan_merges_months_and_keeps_the_text_once(rendered):
    text = dump(rendered["plan-2025"])
    assert "T 0,0 [hdr span=6] 2025年度计划：学习 12 项，活动 17 项" in text
    # March: one 学习 and two 活动 items -> the month spans three rows, 活动 two
    lines = text.splitlines()
    march = [i for i, line in enumerate(lines) if " 3月 " in line + " " and "vmerge=restart" in line]
    assert len(march) == 1
    row = int(lines[march[0]].split()[1].split(",")[0])
    assert f"T {row + 1},0 [vmerge=continue]" in lines
    assert f"T {row + 2},0 [vmerge=continue]" in lines
    assert any(line.startswith(f"T {row + 1},1 [vmerge=restart] 活动") for line in lines)
    assert text.count("3月 ‹") == 1


# --- reproducibility -----------------------------------------------------------------------------


def test_same_input_gives_identical_documents(sample, rules, tmp_path, monkeypatch):
    description = layout.ledger(sample, rules, 2025)
    first = render(description, tmp_path, "a.docx")
    # a later clock must not show anywhere: zip stamps and core properties come from the data
    import time

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 86400 * 400)
    monkeypatch.setattr(time, "localtime", lambda *a: __import__("time").struct_time((2031, 5, 6, 7, 8, 9, 0, 126, 0)))
    second = render(layout.ledger(load_branch(SAMPLE).branch, rules, 2025), tmp_path, "b.docx")
    assert dump(first) == dump(second)
    assert core_properties(first) == core_properties(second)
    assert first.read_bytes() == second.read_bytes()


def test_core_properties_come_from_the_data(rendered, sample):
    props = core_properties(rendered["minutes-2025-10-12-支部党员大会"])
    assert props["title"] == "计算机学院教工第一党支部支部党员大会记录（2025年10月12日）"
    assert props["creator"] == props["lastModifiedBy"] == "计算机学院教工第一党支部"
    assert props["created"] == props["modified"] == "2025-10-12T00:00:00Z"
    assert props["subject"] == "会议记录"
    assert props["description"] == "由 zhibu 根据 records/2025/2025-10-12-支部党员大会.yaml 生成"
    assert "lastPrinted" not in props
    ledger = core_properties(rendered["ledger-2025"])
    assert ledger["modified"] == f"{sample.records[-1].date.isoformat()}T00:00:00Z"
    with zipfile.ZipFile(rendered["minutes-2025-10-12-支部党员大会"]) as z:
        assert {i.date_time for i in z.infolist()} == {(2025, 10, 12, 0, 0, 0)}


# --- the ledger agrees with zhibu check ---------------------------------------------------------


def statistics_from_docx(path: Path) -> dict[str, list[int]]:
    pkg = Package(path)
    for tbl in pkg.document.iter(w("tbl")):
        rows = [
            [_paragraph_text(p) for tc in tr.findall("w:tc", NS) for p in tc.findall("w:p", NS)] for tr in tbl.findall("w:tr", NS)
        ]
        if rows and rows[0][0] == "类别":
            assert rows[0][1:14] == [str(m) for m in range(1, 13)] + ["全年"]
            return {row[0]: [int(c) for c in row[1:14]] for row in rows[1:]}
    raise AssertionError("no statistics table")


def test_ledger_statistics_equal_year_table(rendered, sample, rules):
    numbers = statistics_from_docx(rendered["ledger-2025"])
    expected = {row.label: [*row.months, row.total] for row in year_table(sample, rules, 2025)}
    assert numbers == expected
    assert numbers["支部委员会"][3] == 1  # April, before the removal below


def test_removed_committee_meeting_shows_as_zero_and_as_a_finding(tmp_path):
    root = tmp_path / "branch"
    shutil.copytree(SAMPLE, root)
    (root / "records/2025/2025-04-09-支部委员会.yaml").unlink()
    branch = load_branch(root).branch
    rules = build_standard(branch).rules
    path = render(layout.ledger(branch, rules, 2025), tmp_path)
    numbers = statistics_from_docx(path)
    assert numbers["支部委员会"][3] == 0
    assert numbers == {row.label: [*row.months, row.total] for row in year_table(branch, rules, 2025)}
    result = check_branch(root, as_of=dt.date(2025, 12, 31), year=2025, strict=True)
    monthly = [f for f in result.findings if f.code == "meeting.committee-monthly"]
    assert [f.period for f in monthly] == ["2025-04"]
    assert "2025年4月未召开支部委员会" in monthly[0].message


# --- content computed from the roster -------------------------------------------------------------


def test_minutes_count_expected_and_present_from_the_roster(sample):
    record = find_record(sample, "2025-10-12-支部党员大会")
    texts = [b.text for b in layout.minutes(sample, record).blocks if isinstance(b, layout.Paragraph)]
    expected = sample.expected_at(record)
    assert f"应到：{len(expected)} 人，实到 {len(expected) - 1} 人" in texts
    voters = sample.voters_on(record.date)
    assert f"有表决权的党员：应到 {len(voters)} 人，实到 {len(voters) - 1} 人" in texts
    assert "缺席人员：刘芳（病假）" in texts
    assert "列席人员：张红（学院党委组织员）" in texts
    assert "1. 同意接收孙悦同志为中共预备党员。表决结果：赞成 9 票，反对 0 票，弃权 0 票，通过。" in texts


def _small_branch(make_branch, record: str) -> Path:
    return make_branch({"records/2026/2026-03-05-支部党员大会.yaml": record})


def test_minutes_of_a_rejected_resolution_and_an_unlisted_attendee(make_branch):
    root = _small_branch(
        make_branch,
        """\
        type: 支部党员大会
        date: 2026-03-05
        place: 学院会议室
        host: 王建国
        recorder: 李晓梅
        attendees: [王建国, 李晓梅, 陈志强, 赵磊, 外单位同志]
        absent:
          - {name: 刘芳}
          - {name: 孙悦, reason: 出差}
        delegated: 书记主持
        topics: [讨论表彰名单]
        resolutions:
          - text: 表彰赵磊同志为优秀共产党员
            kind: 表彰
            votes: {for: 2, against: 3, abstain: 0}
            adopted: false
          - text: 下次会议另议
        """,
    )
    branch = load_branch(root).branch
    record = branch.records[0]
    texts = [b.text for b in layout.minutes(branch, record).blocks if isinstance(b, layout.Paragraph)]
    assert "应到：6 人，实到 4 人" in texts  # 外单位同志 is not on the roster: not counted
    assert "有表决权的党员：应到 5 人，实到 4 人" in texts  # 孙悦 is a 预备党员
    assert "缺席人员：刘芳（未注明原因）；孙悦（出差）" in texts
    assert "主持人：王建国（书记主持）" in texts
    assert "1. 表彰赵磊同志为优秀共产党员。表决结果：赞成 2 票，反对 3 票，弃权 0 票，未通过。" in texts
    assert "2. 下次会议另议。（通过）" in texts


def test_signin_lists_the_expected_in_roster_order(sample):
    from zhibu.write.edit import expected_in_roster_order

    record = find_record(sample, "2025-10-12-支部党员大会")
    table = next(b for b in layout.signin_sheet(sample, record).blocks if isinstance(b, layout.Table))
    names = [row[1].text for row in table.rows[1:]]
    assert names == expected_in_roster_order(sample, record)
    assert [row[0].text for row in table.rows[1:]] == [str(i) for i in range(1, len(names) + 1)]
    assert all(row[3].text == "" for row in table.rows[1:])  # the signature column is blank


def test_signin_for_an_activity_expecting_nobody_leaves_blank_rows(sample):
    record = find_record(sample, "2025-09-05-实践活动")
    blocks = layout.signin_sheet(sample, record).blocks
    table = next(b for b in blocks if isinstance(b, layout.Table))
    assert len(table.rows) - 1 == max(layout.MIN_BLANK_ROWS, len(sample.members_on(record.date)))
    assert all(row[1].text == "" for row in table.rows[1:])
    assert any(isinstance(b, layout.Paragraph) and b.text.startswith("参加人数：") for b in blocks)


def test_plan_without_a_plan_file_is_an_error(sample):
    with pytest.raises(ZhibuError) as info:
        layout.plan_table(sample, 2024)
    assert "plans/2024.yaml" in info.value.message
    assert "zhibu plan new --year 2024" in info.value.hint


def test_merges_are_checked():
    with pytest.raises(ValueError):
        layout.Table((10.0, 10.0), ((layout.Cell("a"), layout.Cell("b")),), merges=(layout.Merge(0, 0, 1, 1),))
    with pytest.raises(ValueError):
        layout.Table((10.0, 10.0), ((layout.Cell("a"),),))


# --- the base document -----------------------------------------------------------------------------


def _letterhead(path: Path) -> None:
    """A branch reference made the way a secretary would: Word's defaults, a header, a 宋体 body."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "示例大学计算机学院党委 党支部工作用纸"
    normal = document.styles["Normal"]
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)


def test_a_branch_reference_document_is_used(tmp_path, sample):
    root = tmp_path / "branch"
    shutil.copytree(SAMPLE, root)
    _letterhead(root / "templates" / "reference.docx")
    record = find_record(sample, "2025-03-06-支部委员会")
    path = render(layout.minutes(sample, record), tmp_path, root=root)
    text = dump(path)
    assert "HEADER default: P[header] 示例大学计算机学院党委 党支部工作用纸" in text
    # the branch's own body font is kept; styles without an East Asian font get the GB/T one
    assert "P[Normal|noindent] 会议类型：支部委员会 ‹宋体/Times New Roman 11›" in text
    assert "P[Title|noindent|center] 计算机学院教工第一党支部 ‹方正小标宋简体/" in text
    assert "‹黑体/" in text  # Heading 1 had only theme fonts
    pkg = Package(path)
    styles_xml = pkg.parts["word/styles.xml"].decode("utf-8")
    assert "eastAsiaTheme" not in styles_xml and "asciiTheme" not in styles_xml
    assert _style(pkg, "表格文字") is not None  # missing in the branch's file: added
    # letter-size page of python-docx's template: the branch's page setup is kept
    assert text.startswith("PAGE 12240x15840")


def test_the_builtin_reference_is_used_without_a_branch_one(tmp_path, sample):
    record = find_record(sample, "2025-03-06-支部委员会")
    path = render(layout.minutes(sample, record), tmp_path, root=SAMPLE)
    assert "HEADER" not in dump(path)
    assert dump(path).startswith("PAGE 11906x16838")


@pytest.mark.parametrize("content", [b"not a zip", b"PK\x03\x04broken"])
def test_a_broken_branch_reference_is_a_clear_error(tmp_path, sample, content):
    root = tmp_path / "branch"
    (root / "templates").mkdir(parents=True)
    (root / "templates" / "reference.docx").write_bytes(content)
    with pytest.raises(ZhibuError) as info:
        render(layout.plan_table(sample, 2025), tmp_path, root=root)
    assert "templates/reference.docx 无法作为 Word 文档打开" in info.value.message
    assert "另存为" in info.value.hint


def test_a_reference_linking_outside_the_branch_is_refused(tmp_path, sample):
    root = tmp_path / "branch"
    (root / "templates").mkdir(parents=True)
    outside = tmp_path / "elsewhere.docx"
    _letterhead(outside)
    (root / "templates" / "reference.docx").symlink_to(outside)
    with pytest.raises(ZhibuError, match="符号链接"):
        render(layout.plan_table(sample, 2025), tmp_path, root=root)


def test_builtin_reference_is_current(tmp_path):
    """templates/reference.docx is what build_reference makes (regenerate: python -m zhibu.render.docx --write-reference templates/reference.docx)."""
    fresh = render_docx.write_reference(tmp_path / "reference.docx")
    shipped = Path(__file__).resolve().parents[1] / "templates" / "reference.docx"
    assert fresh.read_bytes() == shipped.read_bytes()


def test_builtin_reference_has_no_body_and_a_page_number(tmp_path):
    pkg = Package(Path(__file__).resolve().parents[1] / "templates" / "reference.docx")
    body = pkg.document.find("w:body", NS)
    assert [etree.QName(c).localname for c in body] == ["sectPr"]
    assert "docProps/thumbnail.jpeg" not in pkg.names
    assert not any("stylesWithEffects" in n for n in pkg.names)


# --- the commands -----------------------------------------------------------------------------------


@pytest.fixture
def branch_copy(tmp_path):
    root = tmp_path / "示例支部"
    shutil.copytree(SAMPLE, root)
    return root


COMMAND_CASES = [
    (["plan", "--year", "2025"], "2025年计划表.docx"),
    (["signin", "2025-03-06"], "2025-03-06-支部委员会-签到表.docx"),
    (["minutes", "records/2025/2025-10-12-支部党员大会.yaml"], "2025-10-12-支部党员大会-会议记录.docx"),
    (["ledger", "--year", "2025"], "2025年党支部工作记录.docx"),
    (["checkup", "--year", "2025", "--as-of", "2025-12-31"], "2025年度体检报告.docx"),
]


def test_the_document_table_is_what_zhibu_doc_offers():
    """Every document of the table with a command is a subcommand of ``zhibu doc`` (and nothing
    else is), its builder takes exactly the inputs the table names, and each command is tried below."""
    import inspect

    from zhibu.cli.doc import DOC_HELP, doc

    kinds = documents.commands()
    assert sorted(doc.commands) == sorted(k.name for k in kinds)
    assert sorted(args[0] for args, _ in COMMAND_CASES) == sorted(k.name for k in kinds)
    assert "、".join(k.short for k in kinds) in DOC_HELP
    for kind in documents.DOCUMENTS.values():
        parameters = inspect.signature(kind.function()).parameters
        required = [n for n, p in parameters.items() if p.default is inspect.Parameter.empty]
        assert set(required) <= set(kind.needs) <= set(parameters), kind.name
        assert set(kind.needs) <= set(documents.INPUTS) and kind.file_name.endswith(".docx"), kind.name
    with pytest.raises(TypeError):
        documents.build("plan", year=2025)  # the branch is missing


@pytest.mark.parametrize("args, default_name", COMMAND_CASES)
def test_doc_commands_write_where_asked_and_by_default(run, branch_copy, tmp_path, args, default_name):
    out = tmp_path / "输出" / "文书.docx"
    out.parent.mkdir()
    result = run("doc", *args, "-C", branch_copy, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"已生成 {out}\n"
    assert "PAGE 11906x16838" in dump(out)
    # without -o: a Chinese name in the branch's 文书/ folder, whatever the current folder, and a
    # hint when the branch's .gitignore does not keep that folder out of git
    work = tmp_path / "当前目录"
    work.mkdir()
    result = run("doc", *args, "-C", branch_copy, cwd=work)
    assert result.exit_code == 0, result.stderr
    assert list(work.iterdir()) == []
    made = branch_copy / "文书" / default_name
    assert result.stdout == f"已生成 {made}\n"
    assert dump(made) == dump(out)
    assert "在 .gitignore 中加一行 /文书/" in result.stderr
    (branch_copy / ".gitignore").write_text("/文书/\n", encoding="utf-8")
    result = run("doc", *args, "-C", branch_copy, cwd=work)
    assert result.exit_code == 0 and ".gitignore" not in result.stderr


def test_doc_command_output_matches_the_golden(run, branch_copy, tmp_path):
    out = tmp_path / "m.docx"
    result = run("doc", "minutes", "2025-10-12", "-o", out, cwd=branch_copy / "records")
    assert result.exit_code == 0, result.stderr
    assert dump(out) == (GOLDEN / "minutes-2025-10-12-支部党员大会.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["signin", "minutes"])
def test_unknown_record_is_exit_2_in_chinese(run, branch_copy, command):
    result = run("doc", command, "2025-02-30-支部委员会", "-C", branch_copy)
    assert result.exit_code == 2
    assert "错误：找不到记录“2025-02-30-支部委员会”。" in result.stderr
    assert "zhibu meeting list" in result.stderr
    assert result.stdout == ""


def test_ambiguous_date_names_the_records(run, branch_copy):
    shutil.copy(
        branch_copy / "records/2025/2025-03-06-支部委员会.yaml", branch_copy / "records/2025/2025-03-06-支部委员会-2.yaml"
    )
    result = run("doc", "signin", "2025-03-06", "-C", branch_copy)
    assert result.exit_code == 2
    assert "对应多条记录" in result.stderr


def test_plan_of_a_year_without_a_plan(run, branch_copy, tmp_path):
    result = run("doc", "plan", "--year", "2024", "-C", branch_copy, "-o", tmp_path / "p.docx")
    assert result.exit_code == 2
    assert "没有 2024 年的计划（plans/2024.yaml）" in result.stderr
    assert not (tmp_path / "p.docx").exists()


@pytest.mark.parametrize(
    "output, message",
    [("计划表.pdf", "不是 .docx 文件"), ("没有的文件夹/计划表.docx", "不存在")],
)
def test_bad_output_paths(run, branch_copy, tmp_path, output, message):
    result = run("doc", "plan", "--year", "2025", "-C", branch_copy, "-o", tmp_path / output)
    assert result.exit_code == 2
    assert message in result.stderr


def test_ledger_of_an_empty_year_warns_and_still_writes(run, branch_copy, tmp_path):
    out = tmp_path / "l.docx"
    result = run("doc", "ledger", "--year", "2019", "-C", branch_copy, "-o", out)
    assert result.exit_code == 0
    assert "2019 年没有任何记录" in result.stderr
    assert "本年度尚无记录" in dump(out)


def test_format_problems_are_mentioned(run, branch_copy, tmp_path):
    (branch_copy / "records/2025/2025-12-30-其他.yaml").write_text("type: 其他\ndate: 2025-13-45\n", encoding="utf-8")
    result = run("doc", "ledger", "--year", "2025", "-C", branch_copy, "-o", tmp_path / "l.docx")
    assert result.exit_code == 0
    assert "格式问题" in result.stderr and "zhibu check" in result.stderr


def test_branch_letterhead_through_the_command(run, branch_copy, tmp_path):
    _letterhead(branch_copy / "templates" / "reference.docx")
    out = tmp_path / "s.docx"
    result = run("doc", "signin", "2025-01-14", "-C", branch_copy, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "示例大学计算机学院党委 党支部工作用纸" in dump(out)


def test_pdf_option_converts_the_written_docx(run, branch_copy, tmp_path, monkeypatch):
    pdf = pytest.importorskip("zhibu.render.pdf")
    calls = []

    def fake(paths, outdir):
        calls.append(([Path(p) for p in paths], Path(outdir)))
        made = [Path(outdir) / (Path(p).stem + ".pdf") for p in paths]
        for m in made:
            m.write_bytes(b"%PDF-1.4\n")
        return made

    monkeypatch.setattr(pdf, "convert_to_pdf", fake)
    out = tmp_path / "m.docx"
    result = run("doc", "minutes", "2025-03-06", "-C", branch_copy, "-o", out, "--pdf")
    assert result.exit_code == 0, result.stderr
    assert calls == [([out], tmp_path)]
    assert result.stdout == f"已生成 {out}\n已生成 {tmp_path / 'm.pdf'}\n"


def test_pdf_option_without_libreoffice_is_exit_2(run, branch_copy, tmp_path, monkeypatch):
    pdf = pytest.importorskip("zhibu.render.pdf")

    def missing(paths, outdir):
        raise ZhibuError("没有找到 LibreOffice（soffice）。", "安装 LibreOffice 后重试。")

    monkeypatch.setattr(pdf, "convert_to_pdf", missing)
    out = tmp_path / "p.docx"
    result = run("doc", "plan", "--year", "2025", "-C", branch_copy, "-o", out, "--pdf")
    assert result.exit_code == 2
    assert "LibreOffice" in result.stderr
    assert out.exists()  # the .docx is written before the conversion is tried


def test_ledger_xlsx_option(run, branch_copy, tmp_path, monkeypatch):
    xlsx = pytest.importorskip("zhibu.render.xlsx")
    calls = []

    def fake(branch, rules, year, path):
        calls.append((branch.config.short_name, sorted(rules) == sorted(build_standard(branch).rules), year, Path(path)))
        Path(path).write_bytes(b"xlsx")

    monkeypatch.setattr(xlsx, "write_ledger_xlsx", fake)
    out = tmp_path / "一册.docx"
    result = run("doc", "ledger", "--year", "2025", "-C", branch_copy, "-o", out, "--xlsx")
    assert result.exit_code == 0, result.stderr
    assert calls == [("计算机学院教工第一党支部", True, 2025, tmp_path / "一册.xlsx")]
    assert result.stdout.splitlines() == [f"已生成 {out}", f"已生成 {tmp_path / '一册.xlsx'}"]


@pytest.mark.parametrize("command", [k.name for k in documents.commands()])
def test_doc_help_has_examples(run, command):
    result = run("doc", command, "--help")
    assert result.exit_code == 0
    assert "示例：" in result.stdout and f"zhibu doc {command}" in result.stdout


@pytest.mark.parametrize("args", [["doc", "--help"], ["doc", "ledger", "--help"]])
def test_doc_help_stays_light(args):
    from test_startup import heavy_in, imported_modules

    assert heavy_in(imported_modules(*args)) == []


def test_a_sign_in_sheet_for_a_meeting_not_held_yet_needs_no_record(run, branch_copy, tmp_path):
    # The same sheet as from the record, from the type and date alone: 应到 from that day's roster.
    recorded, planned = tmp_path / "recorded.docx", tmp_path / "planned.docx"
    assert run("doc", "signin", "2025-03-06", "-C", branch_copy, "-o", recorded).exit_code == 0
    result = run(
        "doc",
        "signin",
        "--type",
        "支委会",
        "--date",
        "2025-03-06",
        "--time",
        "14:30-16:00",
        "--place",
        "学院党员活动室",
        "--host",
        "王建国",
        "-C",
        branch_copy,
        "-o",
        planned,
    )
    assert result.exit_code == 0, result.stderr
    assert dump(planned) == dump(recorded).replace("records/2025/2025-03-06-支部委员会.yaml", "会议安排（尚未登记记录）")
    before = sorted(p.relative_to(branch_copy).as_posix() for p in branch_copy.rglob("*.yaml"))
    # From a plan item: its type, date and topic; nothing is written into the branch.
    from_plan = tmp_path / "plan.docx"
    result = run("doc", "signin", "--plan", "2025-03-学习-1", "-C", branch_copy, "-o", from_plan)
    assert result.exit_code == 0, result.stderr
    text = dump(from_plan)
    assert "2025年3月" in text and "应到" in text
    assert sorted(p.relative_to(branch_copy).as_posix() for p in branch_copy.rglob("*.yaml")) == before


@pytest.mark.parametrize(
    "args, needle",
    [
        ([], "二者选一"),
        (["2025-03-06", "--type", "支委会"], "二者选一"),
        (["--plan", "2099-01-学习-9"], "一表中没有计划条目"),
        (["--type", "党小组会", "--date", "2026-03-11"], "--group"),
        (["--type", "支委会"], "--date"),
        (["--type", "支部大会会", "--date", "2026-03-11"], "会议类型"),
    ],
)
def test_a_planned_sign_in_sheet_says_what_is_missing(run, branch_copy, args, needle):
    result = run("doc", "signin", *args, "-C", branch_copy)
    assert result.exit_code == 2 and needle in result.stderr and "Traceback" not in result.stderr
