"""zhibu standard show / explain / update."""

from __future__ import annotations

import json

from conftest import git, init_repo

T_PACK_V1 = """\
pack: T-示例区教育工委
layer: T
title: 示例区教育工委党支部工作特色要求
version: 2026.1
rules:
  - code: meeting.committee-monthly
    severity: error
monthly_topics:
  2026-03: [学习贯彻全国两会精神]
"""

T_PACK_V2 = (
    T_PACK_V1.replace("version: 2026.1", "version: 2026.2")
    + """\
  2026-04: [清明节缅怀革命先烈主题教育]
"""
)
T_PACK_V2 = T_PACK_V2.replace(
    "rules:\n",
    "rules:\n  - code: T.talk-twice-yearly\n    kind: frequency\n    title: 谈心谈话每年不少于2次\n"
    "    type: 谈心谈话\n    per: member\n    period: year\n    min: 2\n    severity: warning\n"
    "    source: 示例区教育工委〔2025〕3号\n",
)


def _branch_with_x_pack(git_branch):
    from conftest import DEFAULT_ZHIBU

    x_pack = "pack: X-本支部\nlayer: X\ntitle: 本支部\nversion: 1\nrules: []\n"
    return git_branch(
        {"zhibu.yaml": DEFAULT_ZHIBU + "standard:\n  - standards/X-本支部.yaml\n", "standards/X-本支部.yaml": x_pack}
    )


def test_update_from_a_file_vendors_lists_before_x_and_commits(git_branch, run, repo, tmp_path):
    root = _branch_with_x_pack(git_branch)
    source = tmp_path / "下载" / "T-示例区教育工委.yaml"
    source.parent.mkdir()
    source.write_text(T_PACK_V1, encoding="utf-8")
    before = repo(root).count()
    result = run("standard", "update", source, "-C", root)
    assert result.exit_code == 0, result.stderr
    assert (root / "standards/T-示例区教育工委.yaml").read_text(encoding="utf-8") == T_PACK_V1
    assert "  - standards/T-示例区教育工委.yaml\n  - standards/X-本支部.yaml\n" in (root / "zhibu.yaml").read_text(
        encoding="utf-8"
    )
    assert repo(root).count() == before + 1
    assert repo(root).message().startswith("标准 更新 T-示例区教育工委 2026.1")
    assert repo(root).status() == ""
    assert "meeting.committee-monthly" in result.stdout

    shown = run("standard", "show", "--format", "json", "-C", root)
    data = json.loads(shown.stdout)
    assert [p["pack"] for p in data["standard"]] == ["B", "T-示例区教育工委", "X-本支部"]
    rule = next(r for r in data["rules"] if r["code"] == "meeting.committee-monthly")
    assert rule["severity"] == "error" and rule["set_by"]["severity"] == "T-示例区教育工委"


def test_update_from_a_git_repository_shows_what_changed(git_branch, run, repo, tmp_path):
    root = _branch_with_x_pack(git_branch)
    published = tmp_path / "committee-standard"
    published.mkdir()
    init_repo(published)
    (published / "T-示例区教育工委.yaml").write_text(T_PACK_V1, encoding="utf-8")
    git(published, "add", "-A")
    git(published, "commit", "-q", "-m", "v1")
    url = published.as_uri()
    assert run("standard", "update", url, "-C", root).exit_code == 0

    (published / "T-示例区教育工委.yaml").write_text(T_PACK_V2, encoding="utf-8")
    git(published, "commit", "-q", "-am", "v2")
    result = run("standard", "update", url, "-C", root)
    assert result.exit_code == 0, result.stderr
    assert "新增" in result.stdout and "T.talk-twice-yearly" in result.stdout
    assert "monthly_topics 2026-04" in result.stdout
    assert "新增 2 项" in repo(root).message()
    # listed once, not twice
    assert (root / "zhibu.yaml").read_text(encoding="utf-8").count("T-示例区教育工委") == 1

    again = run("standard", "update", url, "-C", root)
    assert again.exit_code == 2 and "已是最新" in again.stderr


def test_update_refuses_a_pack_that_loosens_the_baseline(git_branch, run, repo, tmp_path):
    root = git_branch()
    source = tmp_path / "T-宽松.yaml"
    source.write_text(
        "pack: T-宽松\nlayer: T\ntitle: x\nversion: 1\nrules:\n  - {code: meeting.theme-day-monthly, severity: info}\n",
        encoding="utf-8",
    )
    head = repo(root).head()
    result = run("standard", "update", source, "-C", root)
    assert result.exit_code == 2
    assert "放宽" in result.stderr or "降为" in result.stderr
    assert repo(root).head() == head and repo(root).status() == ""
    assert not (root / "standards").exists()


def test_update_refuses_an_x_pack_and_a_missing_source(git_branch, run, tmp_path):
    root = git_branch()
    x = tmp_path / "X.yaml"
    x.write_text("pack: X-a\nlayer: X\nrules: []\n", encoding="utf-8")
    assert run("standard", "update", x, "-C", root).exit_code == 2
    missing = run("standard", "update", tmp_path / "nope.yaml", "-C", root)
    assert missing.exit_code == 2 and "找不到规则包" in missing.stderr


def test_explain_shows_rule_source_example_and_how_to_waive(run, tmp_path):
    result = run("standard", "explain", "meeting.quorum", cwd=tmp_path)  # outside any branch: B only
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "第十一条" in out and "示例（" in out and "waivers.yaml" in out
    unknown = run("standard", "explain", "meeting.quorom", cwd=tmp_path)
    assert unknown.exit_code == 2 and "meeting.quorum" in unknown.stderr


def test_show_lists_every_baseline_code(make_branch, run):
    from zhibu.standard.layers import baseline_rules

    root = make_branch()
    result = run("standard", "show", "-C", root)
    assert result.exit_code == 0
    for code in baseline_rules()[1]:
        assert code in result.stdout
