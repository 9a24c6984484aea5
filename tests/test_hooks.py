"""zhibu hooks: the pre-commit hook in real repositories; shell completion without heavy imports."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DEFAULTS, git, init_repo, record_text

from zhibu.write import hooks

GOOD = record_text(date="2025-03-05")
BROKEN = record_text(date="2025-03-05", host="王建民")  # not on the roster
REL = "records/2025/2025-03-05-支部委员会.yaml"


def commit(root, *args, cwd=None) -> subprocess.CompletedProcess:
    """``git commit`` as a person runs it: hooks and all."""
    return subprocess.run(["git", "commit", "-q", *args], cwd=cwd or root, capture_output=True, text=True)


def stage(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    git(root, "add", "--", rel)


@pytest.fixture
def hooked(git_branch, run):
    root = git_branch()
    result = run("hooks", "install", "-C", root)
    assert result.exit_code == 0, result.stderr
    return root


def test_install_writes_an_executable_hook_that_runs_this_zhibu(hooked):
    path = hooked / ".git/hooks/pre-commit"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/sh\n") and hooks.MARKER in text
    assert sys.executable.replace("\\", "/") in text and "-m zhibu hooks run" in text
    assert path.stat().st_mode & stat.S_IXUSR


def test_the_hook_refuses_an_erroneous_record_and_accepts_the_fixed_one(hooked, repo):
    commits = repo(hooked).count()
    stage(hooked, REL, BROKEN)
    refused = commit(hooked, "-m", "记录")
    assert refused.returncode != 0
    assert "已拒绝提交" in refused.stderr
    assert f"{REL}:4: record.unknown-person: 主持人 王建民 不在党员名册中" in refused.stderr
    assert "是否应为“王建国”" in refused.stderr
    assert "git commit --no-verify" in refused.stderr
    assert repo(hooked).count() == commits
    stage(hooked, REL, GOOD)
    accepted = commit(hooked, "-m", "记录")
    assert accepted.returncode == 0, accepted.stderr
    assert repo(hooked).count() == commits + 1


def test_no_verify_bypasses_and_old_errors_do_not_block_other_commits(hooked, repo):
    stage(hooked, REL, BROKEN)
    assert commit(hooked, "--no-verify", "-m", "草稿").returncode == 0
    stage(hooked, "records/2025/2025-04-02-支部委员会.yaml", record_text(date="2025-04-02"))
    result = commit(hooked, "-m", "四月支委会")
    assert result.returncode == 0, result.stderr


def test_a_format_error_is_refused(hooked):
    stage(hooked, REL, GOOD.replace("place: 学院党员活动室\n", "place: [学院\n"))
    result = commit(hooked, "-m", "记录")
    assert result.returncode != 0 and "format.yaml-syntax" in result.stderr


def test_renaming_a_member_is_judged_by_the_records_it_breaks(hooked):
    study = "records/2025/2025-03-12-集中学习.yaml"
    stage(hooked, study, record_text(type="集中学习", date="2025-03-12", attendees="[王建国, 李晓梅, 陈志强, 刘芳, 赵磊]"))
    assert commit(hooked, "-m", "记录").returncode == 0
    members = (hooked / "members.yaml").read_text(encoding="utf-8").replace("name: 李晓梅", "name: 李小梅")
    stage(hooked, "members.yaml", members)
    result = commit(hooked, "-m", "更名")
    assert result.returncode != 0
    # The commit changes members.yaml only, yet it is refused for what it does to the other files.
    assert f"{study}:6: record.attendance: 应到人员 李小梅 既不在 attendees 中，也不在 absent 中" in result.stderr
    assert "committee.yaml:5: format.bad-value: 委员 李晓梅 不在党员名册中" in result.stderr


def test_the_hook_judges_the_index_not_the_work_tree(hooked):
    stage(hooked, REL, BROKEN)
    (hooked / REL).write_text(GOOD, encoding="utf-8")  # fixed on disk but not added
    assert commit(hooked, "-m", "记录").returncode != 0
    stage(hooked, REL, GOOD)
    (hooked / REL).write_text(BROKEN, encoding="utf-8")  # broken on disk, the staged version is fine
    result = commit(hooked, "-m", "记录")
    assert result.returncode == 0, result.stderr


def test_partial_and_all_commits_from_a_subfolder_of_a_bigger_repository(tmp_path, run):
    top = tmp_path / "委员会仓库"
    branch = top / "教工第一支部"
    for rel, text in DEFAULTS.items():
        (branch / rel).parent.mkdir(parents=True, exist_ok=True)
        (branch / rel).write_text(text, encoding="utf-8")
    (top / "README.txt").write_text("各支部记录\n", encoding="utf-8")
    init_repo(top)
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "初始")
    assert run("hooks", "install", "-C", branch).exit_code == 0
    assert (top / ".git/hooks/pre-commit").is_file()
    stage(branch, REL, BROKEN)
    (top / "README.txt").write_text("改\n", encoding="utf-8")
    # From inside the branch folder: git hands the hook a relative GIT_INDEX_FILE.
    result = commit(top, "-m", "记录", cwd=branch)
    assert result.returncode != 0
    assert f"教工第一支部/{REL}:4: record.unknown-person" in result.stderr
    # Committing only README (a temporary index without the broken record) is fine.
    result = commit(top, "-m", "说明", "--", "../README.txt", cwd=branch)
    assert result.returncode == 0, result.stderr
    stage(branch, REL, GOOD)
    result = commit(top, "-a", "-m", "记录", cwd=branch)
    assert result.returncode == 0, result.stderr


def test_zhibu_commands_commit_through_the_hook(hooked, run, repo):
    commits = repo(hooked).count()
    result = run(
        "meeting",
        "add",
        "--type",
        "支部委员会",
        "--date",
        "2025-03-05",
        "--place",
        "会议室",
        "--recorder",
        "李晓梅",
        "--topic",
        "研究工作",
        "-C",
        hooked,
    )
    assert result.exit_code == 0, result.stderr
    assert repo(hooked).count() == commits + 1


def test_core_hooks_path_is_respected(git_branch, run):
    root = git_branch()
    git(root, "config", "core.hooksPath", "githooks")
    result = run("hooks", "install", "-C", root)
    assert result.exit_code == 0, result.stderr
    assert (root / "githooks/pre-commit").is_file()
    assert not (root / ".git/hooks/pre-commit").exists()
    stage(root, REL, BROKEN)
    assert commit(root, "-m", "记录").returncode != 0


def test_a_foreign_hook_is_never_clobbered_nor_removed(git_branch, run):
    root = git_branch()
    foreign = root / ".git/hooks/pre-commit"
    foreign.write_text("#!/bin/sh\nexec lint-staged\n", encoding="utf-8")
    result = run("hooks", "install", "-C", root)
    assert result.exit_code == 2
    assert "不是 zhibu 安装的" in result.stderr and "-m zhibu hooks run || exit 1" in result.stderr
    assert foreign.read_text(encoding="utf-8") == "#!/bin/sh\nexec lint-staged\n"
    result = run("hooks", "uninstall", "-C", root)
    assert result.exit_code == 2 and foreign.exists()


def pre_commit(root, *args) -> subprocess.CompletedProcess:
    """The real pre-commit framework, as its users run it."""
    pytest.importorskip("pre_commit")
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=root, capture_output=True, text=True)


def test_beside_the_pre_commit_framework_both_hooks_run(git_branch, run):
    root = git_branch()
    (root / ".pre-commit-config.yaml").write_text("repos: []\n", encoding="utf-8")
    git(root, "add", ".pre-commit-config.yaml")
    installed = pre_commit(root, "install")
    assert installed.returncode == 0, installed.stderr
    theirs = (root / ".git/hooks/pre-commit").read_text(encoding="utf-8")
    result = run("hooks", "install", "-C", root)
    assert result.exit_code == 0, result.stderr
    assert "pre-commit.legacy" in result.stdout
    assert (root / ".git/hooks/pre-commit").read_text(encoding="utf-8") == theirs  # theirs untouched
    stage(root, REL, BROKEN)
    refused = commit(root, "-m", "记录")
    assert refused.returncode != 0 and "record.unknown-person" in refused.stderr + refused.stdout
    stage(root, REL, GOOD)
    assert commit(root, "-m", "记录").returncode == 0
    removed = run("hooks", "uninstall", "-C", root)
    assert removed.exit_code == 0 and not (root / ".git/hooks/pre-commit.legacy").exists()
    assert (root / ".git/hooks/pre-commit").read_text(encoding="utf-8") == theirs


def test_the_pre_commit_manifest_is_valid_for_the_framework():
    manifest = Path(__file__).resolve().parents[1] / ".pre-commit-hooks.yaml"
    checked = pre_commit(manifest.parent, "validate-manifest", str(manifest))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    from zhibu.store.yamlio import parse

    (hook,) = parse(manifest.read_text(encoding="utf-8")).data
    assert hook["entry"] == "zhibu hooks run" and hook["pass_filenames"] is False


def test_reinstall_updates_and_uninstall_removes_only_ours(hooked, run):
    again = run("hooks", "install", "-C", hooked)
    assert again.exit_code == 0 and "已更新" in again.stdout
    removed = run("hooks", "uninstall", "-C", hooked)
    assert removed.exit_code == 0 and "已删除" in removed.stdout
    assert not (hooked / ".git/hooks/pre-commit").exists()
    assert "没有安装" in run("hooks", "uninstall", "-C", hooked).stdout


def test_a_hook_whose_python_is_gone_says_how_to_proceed(hooked):
    (hooked / ".git/hooks/pre-commit").write_text(hooks.hook_script("/nonexistent/python3"), encoding="utf-8")
    stage(hooked, REL, GOOD)
    result = commit(hooked, "-m", "记录")
    assert result.returncode != 0
    assert "/nonexistent/python3" in result.stderr and "zhibu hooks install" in result.stderr and "--no-verify" in result.stderr


def test_install_outside_git_is_a_clear_error(make_branch, run):
    root = make_branch()
    result = run("hooks", "install", "-C", root)
    assert result.exit_code == 2 and "git" in result.stderr


# --- shell completion ---------------------------------------------------------------------


def complete(words: str, cword: int, *, shell: str = "bash") -> tuple[str, set[str]]:
    env = dict(os.environ, COMP_WORDS=words, COMP_CWORD=str(cword), _ZHIBU_COMPLETE=f"{shell}_complete")
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "zhibu"], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and line.count("|") == 2
    }
    return done.stdout, modules


def test_completing_a_command_imports_no_subcommand_and_no_heavy_module():
    out, modules = complete("zhibu ho", 1)
    assert out.splitlines() == ["plain,hooks"]
    assert not any(m.split(".")[0] in ("git", "docx", "tabulate", "openpyxl", "ruamel") for m in modules)
    assert not any(m.startswith("zhibu.cli.") and m != "zhibu.cli.base" for m in modules)


def test_completing_subcommands_and_options():
    out, modules = complete("zhibu member im", 2)
    assert out.splitlines() == ["plain,import"]
    assert "openpyxl" not in {m.split(".")[0] for m in modules}
    out, _ = complete("zhibu calendar --ye", 2)
    assert "plain,--year" in out.splitlines()


@pytest.mark.parametrize(
    "shell, marker",
    [
        ("bash", "complete -o nosort -F _zhibu_completion zhibu"),
        ("zsh", "#compdef zhibu"),
        ("fish", "complete --no-files --command zhibu"),
    ],
)
def test_completion_scripts_for_each_shell(shell, marker):
    env = dict(os.environ, _ZHIBU_COMPLETE=f"{shell}_source")
    done = subprocess.run([sys.executable, "-m", "zhibu"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0 and marker in done.stdout


def test_a_write_refused_by_a_hook_says_what_the_hook_said(git_branch, run, repo):
    # zhibu's own hook lists the findings; whatever a hook prints reaches the secretary, not
    # only its last line, and the change is taken back.
    root = git_branch()
    hook = root / ".git/hooks/pre-commit"
    hook.write_text(
        "#!/bin/sh\necho '规范检查：records/2025/x.yaml: 缺少签到表扫描件' >&2\necho '请补上后再提交' >&2\nexit 1\n",
        encoding="utf-8",
    )
    hook.chmod(0o755)
    head = repo(root).head()
    result = run(
        "meeting",
        "add",
        "--type",
        "支部委员会",
        "--date",
        "2025-03-05",
        "--place",
        "会议室",
        "--recorder",
        "李晓梅",
        "--topic",
        "研究工作",
        "-C",
        root,
    )
    assert result.exit_code == 2
    assert "缺少签到表扫描件" in result.stderr and "请补上后再提交" in result.stderr
    assert "改动已撤回" in result.stderr
    assert repo(root).head() == head and git(root, "status", "--porcelain") == ""


def test_zhibus_own_refusal_is_passed_on_with_its_findings():
    from zhibu.model.findings import Finding, Severity
    from zhibu.store.gitrepo import _translate

    finding = Finding("record.future-date", Severity.ERROR, "记录日期 2026-03-20 晚于今天", path="records/2026/a.yaml", line=2)
    text = hooks.describe([hooks.Refusal("", (finding,))])

    class Failed(Exception):
        stderr, stdout, status = text, "", 1

    message = _translate(Failed()).message
    assert "records/2026/a.yaml:2: record.future-date: 记录日期 2026-03-20 晚于今天" in message
