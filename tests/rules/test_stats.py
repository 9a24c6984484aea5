"""The year's statistics count exactly what the frequency rules of zhibu check count."""

from __future__ import annotations

import datetime as dt

from zhibu.check import check_branch
from zhibu.examples import clean_files, write_branch
from zhibu.report.stats import year_table


def test_statistics_and_check_agree_month_by_month(tmp_path):
    content = clean_files()
    for rel in ("records/2025/2025-04-09-支部委员会.yaml", "records/2025/2025-09-11-党课.yaml"):
        del content[rel]
    root = write_branch(tmp_path / "b", content)
    result = check_branch(root, as_of=dt.date(2025, 12, 31), year=2025, strict=True)
    table = {row.label: row for row in year_table(result.loaded.branch, result.standard.rules, 2025)}

    committee = table["支部委员会"]
    empty_months = {f"2025-{m:02d}" for m, n in enumerate(committee.months, 1) if n == 0}
    reported = {f.period for f in result.findings if f.code == "meeting.committee-monthly"}
    waived = {f.period for f, _w in result.waived if f.code == "meeting.committee-monthly"}
    assert empty_months == reported | waived == {"2025-02", "2025-04"}
    assert committee.requirement == "每月至少1次（B）"

    lectures = table["党课"]
    assert sum(lectures.months[6:9]) == 0  # Q3
    assert [f.period for f in result.findings if f.code == "meeting.lecture-quarterly"] == ["2025Q3"]
    assert "每季度至少1次（B）" in lectures.requirement

    study = table["学习"]
    assert study.months[8] == 0 and [f.period for f in result.findings if f.code == "plan.study-held"] == ["2025-09"]
    assert table["谈心谈话"].total == len(result.loaded.branch.talks_in(2025))
