"""留痕: audit findings, closing, witnesses and history-based checks, in real git repositories."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import GIT_USER, git, init_repo, record_text

from zhibu.check import check_branch
from zhibu.history.trail import history_log, read_trail

REC = "records/2026/2026-03-05-支部委员会.yaml"


def commit_at(root: Path, when: str, message: str, *paths: str, author: str = GIT_USER) -> str:
    """Commit ``paths`` (all changes when none) with both dates set to ``when``."""
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_AUTHOR_NAME": author,
        "GIT_COMMITTER_NAME": author,
    }
    subprocess.run(["git", "add", "-A", *paths], cwd=root, check=True)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=root, check=True, env=env)
    return git(root, "rev-parse", "HEAD")


@pytest.fixture
def history_branch(make_branch):
    """A branch committed on 2026-01-05, git-initialised with a repo-local identity."""
    root = make_branch()
    init_repo(root)
    commit_at(root, "2026-01-05T09:00:00+08:00", "建立台账")
    return root


def audit_codes(result):
    return [(f.code, f.path, f.subject) for f in result.findings if f.code.startswith("audit.")]


def add_record(root: Path, when: str, text: str | None = None, rel: str = REC) -> str:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text or record_text(), encoding="utf-8")
    return commit_at(root, when, f"记录 {rel}")


def test_late_record_from_the_first_commit_of_the_file(history_branch):
    add_record(history_branch, "2026-04-20T20:00:00+08:00")  # 46 days after 2026-03-05
    result = check_branch(history_branch, as_of=dt.date(2026, 4, 30))
    [finding] = [f for f in result.findings if f.code == "audit.late-record"]
    assert finding.path == REC and finding.subject == GIT_USER
    assert "2026-04-20" in finding.message and "晚 46 天" in finding.message


def test_a_record_committed_in_time_is_not_late(history_branch):
    add_record(history_branch, "2026-03-06T20:00:00+08:00")
    assert audit_codes(check_branch(history_branch, as_of=dt.date(2026, 4, 30))) == []


def test_a_rename_keeps_the_first_commit_date(history_branch):
    add_record(history_branch, "2026-03-06T20:00:00+08:00")
    new = "records/2026/2026-03-05-支委会会议.yaml"
    git(history_branch, "mv", REC, new)
    commit_at(history_branch, "2026-06-01T20:00:00+08:00", "改名")
    result = check_branch(history_branch, as_of=dt.date(2026, 6, 30))
    assert audit_codes(result) == []  # not "first committed on 2026-06-01"
    lines = [e.text for e in history_log(history_branch, record=new)]
    assert lines[0].startswith("新建 支部委员会 2026-03-05")
    assert lines[1] == f"改名 {REC} → {new}"


def test_uncommitted_changes_are_reported(history_branch):
    add_record(history_branch, "2026-03-06T20:00:00+08:00")
    (history_branch / REC).write_text(record_text(place="会议室"), encoding="utf-8")
    (history_branch / "records/2026/草稿.yaml").write_text(record_text(), encoding="utf-8")
    result = check_branch(history_branch, as_of=dt.date(2026, 4, 30))
    found = sorted((f.code, f.path) for f in result.findings if f.code == "audit.uncommitted")
    assert found == [("audit.uncommitted", REC), ("audit.uncommitted", "records/2026/草稿.yaml")]


def test_edit_after_close_with_and_without_a_reason(history_branch, run):
    add_record(history_branch, "2026-03-06T20:00:00+08:00")
    closed = run("-C", history_branch, "close", "2026-03", "--as-of", "2026-04-02", "--force")  # the test branch has errors
    assert closed.exit_code == 0, closed.stderr
    assert git(history_branch, "tag", "-l") == "zhibu/close/2026-03"
    assert "关账 2026年3月" in git(history_branch, "tag", "-n9", "zhibu/close/2026-03")

    (history_branch / REC).write_text(record_text(place="学院报告厅"), encoding="utf-8")
    sha = commit_at(history_branch, "2026-04-10T18:00:00+08:00", "改地点", author="王建国")
    result = check_branch(history_branch, as_of=dt.date(2026, 4, 30))
    [finding] = [f for f in result.findings if f.code == "audit.edited-after-close"]
    assert finding.subject == "王建国" and "2026-04-10" in finding.message and sha[:7] in finding.message

    (history_branch / REC).write_text(record_text(place="学院党员活动室"), encoding="utf-8")
    commit_at(history_branch, "2026-04-12T18:00:00+08:00", "更正地点\n\n补正原因：据签到表更正", author="李晓梅")
    result = check_branch(history_branch, as_of=dt.date(2026, 4, 30))
    assert len([f for f in result.findings if f.code == "audit.edited-after-close"]) == 1  # only the first
    assert any("补正原因：据签到表更正" in note and "李晓梅" in note for note in result.notes)


def test_close_refuses_a_running_period_and_a_second_close(history_branch, run):
    running = run("-C", history_branch, "close", "2026-04", "--as-of", "2026-04-15")
    assert running.exit_code == 2 and "还不能关账" in running.stderr
    with_errors = run("-C", history_branch, "close", "2026Q1", "--as-of", "2026-04-15")
    assert with_errors.exit_code == 2 and "个错误，没有关账" in with_errors.stderr
    assert run("-C", history_branch, "close", "2026Q1", "--as-of", "2026-04-15", "--force").exit_code == 0
    again = run("-C", history_branch, "close", "2026Q1", "--as-of", "2026-04-16", "--force")
    assert again.exit_code == 2 and "已经关账" in again.stderr


def test_rewritten_history_is_caught_against_a_witness(history_branch, run, tmp_path):
    add_record(history_branch, "2026-03-06T20:00:00+08:00")
    witness = tmp_path / "见证.txt"
    assert run("-C", history_branch, "audit", "witness", "--append", witness).exit_code == 0
    ok = run("-C", history_branch, "audit", "verify", witness)
    assert ok.exit_code == 0 and "完好" in ok.stdout

    git(history_branch, "reset", "-q", "--hard", "HEAD~1")  # the record's commit is gone
    add_record(history_branch, "2026-03-07T20:00:00+08:00", record_text(place="另一个地点"))
    bad = run("-C", history_branch, "audit", "verify", witness)
    assert bad.exit_code == 1 and "历史被改写" in bad.stdout + bad.stderr
    result = check_branch(history_branch, as_of=dt.date(2026, 4, 30), witness=witness.read_text().splitlines())
    assert [f.code for f in result.findings if f.code == "audit.history-rewritten"] == ["audit.history-rewritten"]
    assert result.exit_code == 1


def test_check_at_an_earlier_commit_reproduces_its_verdict(history_branch, run):
    add_record(history_branch, "2026-03-06T20:00:00+08:00")
    before = run("-C", history_branch, "check", "--as-of", "2026-03-31", "--format", "json")
    sha = git(history_branch, "rev-parse", "HEAD")
    (history_branch / REC).write_text(record_text(host="不存在的人"), encoding="utf-8")
    commit_at(history_branch, "2026-04-02T20:00:00+08:00", "改坏")
    now = run("-C", history_branch, "check", "--as-of", "2026-03-31", "--format", "json")
    assert json.loads(now.stdout)["summary"] != json.loads(before.stdout)["summary"]
    again = run("-C", history_branch, "check", "--as-of", "2026-03-31", "--at", sha, "--format", "json")
    assert json.loads(again.stdout)["findings"] == json.loads(before.stdout)["findings"]
    recorded = run("-C", history_branch, "check", "--as-recorded", "2026-03-31", "--format", "json")
    assert json.loads(recorded.stdout)["findings"] == json.loads(before.stdout)["findings"]
    assert "不存在的人" in (history_branch / REC).read_text(encoding="utf-8")  # work tree untouched


def test_outside_git_the_audit_rules_are_one_note(make_branch):
    result = check_branch(make_branch(), as_of=dt.date(2026, 4, 30))
    assert audit_codes(result) == []
    assert result.notes == ["不是 git 仓库（或还没有提交）：未检查留痕（audit.*）。"]


def test_shallow_and_detached_clones(history_branch, tmp_path):
    add_record(history_branch, "2026-03-06T20:00:00+08:00")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", history_branch.as_uri(), str(shallow)], check=True)
    result = check_branch(shallow, as_of=dt.date(2026, 4, 30))
    assert any("浅克隆" in note and "--unshallow" in note for note in result.notes)
    assert audit_codes(result) == []
    detached = tmp_path / "detached"
    subprocess.run(["git", "clone", "-q", history_branch.as_uri(), str(detached)], check=True)
    git(detached, "checkout", "-q", "--detach", "HEAD~1")
    result = check_branch(detached, as_of=dt.date(2026, 4, 30))
    assert any("detached HEAD" in note for note in result.notes)
    assert result.exit_code in (0, 1)


def test_dubious_ownership_gets_a_clear_message(history_branch, run, monkeypatch):
    # git refuses a repository owned by another user. zhibu says so, and offers a copy of
    # one's own instead of safe.directory (which would let that user's git settings run).
    if os.geteuid() != 0:
        pytest.skip("needs root to hand the repository to another user")
    os.chown(history_branch / ".git", 12345, 12345)
    os.chown(history_branch, 12345, 12345)
    result = run("-C", history_branch, "log")
    assert result.exit_code == 2
    assert "dubious ownership" in result.stderr and "另一个系统用户" in result.stderr
    assert "safe.directory" not in result.stderr and "git clone --mirror" in result.stderr
    check = check_branch(history_branch, as_of=dt.date(2026, 4, 30))
    assert any("git clone --mirror" in note for note in check.notes)
    assert not any("safe.directory" in note for note in check.notes)


def test_log_tells_the_story_of_a_record_field_by_field(history_branch, run):
    first = record_text(attendees="[王建国, 李晓梅]") + "absent:\n  - {name: 陈志强, reason: 出差}\n"
    add_record(history_branch, "2026-03-07T20:00:00+08:00", first)
    changed = first.replace("absent:\n  - {name: 陈志强, reason: 出差}\n", "absent:\n  - {name: 陈志强, reason: 病假}\n").replace(
        "place: 学院党员活动室", "place: 学院会议室"
    )
    (history_branch / REC).write_text(changed, encoding="utf-8")
    commit_at(history_branch, "2026-03-20T10:00:00+08:00", "更正", author="王建国")
    result = run("-C", history_branch, "log", "2026-03-05")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"2026-03-07 {GIT_USER} 新建 支部委员会 2026-03-05")
    assert lines[1].startswith(
        "2026-03-20 王建国 修改 支部委员会 2026-03-05 地点: 学院党员活动室 → 学院会议室；缺席人员: 陈志强 原因 出差 → 病假"
    )
    member = run("-C", history_branch, "log", "--member", "陈志强")
    assert "缺席人员: 陈志强 原因 出差 → 病假" in member.stdout
    assert "名册 新增 陈志强（正式党员）" in member.stdout
    since = run("-C", history_branch, "log", "--member", "陈志强", "--since", "2026-03-10")
    assert "名册 新增" not in since.stdout and "病假" in since.stdout


def test_audit_pass_is_one_history_read(history_branch, monkeypatch):
    """The audit rules read history once per check, not once per record."""
    from zhibu.store import gitrepo

    for day in range(1, 8):
        add_record(
            history_branch,
            f"2026-03-{day + 9:02d}T20:00:00+08:00",
            record_text(date=f"2026-03-{day:02d}"),
            rel=f"records/2026/2026-03-{day:02d}-支部委员会.yaml",
        )
    calls = []
    original = gitrepo.history
    monkeypatch.setattr(gitrepo, "history", lambda *a, **k: calls.append(a) or original(*a, **k))
    check_branch(history_branch, as_of=dt.date(2026, 4, 30))
    assert len(calls) == 1
    trail = read_trail(history_branch)
    assert len(trail.first_added) >= 10


def test_a_pack_can_require_signed_commits(make_branch, run):
    from conftest import DEFAULT_ZHIBU

    pack = (
        "pack: X-签名\nlayer: X\ntitle: 提交须签名\nversion: 1\nrules:\n"
        "  - {code: X.signed-commits, kind: signed-commits, since: 2026-03-01, severity: error, title: 提交须签名}\n"
    )
    root = make_branch({"zhibu.yaml": DEFAULT_ZHIBU + "standard: [standards/X-签名.yaml]\n", "standards/X-签名.yaml": pack})
    init_repo(root)
    commit_at(root, "2026-01-05T09:00:00+08:00", "建立台账")
    add_record(root, "2026-03-06T20:00:00+08:00")
    result = check_branch(root, as_of=dt.date(2026, 4, 30))
    unsigned = [f for f in result.findings if f.code == "X.signed-commits"]
    assert len(unsigned) == 1 and "没有签名" in unsigned[0].message  # the January commit predates the rule
    listed = run("-C", root, "audit", "signatures")
    assert listed.exit_code == 0 and listed.stdout.count("没有签名") == 2


def test_uncommitted_packs_and_holidays_are_reported_too(history_branch):
    (history_branch / "standards").mkdir()
    (history_branch / "standards/X-本支部.yaml").write_text("pack: X-本支部\nlayer: X\nrules: []\n", encoding="utf-8")
    (history_branch / "holidays.yaml").write_text("holidays: [2026-05-04]\n", encoding="utf-8")
    (history_branch / "attachments").mkdir()
    (history_branch / "attachments/签到表.pdf").write_bytes(b"%PDF")
    result = check_branch(history_branch, as_of=dt.date(2026, 4, 30))
    assert sorted(f.path for f in result.findings if f.code == "audit.uncommitted") == [
        "holidays.yaml",
        "standards/X-本支部.yaml",
    ]


def test_a_branch_inside_a_bigger_repository_is_not_audited_by_its_history(make_branch, tmp_path):
    outer = tmp_path / "大仓库"
    outer.mkdir()
    init_repo(outer)
    inner = make_branch()
    target = outer / "支部"
    inner.rename(target)
    commit_at(outer, "2026-11-01T10:00:00+08:00", "收入支部目录")
    result = check_branch(target, as_of=dt.date(2026, 4, 30))
    assert audit_codes(result) == []
    assert any("子目录（支部）" in note for note in result.notes)


def test_repository_state_read_from_files_agrees_with_git(history_branch, tmp_path, monkeypatch):
    """The batch fast path (HEAD and refs read from .git) says what ``git rev-parse`` says."""
    from zhibu.store import gitrepo

    def both(root: Path):
        from_files = gitrepo._state_from_files(root)
        assert from_files is not None, root
        assert from_files == gitrepo._state_from_git(root)
        return from_files

    unborn = tmp_path / "unborn"
    unborn.mkdir()
    init_repo(unborn)
    assert both(unborn).head is None
    head = git(history_branch, "rev-parse", "HEAD")
    assert both(history_branch) == gitrepo.RepoState(False, False, "", head)
    git(history_branch, "pack-refs", "--all")  # the ref now lives only in packed-refs
    assert not (history_branch / ".git/refs/heads/main").exists()
    assert both(history_branch).head == head
    mirror = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--mirror", history_branch.as_uri(), str(mirror)], check=True)
    assert both(mirror) == gitrepo.RepoState(True, False, "", head)
    add_record(history_branch, "2026-03-06T20:00:00+08:00")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", history_branch.as_uri(), str(shallow)], check=True)
    assert both(shallow).shallow
    # Where the layout is not the plain one, git is asked.
    assert gitrepo._state_from_files(history_branch / "records") is None
    assert gitrepo.state(history_branch / "records").prefix == "records/"
    git(history_branch, "checkout", "-q", "--detach", "HEAD~1")
    assert both(history_branch) == gitrepo.RepoState(False, False, "", head, detached=True)
    # core.bare, not the layout, decides whether a repository is bare; a symlinked HEAD names
    # a branch; a .git folder git would not take for a repository is left to git too.
    git(shallow, "config", "core.bare", "true")
    assert gitrepo._state_from_files(shallow) is None and gitrepo.state(shallow).bare
    git(shallow, "config", "core.bare", "false")
    git(mirror, "config", "core.bare", "false")
    assert gitrepo._state_from_files(mirror) is None and not gitrepo.state(mirror).bare
    (shallow / ".git/HEAD").unlink()
    (shallow / ".git/HEAD").symlink_to("refs/heads/main")
    assert gitrepo._state_from_files(shallow) is None
    assert gitrepo.state(shallow).detached is False
    stray = history_branch / "records" / "stray"
    (stray / ".git").mkdir(parents=True)
    (stray / ".git/HEAD").write_text("ref: refs/heads/main\n")
    assert gitrepo._state_from_files(stray) is None
    assert gitrepo.state(stray).prefix == "records/stray/"
    monkeypatch.setenv("GIT_DIR", str(mirror))
    assert gitrepo._state_from_files(history_branch) is None


def test_close_tags_are_found_loose_and_packed(history_branch, run):
    from zhibu.history.trail import CLOSE_TAG_PREFIX
    from zhibu.store import gitrepo

    assert gitrepo.tags(history_branch, CLOSE_TAG_PREFIX + "*") == []
    add_record(history_branch, "2026-03-06T20:00:00+08:00")
    assert run("-C", history_branch, "close", "2026-03", "--as-of", "2026-04-02", "--force").exit_code == 0
    [(name, _sha, _when, _message)] = gitrepo.tags(history_branch, CLOSE_TAG_PREFIX + "*")
    assert name == "zhibu/close/2026-03"
    git(history_branch, "pack-refs", "--all")
    assert not (history_branch / ".git/refs/tags/zhibu").exists()
    assert [t[0] for t in gitrepo.tags(history_branch, CLOSE_TAG_PREFIX + "*")] == ["zhibu/close/2026-03"]


def test_meeting_edit_reason_is_the_correction_the_audit_reads(history_branch, run):
    add_record(history_branch, "2026-03-06T20:00:00+08:00")
    assert run("-C", history_branch, "close", "2026-03", "--as-of", "2026-04-02", "--force").exit_code == 0
    editor = "sed -i s/学院党员活动室/学院报告厅/"
    result = run("-C", history_branch, "meeting", "edit", REC, "--reason", "据签到表， 更正地点", env={"EDITOR": editor})
    assert result.exit_code == 0, result.stderr
    assert git(history_branch, "log", "-1", "--format=%B").strip().endswith("补正原因：据签到表， 更正地点")
    checked = check_branch(history_branch, as_of=dt.date(2026, 4, 30))
    assert [f for f in checked.findings if f.code == "audit.edited-after-close"] == []
    assert any("补正原因：据签到表， 更正地点" in note for note in checked.notes)
