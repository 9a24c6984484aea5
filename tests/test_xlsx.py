"""Spreadsheets: the ledger's statistics and records, the plan; read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from conftest import SAMPLE
from openpyxl import load_workbook

from zhibu.errors import ZhibuError
from zhibu.format.load import load_branch
from zhibu.render.xlsx import (
    PLAN_HEADERS,
    RECORD_HEADERS,
    STATS_HEADERS,
    write_ledger_xlsx,
    write_plan_xlsx,
)
from zhibu.report.stats import year_table
from zhibu.standard.layers import build_standard


@pytest.fixture(scope="module")
def branch():
    return load_branch(SAMPLE).branch


@pytest.fixture(scope="module")
def rules(branch):
    return build_standard(branch).rules


@pytest.fixture
def ledger(branch, rules, tmp_path):
    path = write_ledger_xlsx(branch, rules, 2025, tmp_path / "2025年记录.xlsx")
    return load_workbook(path)


def header(ws) -> list:
    return [c.value for c in ws[1]]


def test_ledger_sheets_headers_and_frozen_header_row(ledger):
    assert ledger.sheetnames == ["统计", "记录"]
    stats, records = ledger["统计"], ledger["记录"]
    assert header(stats) == list(STATS_HEADERS) == ["类型", *[f"{m}月" for m in range(1, 13)], "全年", "标准"]
    assert (
        header(records)
        == list(RECORD_HEADERS)
        == ["日期", "类型", "党小组", "地点", "主持人", "记录人", "应到", "实到", "缺席", "议题", "文件"]
    )
    assert stats.freeze_panes == "A2" and records.freeze_panes == "A2"
    # widths suited to Chinese text: the topic column is wide, the counts narrow
    assert records.column_dimensions["J"].width >= 40 and records.column_dimensions["G"].width <= 8
    assert stats.column_dimensions["O"].width >= 30 and stats.column_dimensions["B"].width <= 8


def test_statistics_equal_year_table(ledger, branch, rules):
    stats = ledger["统计"]
    table = year_table(branch, rules, 2025)
    rows = [[c.value for c in row] for row in stats.iter_rows(min_row=2)]
    assert len(rows) == len(table)
    for row, expected in zip(rows, table):
        assert row[0] == expected.label
        assert row[1:13] == list(expected.months)
        assert row[13] == expected.total == sum(expected.months)
        assert (row[14] or "") == expected.requirement
    by_label = {row[0]: row for row in rows}
    assert by_label["主题党日"][1:13] == [1] * 12  # one every month in the sample
    assert by_label["支部委员会"][13] == sum(1 for r in branch.records if r.date.year == 2025 and r.has_type("支部委员会"))
    assert "每月至少1次（B）" in by_label["支部委员会"][14]


def test_one_row_per_record(ledger, branch):
    ws = ledger["记录"]
    records = [r for r in branch.records if r.date.year == 2025]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(records) > 50
    first = dict(zip(RECORD_HEADERS, rows[0]))
    r = records[0]
    assert first["日期"] == dt.datetime(2025, 1, 8) and first["类型"] == "支部委员会" == r.type_label
    assert first["地点"] == r.place and first["主持人"] == r.host and first["记录人"] == r.recorder
    assert first["应到"] == len(branch.expected_at(r)) and first["实到"] == len(r.attendees)
    assert first["议题"] == "\n".join(r.topics) and first["文件"] == "records/2025/2025-01-08-支部委员会.yaml"
    assert ws.cell(row=2, column=1).number_format == "yyyy-mm-dd"
    # a 党小组会 names its group; absentees carry their reasons
    group_row = next(dict(zip(RECORD_HEADERS, row)) for row in rows if row[1] == "党小组会")
    assert group_row["党小组"] in ("第一党小组", "第二党小组")
    with_absent = [(rec, row) for rec, row in zip(records, rows) if rec.absent]
    assert with_absent
    rec, row = with_absent[0]
    a = rec.absent[0]
    assert row[8].startswith(f"{a.name}（{a.reason}）" if a.reason else a.name)
    # 实践活动 expects nobody in particular: 应到 is left empty, not 0
    practice = next(row for row in rows if row[1] == "实践活动")
    assert practice[6] is None and practice[7] > 0


def test_ledger_properties_come_from_the_data(ledger, branch):
    props = ledger.properties
    assert props.creator == branch.config.name
    last = max(r.date for r in branch.records if r.date.year == 2025)
    assert props.created == props.modified == dt.datetime(last.year, last.month, last.day)
    assert props.title == "计算机学院教工第一党支部2025年会议记录统计"


def test_output_is_byte_for_byte_reproducible(branch, rules, tmp_path):
    a = write_ledger_xlsx(branch, rules, 2025, tmp_path / "a.xlsx").read_bytes()
    b = write_ledger_xlsx(branch, rules, 2025, tmp_path / "b.xlsx").read_bytes()
    assert a == b
    with zipfile.ZipFile(tmp_path / "a.xlsx") as archive:
        stamps = {info.date_time for info in archive.infolist()}
    assert stamps == {(2025, 12, 26, 0, 0, 0)}  # the last record's date, not the time of writing


def test_an_empty_year(branch, rules, tmp_path):
    wb = load_workbook(write_ledger_xlsx(branch, rules, 2030, tmp_path / "empty.xlsx"))
    assert wb["记录"].max_row == 1
    assert all(row[13] == 0 for row in wb["统计"].iter_rows(min_row=2, values_only=True))
    assert wb.properties.created == dt.datetime(2030, 1, 1)


def test_plan_sheet(branch, tmp_path):
    plan = branch.plan_for(2025)
    wb = load_workbook(write_plan_xlsx(plan, branch, tmp_path / "计划.xlsx"))
    assert wb.sheetnames == ["年度计划"]
    ws = wb["年度计划"]
    assert header(ws) == list(PLAN_HEADERS) == ["月份", "类别", "编号", "内容", "形式", "计划日期", "责任人"]
    assert ws.freeze_panes == "A2"
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(plan.items) == 29
    assert rows[0] == (
        "1月",
        "学习",
        "2025-01-学习-1",
        "学习贯彻中央经济工作会议精神",
        "集中学习",
        dt.datetime(2025, 1, 10),
        "陈志强",
    )
    # months in order, 学习 before 活动 inside a month
    keys = [(int(r[0][:-1]), r[1]) for r in rows]
    assert keys == sorted(keys, key=lambda k: (k[0], k[1] != "学习"))
    assert ("7月", "活动", "2025-07-活动-2") in [r[:3] for r in rows]
    assert wb.properties.creator == branch.config.name
    assert wb.properties.created == dt.datetime(2025, 12, 26)


def test_unwritable_target_is_a_chinese_error(branch, rules, tmp_path):
    folder = tmp_path / "a-folder.xlsx"
    folder.mkdir()
    with pytest.raises(ZhibuError) as caught:
        write_ledger_xlsx(branch, rules, 2025, folder)
    assert "无法写入" in caught.value.message and str(folder) in caught.value.message
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no temporary file left behind


def test_doc_ledger_xlsx_uses_this_writer(tmp_path, run):
    """`zhibu doc ledger --xlsx` (the other document commands) writes the same workbook."""
    import shutil

    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    out = tmp_path / "记录本.docx"
    result = run("doc", "ledger", "--year", "2025", "-o", out, "--xlsx", "-C", root)
    assert result.exit_code == 0, result.stderr
    sheet = out.with_suffix(".xlsx")
    branch = load_branch(root).branch
    direct = write_ledger_xlsx(branch, build_standard(branch).rules, 2025, tmp_path / "direct.xlsx")
    assert sheet.read_bytes() == direct.read_bytes()


# --- printing ------------------------------------------------------------------------------------


def test_every_sheet_is_set_up_to_print(ledger, branch, tmp_path):
    plan = load_workbook(write_plan_xlsx(branch.plan_for(2025), branch, tmp_path / "计划.xlsx"))
    for wb in (plan, ledger):
        for ws in wb.worksheets:
            assert str(ws.page_setup.paperSize) == str(ws.PAPERSIZE_A4) and ws.page_setup.orientation == "landscape"
            assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
            assert ws.page_setup.fitToHeight == 0
            assert ws.print_title_rows == "$1:$1"  # the header row on every page
            assert branch.config.display_name in ws.oddHeader.center.text and "2025" in ws.oddHeader.center.text
            assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
            assert ws.freeze_panes == "A2" and ws.auto_filter.ref  # still frozen and filtered on screen


def calc_to_pdf(xlsx, out_dir):
    """The spreadsheet as LibreOffice Calc prints it (its own profile), or skip without Calc."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None or not shutil.which("pdfinfo"):
        pytest.skip("LibreOffice or poppler is not installed; .ci/run installs them")
    profile = (out_dir / "profile").as_uri()
    done = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(out_dir), str(xlsx)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = out_dir / (xlsx.stem + ".pdf")
    if not pdf.exists():
        if "calc" in (done.stderr + done.stdout).lower() or done.returncode:
            pytest.skip(f"LibreOffice Calc could not convert ({done.stderr.strip()[:200]}); .ci/run installs it")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_the_printed_plan_and_statistics_keep_their_columns_together(branch, rules, tmp_path):
    # Before: the exported 一表 printed on three A4 pages with its columns split apart, the
    # statistics spilled 10–12月 onto a second page. Now each sheet is one page wide.
    plan = write_plan_xlsx(branch.plan_for(2025), branch, tmp_path / "plan.xlsx")
    assert calc_to_pdf(plan, tmp_path) == 1
    ledger_book = write_ledger_xlsx(branch, rules, 2025, tmp_path / "ledger.xlsx")
    assert calc_to_pdf(ledger_book, tmp_path) == 2  # the statistics sheet and the records sheet, a page each
