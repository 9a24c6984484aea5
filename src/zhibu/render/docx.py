"""Write a :class:`zhibu.render.layout.Document` as a .docx laid out per GB/T 9704-2012.

The only module that imports python-docx. The layout follows GB/T 9704-2012 as
measured in LibreOffice (docs/documents.md): A4 with margins 37/35/28/26 mm, body
仿宋_GB2312 三号 on a 22-line grid (``docGrid type="lines" linePitch=579``, exact
line spacing, −0.25 pt character spacing for 28 characters a line, no punctuation
hung past the margin: ``OVERFLOW_PUNCT``), title
方正小标宋简体 二号, headings 黑体 and 楷体_GB2312, page numbers "— 1 —" in 宋体
四号, odd pages on the right and even pages on the left, one character in.
Chinese fonts are set through ``w:eastAsia`` (with
``w:hint="eastAsia"``) on the document defaults, the styles and every run, and
every ``*Theme`` font attribute is removed, because a theme attribute overrides
the explicit font in Word.

Pagination is written on each paragraph and row, so it holds whatever the base
document's styles say: ``keepNext`` where the description keeps a paragraph with
the next block (titles, headings, a table's lead-in line, a signature block and
the paragraph before it), widow and orphan control on every paragraph, and
``cantSplit`` on every table row (docs/documents.md, 分页).

The base document is the branch's ``templates/reference.docx`` when there is one
(its styles, page setup, header and footer are kept; only missing fonts and
styles are filled in), else the built-in ``templates/reference.docx``, which
:func:`build_reference` makes (``python -m zhibu.render.docx --write-reference
templates/reference.docx``). Output is reproducible: core properties come from
the data, and the zip entries carry the document's date, so the same records
give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import zipfile
from pathlib import Path

import docx
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt, Twips

from ..errors import ZhibuError
from ..model.redact import clean
from . import layout

# --- GB/T 9704-2012 -----------------------------------------------------------------------

FONTS = {
    "body": "仿宋_GB2312",
    "title": "方正小标宋简体",
    "heading1": "黑体",
    "heading2": "楷体_GB2312",
    "page": "宋体",
}
LATIN = "Times New Roman"

PAGE_WIDTH, PAGE_HEIGHT = 11906, 16838  # A4 in twentieths of a point
MARGINS = {"top": 2098, "bottom": 1984, "left": 1587, "right": 1474}  # 37 / 35 / 28 / 26 mm
HEADER_DISTANCE, FOOTER_DISTANCE = 851, 1304  # 15 mm; 23 mm puts the page number 7 mm below the type area
LINE_PITCH = 579  # 28.95 pt: 22 lines in the 637 pt type height
CHAR_SPACING = -5  # −0.25 pt: 28 characters of 16 pt in the 442 pt type width
PAGE_NUMBER_INSET = 280  # one character of 四号 (14 pt) between the page number and the type area's edge
# Punctuation at the end of a full line (docs/documents.md, "网格与行末标点"): LibreOffice's DOCX import reads
# w:overflowPunct inverted (writerfilter: hanging = val == 0), and a 、，。；：！？ it hangs past a full
# 28-character line is often not drawn at all. val="1" turns LibreOffice's hanging off, so the mark
# takes the character before it to the next line (its line-start rule); for Word and WPS "1" is their
# default, "allow punctuation to extend past the margin", where the mark is drawn in the right margin.
OVERFLOW_PUNCT = "1"

# Roles of the description -> style names (python-docx looks names up in any language's Word file).
STYLE_NAMES = {"body": "Normal", "title": "Title", "heading1": "Heading 1", "heading2": "Heading 2"}
TABLE_TEXT = "表格文字"
REFERENCE = "reference.docx"
MAX_REFERENCE_BYTES = 20 * 1024 * 1024  # a letterhead with a logo is a few hundred KB
MAX_REFERENCE_UNPACKED = 100 * 1024 * 1024

_THEME_ATTRS = tuple(qn(f"w:{a}") for a in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"))
_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


def _twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


def _rfonts(east_asian: str, latin: str = LATIN) -> str:
    return f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{east_asian}" w:cs="{latin}" w:hint="eastAsia"/>'


def _rpr(east_asian: str, half_points: int, spacing: int | None = CHAR_SPACING) -> str:
    spacing_xml = f'<w:spacing w:val="{spacing}"/>' if spacing else ""
    return (
        f"<w:rPr>{_rfonts(east_asian)}{spacing_xml}"
        f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/><w:lang w:eastAsia="zh-CN"/></w:rPr>'
    )


_EXACT = f'<w:spacing w:before="0" w:after="0" w:line="{LINE_PITCH}" w:lineRule="exact"/>'
_SINGLE = '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
_NO_INDENT = '<w:ind w:firstLineChars="0" w:firstLine="0"/>'


def _style_xml(
    style_id: str, name: str, ppr: str, rpr: str, based_on: str | None = "Normal", extra: str = "", default: bool = False
) -> str:
    based = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    flag = ' w:default="1"' if default else ""
    return (
        f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="{style_id}"{flag}>'
        f'<w:name w:val="{name}"/>{based}{extra}<w:qFormat/><w:pPr>{ppr}</w:pPr>{rpr}</w:style>'
    )


def gbt_styles(normal_id: str = "Normal") -> dict[str, str]:
    """The GB/T paragraph styles as XML, by style name; ``normal_id`` is the id they are based on."""
    nxt = f'<w:next w:val="{normal_id}"/>'
    return {
        "Normal": _style_xml(
            "Normal",
            "Normal",
            f'<w:widowControl w:val="0"/>{_EXACT}<w:ind w:firstLineChars="200" w:firstLine="640"/><w:jc w:val="both"/>',
            _rpr(FONTS["body"], 32),
            based_on=None,
            default=True,
        ),
        "Title": _style_xml(
            "Title",
            "Title",
            f'<w:keepNext/>{_EXACT}{_NO_INDENT}<w:jc w:val="center"/>',
            _rpr(FONTS["title"], 44, spacing=None),
            based_on=normal_id,
            extra=nxt,
        ),
        "Heading 1": _style_xml(
            "Heading1",
            "heading 1",
            f'<w:keepNext/><w:keepLines/>{_EXACT}<w:outlineLvl w:val="0"/>',
            _rpr(FONTS["heading1"], 32),
            based_on=normal_id,
            extra=nxt,
        ),
        "Heading 2": _style_xml(
            "Heading2",
            "heading 2",
            f'<w:keepNext/><w:keepLines/>{_EXACT}<w:outlineLvl w:val="1"/>',
            _rpr(FONTS["heading2"], 32),
            based_on=normal_id,
            extra=nxt,
        ),
        "Header": _style_xml(
            "Header",
            "header",
            f'<w:snapToGrid w:val="0"/>{_SINGLE}{_NO_INDENT}<w:jc w:val="center"/>',
            _rpr(FONTS["page"], 28, spacing=None),
            based_on=normal_id,
        ),
        "Footer": _style_xml(
            "Footer",
            "footer",
            f'<w:snapToGrid w:val="0"/>{_SINGLE}{_NO_INDENT}<w:jc w:val="center"/>',
            _rpr(FONTS["page"], 28, spacing=None),
            based_on=normal_id,
        ),
        TABLE_TEXT: _style_xml(
            "TableText",
            TABLE_TEXT,
            f'<w:snapToGrid w:val="0"/>{_SINGLE}{_NO_INDENT}<w:jc w:val="center"/>',
            _rpr(FONTS["body"], 24, spacing=None),
            based_on=normal_id,
        ),
    }


# Roles whose font zhibu fills in on a base document's style that names none of its own.
_STYLE_ROLE = {
    "Normal": "body",
    "Title": "title",
    "Heading 1": "heading1",
    "Heading 2": "heading2",
    "Header": "page",
    "Footer": "page",
    TABLE_TEXT: "body",
}


# --- the base document ----------------------------------------------------------------------


def builtin_reference() -> bytes:
    from ..assets import templates

    source = templates() / REFERENCE
    try:
        return source.read_bytes()
    except FileNotFoundError:
        raise ZhibuError(
            f"zhibu 自带的版式文件 {REFERENCE} 不见了，安装不完整。",
            "重新安装 zhibu（在源码中运行 python -m zhibu.render.docx --write-reference templates/reference.docx）。",
        ) from None


def branch_reference(root: Path) -> Path | None:
    """The branch's own reference document, templates/reference.docx, when it has one."""
    path = root / "templates" / REFERENCE
    return path if os.path.lexists(path) else None


def _read_branch_reference(root: Path, path: Path) -> bytes:
    rel = path.relative_to(root).as_posix()
    real = path.resolve()
    if real != root.resolve() and root.resolve() not in real.parents:
        raise ZhibuError(f"{rel} 是指向支部目录以外的符号链接，拒绝读取。", "把版式文件本身放在支部的 templates/ 中。")
    if not real.is_file():
        raise ZhibuError(f"{rel} 不是文件。", "templates/reference.docx 应为 Word 文档（.docx）。")
    size = real.stat().st_size
    if size > MAX_REFERENCE_BYTES:
        raise ZhibuError(
            f"{rel} 大小 {size // (1024 * 1024)} MB，超过上限 {MAX_REFERENCE_BYTES // (1024 * 1024)} MB。",
            "版式文件只需样式、页眉页脚和红头，删去其中的大图片后重试。",
        )
    return real.read_bytes()


def open_base(root: Path | None):
    """The document to start from: the branch's reference, else the built-in one."""
    path = branch_reference(root) if root is not None else None
    if path is None:
        return docx.Document(io.BytesIO(builtin_reference()))
    data = _read_branch_reference(root, path)
    rel = path.relative_to(root).as_posix()
    hint = "用 Word 或 WPS 把它另存为“Word 文档（*.docx）”（不是 .doc、.dotx 或 .wps）后重试；删除该文件则使用 zhibu 自带的版式。"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if sum(i.file_size for i in z.infolist()) > MAX_REFERENCE_UNPACKED:
                raise ZhibuError(f"{rel} 解压后超过 {MAX_REFERENCE_UNPACKED // (1024 * 1024)} MB，拒绝读取。", hint)
        return docx.Document(io.BytesIO(data))
    except ZhibuError:
        raise
    except Exception as exc:  # zipfile, python-docx and lxml each raise their own kind for a bad file
        raise ZhibuError(f"{rel} 无法作为 Word 文档打开（{type(exc).__name__}: {exc}）。", hint) from None


def _strip_themes(rfonts) -> None:
    for attr in _THEME_ATTRS:
        if attr in rfonts.attrib:
            del rfonts.attrib[attr]


def _style_by_name(document, name: str):
    try:
        return document.styles[name]
    except KeyError:
        return None


def prepare(document) -> None:
    """Make a base document safe for Chinese text: explicit East Asian fonts, no theme fonts, zh-CN.

    Fonts a style names itself are kept (a branch's letterhead may choose its own);
    a style that names no East Asian font gets the GB/T one for its role, and a
    style zhibu needs but the document lacks is added.
    """
    styles = document.styles.element
    # document defaults
    doc_defaults = styles.find(qn("w:docDefaults"))
    if doc_defaults is None:
        doc_defaults = parse_xml(f"<w:docDefaults {nsdecls('w')}><w:rPrDefault><w:rPr/></w:rPrDefault></w:docDefaults>")
        styles.insert(0, doc_defaults)
    rpr_default = doc_defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        doc_defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    rpr_fonts = _get_or_add_first(rpr, "w:rFonts")
    _strip_themes(rpr_fonts)
    _fill_fonts(rpr_fonts, FONTS["body"])
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        _insert_in_order(rpr, lang, _RPR_ORDER)
    lang.set(qn("w:eastAsia"), "zh-CN")
    _keep_line_end_punctuation(document, doc_defaults)

    # every style: theme font attributes out
    for rfonts in styles.iter(qn("w:rFonts")):
        _strip_themes(rfonts)
        if not rfonts.attrib:
            rfonts.getparent().remove(rfonts)

    # the styles zhibu uses
    normal = _style_by_name(document, "Normal")
    normal_id = normal.style_id if normal is not None else "Normal"
    definitions = gbt_styles(normal_id)
    for name, role in _STYLE_ROLE.items():
        style = _style_by_name(document, name)
        if style is None:
            element = parse_xml(definitions[name])
            if name != "Normal" or normal is None:
                element.set(qn("w:styleId"), _free_id(document, element.get(qn("w:styleId"))))
            styles.append(element)
            continue
        style_rpr = style.element.get_or_add_rPr()
        own = style_rpr.find(qn("w:rFonts"))
        if own is None or own.get(qn("w:eastAsia")) is None:
            own = _get_or_add_first(style_rpr, "w:rFonts")
            _fill_fonts(own, FONTS[role])
    # the settings' theme language: Japanese in python-docx's template
    settings = document.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")


def _keep_line_end_punctuation(document, doc_defaults) -> None:
    """``w:overflowPunct`` = OVERFLOW_PUNCT on the document defaults and wherever the base sets it.

    A base document (a branch's letterhead saved by Word with 允许标点溢出边界 unticked) may say
    val="0" in a style or a paragraph, which LibreOffice would read as "hang" and lose the mark.
    """
    ppr_default = doc_defaults.find(qn("w:pPrDefault"))
    if ppr_default is None:
        ppr_default = OxmlElement("w:pPrDefault")
        doc_defaults.append(ppr_default)
    ppr = ppr_default.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        ppr_default.append(ppr)
    _ppr_child(ppr, "w:overflowPunct").set(qn("w:val"), OVERFLOW_PUNCT)
    parts = [document.styles.element, document.element.body]
    for section in document.sections:
        for part in (
            section.header,
            section.footer,
            section.even_page_header,
            section.even_page_footer,
            section.first_page_header,
            section.first_page_footer,
        ):
            if not part.is_linked_to_previous:
                parts.append(part._element)
    for part in parts:
        for element in part.iter(qn("w:overflowPunct")):
            element.set(qn("w:val"), OVERFLOW_PUNCT)


def _free_id(document, wanted: str) -> str:
    taken = {s.style_id for s in document.styles}
    candidate, n = wanted, 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted}{n}"
    return candidate


def _fill_fonts(rfonts, east_asian: str) -> None:
    if rfonts.get(qn("w:eastAsia")) is None:
        rfonts.set(qn("w:eastAsia"), east_asian)
    for attr in ("ascii", "hAnsi", "cs"):
        if rfonts.get(qn(f"w:{attr}")) is None:
            rfonts.set(qn(f"w:{attr}"), LATIN)
    rfonts.set(qn("w:hint"), "eastAsia")


_RPR_ORDER = (
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
)
_PPR_ORDER = (
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
)


def _insert_in_order(parent, child, order: tuple[str, ...]) -> None:
    """Insert ``child`` where the schema's sequence puts it (Word rejects children out of order)."""
    name = child.tag.split("}")[1]
    later = set(order[order.index(name) + 1 :])
    for i, existing in enumerate(parent):
        if existing.tag.split("}")[1] in later:
            parent.insert(i, child)
            return
    parent.append(child)


def _child(parent, tag: str, order) -> object:
    """The ``tag`` child of ``parent``, added where the schema's ``order`` puts it when missing."""
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        _insert_in_order(parent, found, order)
    return found


def _get_or_add_first(rpr, tag: str):
    return _child(rpr, tag, _RPR_ORDER)


def _ppr_child(ppr, tag: str):
    return _child(ppr, tag, _PPR_ORDER)


# --- effective fonts -------------------------------------------------------------------------


class _Fonts:
    """The East Asian font each style resolves to (own, else basedOn, else docDefaults)."""

    def __init__(self, document):
        self.by_id = {s.style_id: s.element for s in document.styles}
        defaults = document.styles.element.find(qn("w:docDefaults"))
        self.default = None
        if defaults is not None:
            self.default = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")

    def east_asian(self, style_id: str | None, fallback: str) -> str:
        seen = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            element = self.by_id.get(style_id)
            if element is None:
                break
            rfonts = element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
            if rfonts is not None and rfonts.get(qn("w:eastAsia")):
                return rfonts.get(qn("w:eastAsia"))
            based = element.find(qn("w:basedOn"))
            style_id = based.get(qn("w:val")) if based is not None else None
        if self.default is not None and self.default.get(qn("w:eastAsia")):
            return self.default.get(qn("w:eastAsia"))
        return fallback


def _set_run_fonts(run, east_asian: str) -> None:
    rpr = run._r.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("ascii", "hAnsi", "cs"):
        rfonts.set(qn(f"w:{attr}"), LATIN)
    rfonts.set(qn("w:eastAsia"), east_asian)
    rfonts.set(qn("w:hint"), "eastAsia")


# --- writing -----------------------------------------------------------------------------------


class _Writer:
    def __init__(self, document):
        self.document = document
        self.fonts = _Fonts(document)
        self.style_ids = {}
        for role, name in {**STYLE_NAMES, "table": TABLE_TEXT}.items():
            self.style_ids[role] = document.styles[name].style_id
        self.break_before = False
        self.previous = None  # the paragraph just written, while nothing else follows it

    def font_of(self, role: str) -> str:
        return self.fonts.east_asian(self.style_ids[role], FONTS.get(role, FONTS["body"]))

    def paragraph(self, block: layout.Paragraph) -> None:
        p = self.document.add_paragraph(style=self.document.styles[STYLE_NAMES[block.style]])
        ppr = p._p.get_or_add_pPr()
        if self.break_before:
            _ppr_child(ppr, "w:pageBreakBefore")
            self.break_before = False
        if block.keep_with_next:
            _ppr_child(ppr, "w:keepNext")
        # Widow and orphan control on every paragraph, whatever the base document's styles say:
        # a paragraph broken across pages leaves at least two lines on each.
        _ppr_child(ppr, "w:widowControl")
        self.previous = p._p
        if not block.indent:
            ind = _ppr_child(ppr, "w:ind")
            ind.set(qn("w:firstLineChars"), "0")
            ind.set(qn("w:firstLine"), "0")
        if block.align:
            p.alignment = _ALIGN[block.align]
        if block.text:
            run = p.add_run(clean(block.text))  # the output boundary: masked, no XML-illegal character
            _set_run_fonts(run, self.font_of(block.style))
            if block.size:
                run.font.size = Pt(block.size)

    def page_break(self) -> None:
        self.break_before = True

    def table(self, block: layout.Table) -> None:
        if self.break_before:  # a table cannot start a page by itself: an empty paragraph carries the break
            self.paragraph(layout.para("", indent=False))
        if block.keep_with_previous and self.previous is not None:
            _ppr_child(self.previous.get_or_add_pPr(), "w:keepNext")
        self.previous = None
        n_rows, n_cols = len(block.rows), len(block.widths)
        table = self.document.add_table(rows=n_rows, cols=n_cols)
        table.autofit = False
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        tbl = table._tbl
        tbl_pr = tbl.tblPr
        for child in list(tbl_pr):
            if child.tag in (qn("w:tblStyle"), qn("w:tblW"), qn("w:tblBorders"), qn("w:tblCellMar"), qn("w:tblLayout")):
                tbl_pr.remove(child)
        total = sum(_twips(w) for w in block.widths)
        margin = _twips(block.cell_margin)
        borders = "".join(
            f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
            for side in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        for xml in (
            f'<w:tblW {nsdecls("w")} w:w="{total}" w:type="dxa"/>',
            f"<w:tblBorders {nsdecls('w')}>{borders}</w:tblBorders>",
            f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>',
            f'<w:tblCellMar {nsdecls("w")}><w:left w:w="{margin}" w:type="dxa"/>'
            f'<w:right w:w="{margin}" w:type="dxa"/></w:tblCellMar>',
        ):
            _insert_in_order(tbl_pr, parse_xml(xml), _TBLPR_ORDER)
        for grid_col, width in zip(tbl.tblGrid.gridCol_lst, block.widths):
            grid_col.w = Twips(_twips(width))  # python-docx lengths are EMU; Twips converts
        for merge in block.merges:
            table.cell(merge.top, merge.left).merge(table.cell(merge.bottom, merge.right))

        heading_font, body_font = self.font_of("heading1"), self.font_of("table")
        covered = {
            (r, c)
            for m in block.merges
            for r in range(m.top, m.bottom + 1)
            for c in range(m.left, m.right + 1)
            if (r, c) != (m.top, m.left)
        }
        for r, tr in enumerate(tbl.tr_lst):
            tr_pr = tr.get_or_add_trPr()
            _insert_in_order(tr_pr, OxmlElement("w:cantSplit"), _TRPR_ORDER)
            if r < block.header_rows:
                _insert_in_order(tr_pr, OxmlElement("w:tblHeader"), _TRPR_ORDER)
            elif block.row_height:
                height = parse_xml(f'<w:trHeight {nsdecls("w")} w:val="{_twips(block.row_height)}" w:hRule="atLeast"/>')
                _insert_in_order(tr_pr, height, _TRPR_ORDER)
            col = 0
            for tc in tr.tc_lst:
                span = tc.grid_span
                tc_pr = tc.get_or_add_tcPr()
                tc_pr.width = Twips(sum(_twips(w) for w in block.widths[col : col + span]))
                tc_pr.vAlign_val = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                cell = block.rows[r][col]
                paragraphs = tc.p_lst
                for extra in paragraphs[1:]:  # a merge concatenates the cells' paragraphs
                    tc.remove(extra)
                p = paragraphs[0]
                for child in list(p):
                    if child.tag != qn("w:pPr"):
                        p.remove(child)
                self._cell_paragraph(p, cell, (r, col) in covered, heading_font if cell.header else body_font, block.size)
                if block.keep_together and r < len(block.rows) - 1:
                    # Word and LibreOffice keep a table together when every row but the last keeps
                    # with the next.
                    _insert_in_order(p.get_or_add_pPr(), OxmlElement("w:keepNext"), _PPR_ORDER)
                col += span

    def _cell_paragraph(self, p, cell: layout.Cell, covered: bool, font: str, size: float) -> None:
        ppr = p.get_or_add_pPr()
        style = _ppr_child(ppr, "w:pStyle")
        style.set(qn("w:val"), self.style_ids["table"])
        # Without this, table text snaps to the 28.95 pt body grid and every row doubles (tech.md §4).
        _ppr_child(ppr, "w:snapToGrid").set(qn("w:val"), "0")
        _ppr_child(ppr, "w:jc").set(qn("w:val"), {"left": "left", "center": "center", "right": "right"}[cell.align])
        if covered or not cell.text:
            return
        r = p.add_r()
        r.text = clean(cell.text)
        rpr = r.get_or_add_rPr()
        rfonts = rpr.get_or_add_rFonts()
        for attr in ("ascii", "hAnsi", "cs"):
            rfonts.set(qn(f"w:{attr}"), LATIN)
        rfonts.set(qn("w:eastAsia"), font)
        rfonts.set(qn("w:hint"), "eastAsia")
        half = round(size * 2)
        _insert_in_order(rpr, parse_xml(f'<w:sz {nsdecls("w")} w:val="{half}"/>'), _RPR_ORDER)
        _insert_in_order(rpr, parse_xml(f'<w:szCs {nsdecls("w")} w:val="{half}"/>'), _RPR_ORDER)


_TBLPR_ORDER = (
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
    "tblCaption",
    "tblDescription",
)
_TRPR_ORDER = (
    "cnfStyle",
    "divId",
    "gridBefore",
    "gridAfter",
    "wBefore",
    "wAfter",
    "cantSplit",
    "trHeight",
    "tblHeader",
    "tblCellSpacing",
    "jc",
    "hidden",
)
_TCPR_ORDER = (
    "cnfStyle",
    "tcW",
    "gridSpan",
    "hMerge",
    "vMerge",
    "tcBorders",
    "shd",
    "noWrap",
    "tcMar",
    "textDirection",
    "tcFitText",
    "vAlign",
    "hideMark",
)


def _no_cover_number(document) -> None:
    """The cover shows no page number (nor the letterhead's header): an empty first-page header and footer."""
    section = document.sections[0]
    section.different_first_page_header_footer = True
    for part in (section.first_page_header, section.first_page_footer):
        part.is_linked_to_previous = False


def _core_properties(document, description: layout.Document) -> None:
    props = document.core_properties
    stamp = dt.datetime(description.date.year, description.date.month, description.date.day)
    props.title = clean(description.title)
    props.subject = description.kind
    props.author = clean(description.author)
    props.last_modified_by = clean(description.author)
    props.created = stamp
    props.modified = stamp
    props.revision = 1
    props.comments = clean(description.comments)
    props.language = "zh-CN"
    for name in ("keywords", "category", "content_status", "identifier", "version"):
        setattr(props, name, "")
    element = props._element
    for child in list(element):
        if child.tag == qn("cp:lastPrinted"):
            element.remove(child)


def render(description: layout.Document, root: Path | None = None):
    """The python-docx Document for a description, on the branch's reference or the built-in one."""
    document = open_base(root)
    prepare(document)
    writer = _Writer(document)
    for block in description.blocks:
        if isinstance(block, layout.Paragraph):
            writer.paragraph(block)
        elif isinstance(block, layout.Table):
            writer.table(block)
        elif isinstance(block, layout.PageBreak):
            writer.page_break()
        else:  # pragma: no cover - the description's types are closed
            raise TypeError(f"unknown block {block!r}")
    if description.cover:
        _no_cover_number(document)
    _core_properties(document, description)
    return document


def save(document, path: Path, day: dt.date) -> None:
    """Save with every zip entry stamped ``day`` (python-docx stamps "now"), atomically."""
    buffer = io.BytesIO()
    document.save(buffer)
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            zout.writestr(entry, zin.read(info.filename))
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".zhibu-", suffix=".docx", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(out.getvalue())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_docx(description: layout.Document, path: Path, root: Path | None = None) -> Path:
    """Write ``description`` to ``path`` (a .docx) using the branch at ``root``'s reference document."""
    document = render(description, root)
    save(document, Path(path), description.date)
    return Path(path)


# --- the built-in reference document ----------------------------------------------------------

_KEEP_STYLES = {"Normal", "DefaultParagraphFont", "TableNormal", "NoList", "TableGrid"}


def build_reference():
    """The built-in reference: python-docx's template reduced to the GB/T styles, page setup and page numbers."""
    document = docx.Document()
    package = document.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # a picture of python-docx's empty page
            del package.rels[rid]
    part_rels = document.part.rels
    for rid, rel in list(part_rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):  # Word 2010's copy of the old styles
            del part_rels[rid]
            part_rels.related_parts.pop(rid, None)

    styles = document.styles.element
    for style in list(styles.findall(qn("w:style"))):
        if style.get(qn("w:styleId")) not in _KEEP_STYLES:
            styles.remove(style)
    for old in styles.findall(qn("w:style")):
        if old.get(qn("w:styleId")) == "Normal":
            styles.remove(old)
    defaults = styles.find(qn("w:docDefaults"))
    styles.remove(defaults)
    styles.insert(
        0,
        parse_xml(
            f"<w:docDefaults {nsdecls('w')}><w:rPrDefault>{_rpr(FONTS['body'], 32, spacing=None)}</w:rPrDefault>"
            f"<w:pPrDefault><w:pPr>{_EXACT}</w:pPr></w:pPrDefault></w:docDefaults>"
        ),
    )
    for xml in gbt_styles().values():
        styles.append(parse_xml(xml))

    section = document.sections[0]
    sect_pr = section._sectPr
    for child in list(sect_pr):
        if child.tag in (qn("w:pgSz"), qn("w:pgMar"), qn("w:cols"), qn("w:docGrid")):
            sect_pr.remove(child)
    for xml in (
        f'<w:pgSz {nsdecls("w")} w:w="{PAGE_WIDTH}" w:h="{PAGE_HEIGHT}"/>',
        f'<w:pgMar {nsdecls("w")} w:top="{MARGINS["top"]}" w:right="{MARGINS["right"]}" '
        f'w:bottom="{MARGINS["bottom"]}" w:left="{MARGINS["left"]}" w:header="{HEADER_DISTANCE}" '
        f'w:footer="{FOOTER_DISTANCE}" w:gutter="0"/>',
        f'<w:cols {nsdecls("w")} w:space="425"/>',
        f'<w:docGrid {nsdecls("w")} w:type="lines" w:linePitch="{LINE_PITCH}"/>',
    ):
        sect_pr.append(parse_xml(xml))
    # GB/T 9704-2012 §7.5: the page number in 4号 半角宋体 with a 一字线 on each side, odd pages on
    # the right and even pages on the left, each one character (四号, 14 pt) in from the type area,
    # for documents printed on both sides: separate odd and even footers.
    document.settings.odd_and_even_pages_header_footer = True
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = document.styles["Footer"]
        p._p.get_or_add_pPr().append(parse_xml(f'<w:ind {nsdecls("w")} w:{side}="{PAGE_NUMBER_INSET}"/>'))
        p._p.get_or_add_pPr().append(parse_xml(f'<w:jc {nsdecls("w")} w:val="{side}"/>'))
        rfonts = _rfonts(FONTS["page"])
        run = f"<w:r {nsdecls('w')}><w:rPr>{rfonts}</w:rPr>{{}}</w:r>"
        for inner in (
            '<w:t xml:space="preserve">— </w:t>',
            '<w:fldChar w:fldCharType="begin"/>',
            '<w:instrText xml:space="preserve"> PAGE </w:instrText>',
            '<w:fldChar w:fldCharType="separate"/>',
            "<w:t>1</w:t>",
            '<w:fldChar w:fldCharType="end"/>',
            '<w:t xml:space="preserve"> —</w:t>',
        ):
            p._p.append(parse_xml(run.format(inner)))
    prepare(document)

    description = layout.Document(
        kind="参考版式",
        title="zhibu 参考版式（GB/T 9704-2012）",
        author="zhibu",
        date=dt.date(2025, 1, 1),
        blocks=(),
        comments="zhibu 生成文书的基础文档：样式、页面设置和页码。可复制到支部的 templates/ 中修改。",
    )
    _core_properties(document, description)
    return document


def write_reference(path: Path) -> Path:
    save(build_reference(), Path(path), dt.date(2025, 1, 1))
    return Path(path)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m zhibu.render.docx", description="Build zhibu's reference .docx.")
    parser.add_argument("--write-reference", metavar="PATH", required=True, help="where to write reference.docx")
    args = parser.parse_args(argv)
    print(write_reference(Path(args.write_reference)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
