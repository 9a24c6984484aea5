"""PDF through LibreOffice: the real client (skipped only when soffice is absent) and its failures.

The real-client tests convert documents in one ``soffice`` call and check the
result with poppler: ``pdftotext`` (the Chinese text is there), ``pdffonts``
(a CJK font is embedded, and the shipped alias file sent 仿宋/黑体/楷体 to the
Song, Hei and Kai faces) and ``pdfinfo`` (the page count).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest
from conftest import SAMPLE

from zhibu.errors import ZhibuError
from zhibu.render import documents
from zhibu.render import pdf as pdfmod
from zhibu.render.pdf import convert_to_pdf, fonts_conf

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdffonts", "pdfinfo"))
real_client = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it")


# --- helpers ---------------------------------------------------------------------------------


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])


def pdf_fonts(path: Path) -> list[tuple[str, bool]]:
    """(font name, embedded) for every font of the PDF."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    fonts = []
    for line in out.splitlines()[2:]:
        match = re.match(r"(\S+)\s+.*?\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", line)
        if match:
            fonts.append((match[1].split("+")[-1], match[2] == "yes"))
    return fonts


def embedded_cjk(path: Path) -> set[str]:
    return {
        name
        for name, embedded in pdf_fonts(path)
        if embedded and re.search(r"CJK|UKai|UMing|Sungti|WenQuanYi|Song|Hei|Kai|Fang", name)
    }


def set_east_asian_font(run, name: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("ascii", "hAnsi", "cs"):
        fonts.set(qn(f"w:{attr}"), "Times New Roman")
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:hint"), "eastAsia")
    lang = OxmlElement("w:lang")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)


BODY = "深入学习贯彻党的二十届四中全会精神，扎实推进支部标准化规范化建设。"


def make_docx(path: Path, pages: int, *, heading_font: str = "黑体", body_font: str = "仿宋_GB2312") -> Path:
    """A document of ``pages`` pages: a 黑体 title and 仿宋_GB2312 body on each, explicit page breaks."""
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.shared import Pt

    document = Document()
    for page in range(1, pages + 1):
        heading = document.add_paragraph()
        run = heading.add_run(f"支部委员会会议记录（第{page}页）")
        run.font.size = Pt(22)
        set_east_asian_font(run, heading_font)
        for _ in range(6):
            run = document.add_paragraph().add_run(BODY)
            run.font.size = Pt(16)
            set_east_asian_font(run, body_font)
        if page < pages:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.save(path)
    return path


@pytest.fixture
def count_calls(monkeypatch):
    """How many processes convert_to_pdf starts (one per batch)."""
    calls = []
    real = subprocess.Popen

    def popen(command, *args, **kwargs):
        calls.append(list(command))
        return real(command, *args, **kwargs)

    monkeypatch.setattr(pdfmod.subprocess, "Popen", popen)
    return calls


# --- the real client ---------------------------------------------------------------------------


@real_client
@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdffonts, pdfinfo) is not installed")
def test_documents_convert_in_one_call_with_chinese_fonts_embedded(tmp_path, count_calls):
    one = make_docx(tmp_path / "一页.docx", 1)
    two = make_docx(tmp_path / "两页.docx", 2, body_font="楷体_GB2312")
    out = tmp_path / "pdf"
    made = convert_to_pdf([one, two], out)
    assert made == [out / "一页.pdf", out / "两页.pdf"]
    assert len(count_calls) == 1 and str(one) in count_calls[0] and str(two) in count_calls[0]
    assert [pdf_pages(p) for p in made] == [1, 2]
    for path in made:
        text = pdf_text(path)
        assert "支部委员会会议记录" in text and "深入学习贯彻党的二十届四中全会精神" in text
        assert embedded_cjk(path), pdf_fonts(path)
    # the alias file at work: 黑体 is a Hei (sans) face, 仿宋_GB2312 a Song (serif) one, 楷体_GB2312 a Kai one;
    # without it fontconfig sends all of them to the same sans fallback
    first = embedded_cjk(made[0])
    assert any("Sans" in f or "Hei" in f for f in first) and any("Serif" in f or "Song" in f or "Ming" in f for f in first), first
    assert any("Kai" in f for f in embedded_cjk(made[1])), pdf_fonts(made[1])
    assert not [p for p in out.iterdir() if p.name.startswith(".zhibu-pdf-")]  # the staging folder is gone


@real_client
@pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed")
def test_an_existing_pdf_is_replaced(tmp_path):
    doc = make_docx(tmp_path / "记录.docx", 1)
    (tmp_path / "记录.pdf").write_bytes(b"old")
    [made] = convert_to_pdf([doc], tmp_path)
    assert made.read_bytes().startswith(b"%PDF") and pdf_pages(made) == 1


@pytest.fixture(scope="module")
def sample_documents(tmp_path_factory):
    """Every document kind of `zhibu doc` (the table in render/documents.py) for the sample branch as .docx."""
    from click.testing import CliRunner

    from zhibu.cli import cli

    base = tmp_path_factory.mktemp("docs")
    root = base / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    out = base / "docx"
    out.mkdir()
    commands = {
        "plan": ["doc", "plan", "--year", "2025"],
        "signin": ["doc", "signin", "2025-03-20"],
        "minutes": ["doc", "minutes", "2025-03-20"],
        "ledger": ["doc", "ledger", "--year", "2025"],
        "checkup": ["doc", "checkup", "--year", "2025", "--as-of", "2025-12-31"],
    }
    assert sorted(commands) == sorted(k.name for k in documents.commands())  # a new document is converted here too
    paths = {}
    for kind, args in commands.items():
        target = out / f"{kind}.docx"
        result = CliRunner().invoke(cli, [*args, "-o", str(target), "-C", str(root)])
        assert result.exit_code == 0, (kind, result.stderr)
        paths[kind] = target
    return root, paths


# Page counts of the sample's documents as laid out today (A4, GB/T 9704 margins, 22 lines a page).
# A deliberate layout change updates these; an accidental one (a font falling back to a wider
# face, a table no longer repeating its header) shows up here.
# The ledger's pages are counted from its records below.
EXPECTED_PAGES = {"plan": 2, "signin": 1, "minutes": 2, "checkup": 2}


def test_every_document_has_its_expected_pages():
    assert sorted([*EXPECTED_PAGES, "ledger"]) == sorted(k.name for k in documents.commands())


@real_client
@pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed")
def test_every_document_kind_of_the_sample_to_pdf_in_one_batch(sample_documents, tmp_path, count_calls):
    from zhibu.format.load import load_branch

    root, paths = sample_documents
    made = dict(zip(paths, convert_to_pdf(list(paths.values()), tmp_path)))
    assert len(count_calls) == 1
    branch = load_branch(root).branch
    texts = {kind: pdf_text(path) for kind, path in made.items()}
    assert "2025" in texts["plan"] and "赴西柏坡开展党性教育" in texts["plan"] and "学习贯彻中央经济工作会议精神" in texts["plan"]
    assert "签到表" in texts["signin"] and "王建国" in texts["signin"] and "签名" in texts["signin"]
    record = next(r for r in branch.records if r.date.isoformat() == "2025-03-20")
    assert "支部党员大会" in texts["minutes"] and record.topics[0][:12] in texts["minutes"].replace("\n", "")
    assert branch.config.name in texts["ledger"] and "统计表" in texts["ledger"]
    assert "体检报告" in texts["checkup"] and "评星定级" in texts["checkup"]
    for kind, path in made.items():
        assert embedded_cjk(path), (kind, pdf_fonts(path))
        assert any("Serif" in f or "Song" in f or "Ming" in f for f in embedded_cjk(path)), (kind, pdf_fonts(path))
    for kind, pages in EXPECTED_PAGES.items():
        assert pdf_pages(made[kind]) == pages, kind
    # the ledger: cover, contents, statistics, then every record of the year starting a page of its own
    records = [r for r in branch.records if r.date.year == 2025]
    pages = texts["ledger"].split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    assert len(pages) == pdf_pages(made["ledger"]) >= len(records) + 3
    starts = [i for i, page in enumerate(pages) if re.search(r"（第\s*\d+\s*份，共\s*%d\s*份）" % len(records), page)]
    assert len(starts) == len(records)


@real_client
@pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed")
def test_doc_command_with_pdf(sample_documents, tmp_path, run):
    root, _ = sample_documents
    target = tmp_path / "会议记录.docx"
    result = run("doc", "minutes", "2025-03-20", "-o", target, "--pdf", "-C", root)
    assert result.exit_code == 0, result.stderr
    pdf = target.with_suffix(".pdf")
    assert pdf.is_file() and pdf_pages(pdf) == EXPECTED_PAGES["minutes"]
    assert "支部党员大会" in pdf_text(pdf) and embedded_cjk(pdf)


# --- without LibreOffice, and when it fails ----------------------------------------------------


def test_missing_soffice_is_a_chinese_error(monkeypatch, tmp_path):
    monkeypatch.setattr(pdfmod.shutil, "which", lambda name, *a, **k: None)
    doc = tmp_path / "a.docx"
    doc.write_bytes(b"PK")
    with pytest.raises(ZhibuError) as caught:
        convert_to_pdf([doc], tmp_path)
    assert caught.value.exit_code == 2
    assert caught.value.message == "未找到 LibreOffice（soffice），无法生成 PDF。"
    assert "apt-get install" in caught.value.hint and "libreoffice" in caught.value.hint.lower()


def test_missing_soffice_through_the_cli_exits_2(sample_documents, tmp_path, run):
    root, _ = sample_documents
    empty = tmp_path / "bin"
    empty.mkdir()
    target = tmp_path / "签到表.docx"
    result = run("doc", "signin", "2025-03-20", "-o", target, "--pdf", "-C", root, env={"PATH": str(empty)})
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "错误：未找到 LibreOffice（soffice），无法生成 PDF。" in result.stderr
    assert "提示：安装 LibreOffice" in result.stderr and "Traceback" not in result.stderr
    assert not target.with_suffix(".pdf").exists()


def fake_soffice(folder: Path, body: str, name: str = "soffice") -> Path:
    """A stand-in for soffice on PATH: a shell script with ``body``."""
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script


# Writes its arguments and FONTCONFIG_FILE, then a PDF for each input into --outdir
# (shell built-ins only: PATH holds nothing but the stand-in).
RECORDING = r"""
log="${0%/*}/calls.log"
printf '%s\n' "$@" > "$log"
printf 'FONTCONFIG_FILE=%s\n' "$FONTCONFIG_FILE" >> "$log"
out=""; prev=""
for a in "$@"; do [ "$prev" = "--outdir" ] && out="$a"; prev="$a"; done
for a in "$@"; do case "$a" in *.docx) b="${a##*/}"; printf '%%PDF-1.4 fake' > "$out/${b%.docx}.pdf";; esac; done
exit 0
"""


@pytest.mark.skipif(os.name != "posix", reason="the stand-in soffice is a shell script")
def test_one_call_with_its_own_profile_and_the_font_aliases(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    fake_soffice(bin_dir, RECORDING, name="libreoffice")  # the name some distributions use
    monkeypatch.setenv("PATH", str(bin_dir))
    docs = [tmp_path / f"{n}.docx" for n in ("甲", "乙", "丙")]
    for d in docs:
        d.write_bytes(b"PK")
    made = convert_to_pdf(docs, tmp_path / "out")
    assert [p.name for p in made] == ["甲.pdf", "乙.pdf", "丙.pdf"] and all(p.is_file() for p in made)
    log = (bin_dir / "calls.log").read_text(encoding="utf-8").splitlines()
    assert "--headless" in log and log[log.index("--convert-to") + 1] == "pdf"
    profile = next(a for a in log if a.startswith("-env:UserInstallation="))
    assert profile.startswith("-env:UserInstallation=file:///")
    assert not Path(profile.split("file://", 1)[1]).exists()  # the temporary profile is removed
    assert [a for a in log if a.endswith(".docx")] == [str(d) for d in docs]
    assert log[-1] == f"FONTCONFIG_FILE={fonts_conf()}"
    conf = fonts_conf().read_text(encoding="utf-8")
    for family in ("仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体", "Noto Serif CJK SC", "AR PL UKai CN"):
        assert f"<family>{family}</family>" in conf


@pytest.mark.skipif(os.name != "posix", reason="the stand-in soffice is a shell script")
@pytest.mark.parametrize(
    "body, needles",
    [
        (
            "echo 'Error: source file could not be loaded' >&2\nexit 1\n",
            ["LibreOffice 转换 PDF 失败（退出状态 1）", "source file could not be loaded"],
        ),
        ("echo 'convert a.docx -> nothing'\nexit 0\n", ["LibreOffice 未能把 a.docx 转换为 PDF", "nothing"]),
    ],
)
def test_a_failed_conversion_is_a_chinese_error(tmp_path, monkeypatch, body, needles):
    fake_soffice(tmp_path / "bin", body)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    doc = tmp_path / "a.docx"
    doc.write_bytes(b"PK")
    out = tmp_path / "out"
    with pytest.raises(ZhibuError) as caught:
        convert_to_pdf([doc], out)
    for needle in needles:
        assert needle in caught.value.message
    assert caught.value.hint and list(out.iterdir()) == []


@pytest.mark.skipif(os.name != "posix", reason="the stand-in soffice is a shell script")
def test_a_hanging_soffice_is_stopped(tmp_path, monkeypatch):
    pid_file = tmp_path / "child.pid"
    # soffice starts soffice.bin; the stand-in starts a child too, so the whole group must go
    fake_soffice(tmp_path / "bin", f"sleep 60 &\necho $! > {pid_file}\nwait\n")
    monkeypatch.setenv("PATH", str(tmp_path / "bin") + os.pathsep + os.environ.get("PATH", ""))
    doc = tmp_path / "a.docx"
    doc.write_bytes(b"PK")
    started = time.monotonic()
    with pytest.raises(ZhibuError) as caught:
        convert_to_pdf([doc], tmp_path / "out", timeout=1)
    assert time.monotonic() - started < 20
    assert "超时" in caught.value.message
    child = int(pid_file.read_text())
    for _ in range(50):
        if not running(child):
            break
        time.sleep(0.1)
    else:
        pytest.fail("the child of the stand-in soffice is still running")


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan waits for a PID 1 that may never reap it in a container)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat_file = Path(f"/proc/{pid}/stat")
    if stat_file.exists():
        return stat_file.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def test_inputs_are_checked_before_starting_soffice(tmp_path, monkeypatch):
    monkeypatch.setattr(pdfmod, "find_soffice", lambda: pytest.fail("soffice must not start"))
    with pytest.raises(ZhibuError, match="找不到要转换的文件"):
        convert_to_pdf([tmp_path / "missing.docx"], tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "记录.docx").write_bytes(b"PK")
    with pytest.raises(ZhibuError, match="同名"):
        convert_to_pdf([tmp_path / "a/记录.docx", tmp_path / "b/记录.docx"], tmp_path)
    assert convert_to_pdf([], tmp_path) == []


def page_number_boxes(pdf: Path) -> dict[int, tuple[float, float, float]]:
    """Page -> (left, right, top) in points of the "— N —" line below the type area, as poppler reads it."""
    import subprocess

    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    out = {}
    for number, page in enumerate(html.split("<page ")[1:], 1):
        words = [
            (float(a), float(b), float(c), w)
            for a, b, c, w in re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', page)
        ]
        line = [w for w in words if w[1] > 750]  # below the type area, which ends at 297 - 35 mm = 742.7 pt
        if [w[3] for w in line] == ["—", str(number), "—"]:
            out[number] = (min(w[0] for w in line), max(w[2] for w in line), min(w[1] for w in line))
    return out


@real_client
@pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed")
def test_page_numbers_sit_as_gbt_9704_puts_them(sample_documents, tmp_path):
    # §7.5: 4号 半角宋体 with a 一字线 each side, 7 mm below the type area; odd pages right and even
    # pages left, one character (14 pt) in from the type area's edge; the ledger's cover has none.
    _root, paths = sample_documents
    (ledger,) = convert_to_pdf([paths["ledger"]], tmp_path)
    boxes = page_number_boxes(ledger)
    pages = pdf_pages(ledger)
    assert 1 not in boxes and sorted(boxes) == list(range(2, pages + 1))
    mm = 72 / 25.4
    left_edge, right_edge = 28 * mm + 14, (210 - 26) * mm - 14  # the type area, one 14 pt character in
    for page, (left, right, top) in boxes.items():
        if page % 2:
            assert abs(right - right_edge) < 2, (page, right, right_edge)
        else:
            assert abs(left - left_edge) < 2, (page, left, left_edge)
        assert abs(top - (297 - 35 + 7) * mm) < 4, (page, top)  # the line's box starts 7 mm below the type area


SIGNIN_NAMES = [f"{a}{b}" for a in "张王李赵刘陈杨黄周吴" for b in "伟芳娜敏静丽强磊军洋"]


def signin_for(tmp_path: Path, people: int, kind: str = "党课") -> Path:
    """The sign-in sheet of a branch of ``people`` members, for a meeting whose details take the
    most lines (a 党课 names its lecturer too)."""
    from zhibu.examples import write_branch
    from zhibu.format.load import load_branch
    from zhibu.render import layout
    from zhibu.render.docx import write_docx

    names = SIGNIN_NAMES[:people]
    members = "members:\n" + "".join(
        f"  - {{name: {n}, status: 正式党员, admitted: 2000-01-01, full_since: 2001-01-01, joined: 2010-01-01, group: 第一党小组}}\n"
        for n in names
    )
    root = write_branch(
        tmp_path / f"b{people}",
        {
            "zhibu.yaml": "format: 1\nname: 中共测试学院教工第一支部委员会\nshort_name: 测试学院教工第一党支部\n"
            "parent: 中共测试学院委员会\ncategory: 高校\ngroups: [第一党小组]\n",
            "members.yaml": members,
            "committee.yaml": f"terms:\n  - elected: 2024-07-05\n    members:\n      - {{name: {names[0]}, role: 书记, approved: 2024-07-10}}\n",
            f"records/2025/2025-10-12-{kind}.yaml": f'type: {kind}\ndate: 2025-10-12\ntime: "09:00-10:30"\nplace: 学院会议室\n'
            f"host: {names[0]}\nlecturer: {names[0]}\nrecorder: {names[0]}\ntopics: [讨论]\n",
        },
    )
    branch = load_branch(root).branch
    return write_docx(layout.signin_sheet(branch, branch.records[0]), tmp_path / f"签到表-{people}.docx", root)


@real_client
@pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed")
def test_a_sign_in_sheet_fits_one_page_up_to_thirty_people(tmp_path):
    # One column up to 10 people, two columns from 11; beyond 30 the 列席 table goes over the page
    # whole, never split from its heading.
    sizes = (5, 10, 11, 20, 30, 31)
    pdfs = dict(zip(sizes, convert_to_pdf([signin_for(tmp_path, n) for n in sizes], tmp_path / "pdf")))
    assert {n: pdf_pages(p) for n, p in pdfs.items()} == {5: 1, 10: 1, 11: 1, 20: 1, 30: 1, 31: 2}
    pages = pdf_text(pdfs[31]).split("\f")
    assert "列席人员" in pages[1] and "单位及职务" in pages[1] and "列席人员" not in pages[0]
    for n, pdf in pdfs.items():
        text = pdf_text(pdf)
        assert all(name in text for name in SIGNIN_NAMES[:n]), n  # nobody lost in the two columns
