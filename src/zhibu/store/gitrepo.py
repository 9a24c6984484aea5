"""git access: the only module that imports GitPython.

Commits go through the ``git`` program itself (``git commit``), so the
user's configuration, identity and hooks apply exactly as on the command line.

Everything else treats the repository as hostile input: every command that reads a
repository, and every clone or fetch, runs through :func:`_argv` and :func:`_environment`,
which switch off on git's command line each setting that names a program (see
``_NO_PROGRAMS``), so that nothing a branch writes in its ``.git/config`` (or includes
from elsewhere) is ever run. docs/security.md says what this promises and how it is tested.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .. import faults
from ..errors import ZhibuError, os_problem_from_text


def _git():
    try:
        import git
    except ImportError as exc:  # GitPython present but no git program
        raise ZhibuError("找不到 git 程序。", "请先安装 git（例如 apt-get install git）。") from exc
    return git


@contextlib.contextmanager
def open_repo(root: Path):
    """A GitPython Repo for ``root``, always closed (each open Repo keeps git child processes)."""
    git = _git()
    try:
        # A branch may sit inside a bigger repository (is_repo says so too).
        repo = git.Repo(root, search_parent_directories=True)
    except git.InvalidGitRepositoryError:
        raise ZhibuError(f"{root} 不是 git 仓库。", "运行 git init，或用 --no-commit 只写文件不提交。") from None
    except git.NoSuchPathError:
        raise ZhibuError(f"目录 {root} 不存在。") from None
    try:
        yield repo
    finally:
        repo.close()


def is_repo(root: Path) -> bool:
    """True when ``root`` is the top of a git work tree (a branch inside a bigger repository counts too)."""
    current = root.resolve()
    if (current / "HEAD").is_file() and (current / "objects").is_dir() and (current / "refs").is_dir():
        return True  # a bare mirror
    for folder in (current, *current.parents):
        if (folder / ".git").exists():
            return True
    return False


def init(root: Path) -> None:
    git = _git()
    try:
        git.Repo.init(root, initial_branch="main")
    except git.GitCommandError as exc:
        raise _translate(exc) from None


def commit(root: Path, paths: list[str], message: str, *, removed: list[str] = ()) -> str:
    """Stage exactly ``paths`` (and the removal of ``removed``) and commit them; returns the new sha.

    Only these paths are committed: whatever else the user has staged stays staged.
    """
    git = _git()
    with open_repo(root) as repo:
        run = git.Git(str(root))  # paths are relative to the branch root, which may be below the top
        try:
            if paths:
                run.add("--", *paths)
            if removed:
                run.rm("--cached", "--ignore-unmatch", "-q", "--", *removed)
            faults.pause("staged")
            run.commit("-q", "-m", message, "--", *paths, *removed)
            return repo.head.commit.hexsha
        except git.GitCommandError as exc:
            with contextlib.suppress(git.GitCommandError):
                if repo.head.is_valid():
                    run.reset("-q", "--", *paths, *removed)
                else:
                    run.rm("--cached", "-q", "-r", "--ignore-unmatch", "--", *paths)
            raise _translate(exc) from None


# Paths are file names, never patterns (a "*" or "[" in a name matches nothing else); and
# asking for the status takes no optional lock, so it cannot refresh (and so take) the index.
_PATHS_AS_THEY_ARE = {"GIT_LITERAL_PATHSPECS": "1", "GIT_OPTIONAL_LOCKS": "0"}


def edited(root: Path, paths: list[str]) -> list[str]:
    """Which of ``paths`` (relative to the branch root) differ from HEAD in the work tree or
    the index, or are not in git at all (untracked); paths that do not exist are not edited."""
    if not paths:
        return []
    prefix = show_prefix(root)
    raw = _run(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *paths, env=_PATHS_AS_THEY_ARE)
    found, entries, i = set(), raw.decode("utf-8", "replace").split("\x00"), 0
    while i < len(entries):
        entry = entries[i]
        if len(entry) > 3:
            path = entry[3:]
            found.add(path[len(prefix) :] if prefix and path.startswith(prefix) else path)
            if entry[0] in "RC":
                i += 1  # the next entry is the old path
        i += 1
    return [rel for rel in paths if rel in found]


def unstage(root: Path, paths: list[str]) -> None:
    """Put the index entries of ``paths`` back to HEAD (what a killed ``git add`` staged)."""
    if not paths:
        return
    if has_commits(root):
        _run(root, "reset", "-q", "HEAD", "--", *paths, check=False, env=_PATHS_AS_THEY_ARE)
    else:
        _run(root, "rm", "--cached", "-q", "-r", "--ignore-unmatch", "--", *paths, check=False, env=_PATHS_AS_THEY_ARE)


def committed_contents(root: Path, paths: list[str]) -> dict[str, bytes | None]:
    """The bytes each of ``paths`` has in HEAD (None: not in HEAD, or no commit yet)."""
    prefix = show_prefix(root)
    names = {rel: f"HEAD:{prefix}{rel}" for rel in paths}
    blobs = cat_blobs(root, list(names.values())) if has_commits(root) else {}
    return {rel: blobs.get(name) for rel, name in names.items()}


def _translate(exc) -> ZhibuError:
    """A Chinese error for a failed git command run while committing."""
    text = f"{exc.stderr or ''}\n{exc.stdout or ''}"
    # Before _explain: git names index.lock in the path of a disk-full or read-only failure too.
    known = os_problem_from_text(text, doing="git 提交", done="改动已撤回，仓库保持原样。") or _explain(text)
    if known is not None:
        return known
    if not text.strip():  # a pre-commit hook that fails without a word
        return ZhibuError(
            f"git 提交失败（退出状态 {exc.status}，没有输出原因），常见原因是 pre-commit 等钩子拒绝了提交。",
            "改动已撤回，仓库保持原样；检查 .git/hooks 中的钩子后重试。",
        )
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1:  # a hook that says why (zhibu's own lists the findings): show what it said
        shown = lines[:_HOOK_LINES] + ([f"……（另有 {len(lines) - _HOOK_LINES} 行）"] if len(lines) > _HOOK_LINES else [])
        return ZhibuError(
            "git 提交被拒绝（通常是 pre-commit 钩子），它的说明如下：\n" + "\n".join(f"  {line}" for line in shown),
            "改动已撤回，仓库保持原样；按上面的说明改正后重试。",
        )
    return ZhibuError("git 提交失败：" + _last_line(text), "改动已撤回，仓库保持原样。")


_HOOK_LINES = 30  # of a refusing hook's output, enough for zhibu's own (20 findings and their hints)


def _explain(text: str) -> ZhibuError | None:
    """A Chinese error for what git printed, when it is one of the known situations."""
    if "not a git repository" in text:
        return ZhibuError("不是 git 仓库，无法读取历史。", "在支部仓库中运行，或先 git init 并提交记录。")
    if "unknown revision" in text or "bad revision" in text or "ambiguous argument" in text or "Needed a single revision" in text:
        return ZhibuError(f"git 找不到这个版本：{_last_line(text)}", "用 git log --oneline 查看可用的提交。")
    if "Please tell me who you are" in text or "empty ident" in text or "unable to auto-detect email" in text:
        return ZhibuError(
            "git 不知道提交人是谁，无法提交。",
            '先设置：git config --global user.name "你的姓名" 和 git config --global user.email "邮箱"；或用 --no-commit 只写文件。',
        )
    if "dubious ownership" in text:
        # Not the advice git prints: listing the folder as safe would let that user's git
        # settings run programs as us. A copy of our own carries none of them.
        return ZhibuError(
            "git 拒绝读取这个仓库：它属于另一个系统用户（dubious ownership），其中的 git 设置可能让 git 以你的身份运行那个用户写的程序。",
            "请不要放宽 git 的所有权检查。用自己的账户另取一份再检查：从仓库的服务器地址克隆"
            "（git clone --mirror <地址> <新目录>，或用 zhibu batch sync 按登记表同步），得到的镜像属于你，不含对方的设置；"
            "本机上别人的仓库，请它的所有者推送到服务器，或把目录的所有权交给你。",
        )
    if "index.lock" in text and _lock_exists(text):
        return ZhibuError(
            "git 仓库正被另一个 git 程序使用（存在 index.lock）。", "等它结束后重试；若没有 git 在运行，删除 .git/index.lock。"
        )
    if "hook" in text.lower() and len([line for line in text.splitlines() if line.strip()]) <= 1:
        return ZhibuError("git 钩子拒绝了这次提交：" + _last_line(text), "按钩子的提示改正后重试。")
    return None


def _lock_exists(text: str) -> bool:
    """Whether the index.lock git complains about is really there (git also names it when
    it cannot create it for lack of space or permission)."""
    named = re.findall(r"'([^']*index\.lock)'", text)
    return any(os.path.lexists(path) for path in named) if named else "File exists" in text


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "未知错误"


def commit_as(root: Path, paths: list[str], message: str, *, author: str, email: str, when) -> str:
    """Commit ``paths`` with a chosen author and date (for ``zhibu demo`` and tests that replay history)."""
    git = _git()
    stamp = when.isoformat()
    env = {
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": author,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_COMMITTER_DATE": stamp,
    }
    with open_repo(root) as repo:
        run = git.Git(str(root))
        try:
            run.add("--", *paths)
            run.commit("-q", "--no-verify", "-m", message, "--", *paths, env=env)
            return repo.head.commit.hexsha
        except git.GitCommandError as exc:
            raise _translate(exc) from None


# --- reading history (the audit trail) ---------------------------------------------------


@dataclass(frozen=True)
class FileChange:
    status: str  # A added, M modified, D deleted, R renamed (C copied, T type change)
    path: str  # relative to the branch root
    old_path: str | None = None  # for renames and copies


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    parents: tuple[str, ...]
    author: str
    email: str
    authored: dt.datetime
    committed: dt.datetime
    message: str
    changes: tuple[FileChange, ...]
    problem: str | None = None  # metadata that could not be read as written (a note for history)


def _name_status(tokens: list[str]) -> tuple[FileChange, ...]:
    """Entries of ``--name-status -z`` output: a status, then one path (two for renames and copies)."""
    tokens = [t for t in tokens if t]
    changes, i = [], 0
    while i < len(tokens):
        status = tokens[i]
        if status[:1] in ("R", "C") and i + 2 < len(tokens):
            changes.append(FileChange(status[0], tokens[i + 2], tokens[i + 1]))
            i += 3
        elif i + 1 < len(tokens):
            changes.append(FileChange(status[0], tokens[i + 1]))
            i += 2
        else:
            break
    return tuple(changes)


_LOG_SAFE = ("--no-show-signature", "--no-textconv", "--no-ext-diff", "--no-color")


def _log_format(mark: str) -> str:
    """A ``git log --format`` whose fields are separated by ``mark``: a random word per run, so
    that no byte a branch puts in a message or a name (\x01, NUL, newlines) can split a field."""
    return mark.join(("", "%H", "%P", "%an", "%ae", "%ad", "%cd", "%B", ""))


def _run(
    root: Path, *args: str, input: bytes | None = None, check: bool = True, env: dict | None = None, own: bool = False
) -> bytes:
    """Run git in the branch folder; failures become Chinese errors.

    ``own``: the command writes to the user's own repository (a tag, a reset, where hooks
    live), so the repository's settings apply as on the command line; otherwise they cannot
    run anything (:func:`_argv`)."""
    return _finish(_start(root, *args, env=env, stdin=input is not None, own=own), input, check)


def _start(root: Path, *args: str, env: dict | None = None, stdin: bool = False, own: bool = False):
    """Start git in the branch folder without waiting for it (see :func:`_finish`)."""
    import subprocess

    if own:
        argv, environment = ["git", "-c", "core.quotepath=off", *args], ({**os.environ, **env} if env else None)
    else:
        argv, environment = _argv(*args), _environment(env)
    try:
        return subprocess.Popen(
            argv,
            cwd=root,
            stdin=subprocess.PIPE if stdin else None,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
        )
    except FileNotFoundError:
        raise ZhibuError("找不到 git 程序。", "请先安装 git（例如 apt-get install git）。") from None


def _run_quietly(root: Path, *args: str):
    """A read-only git command whose exit status is the answer (a CompletedProcess)."""
    import subprocess

    try:
        return subprocess.run(_argv(*args), cwd=root, capture_output=True, env=_environment(), check=False)
    except FileNotFoundError:
        raise ZhibuError("找不到 git 程序。", "请先安装 git（例如 apt-get install git）。") from None


# --- git that runs nothing a repository configures -------------------------------------------
# Settings that name a program, each switched off on the command line, where a setting beats
# every config file (the repository's, its worktree's, and whatever they include). None of them
# is needed to read a repository. The user's own global and system config stay in force
# otherwise (identity, credentials, ssh setup): they are the user's, not the branch's.
# Filter drivers have names of the branch's choosing, so they are found and switched off one
# by one (:func:`_filter_overrides`); textconv and external diff drivers are never consulted
# because every diff-producing command gets --no-textconv --no-ext-diff.

_NO_PROGRAMS = (
    "core.quotepath=off",  # not a program: paths in UTF-8, as the parsers expect
    "core.fsmonitor=false",  # a hook run by status (and any index refresh)
    "core.hooksPath=/dev/null",  # no hook can be found: reference-transaction, post-index-change …
    "core.pager=cat",  # "cat" is git's word for no pager (--no-pager as well)
    "core.editor=/dev/null",  # /dev/null cannot be executed: any attempt fails and runs nothing
    "sequence.editor=/dev/null",
    "core.askPass=",
    "core.sshCommand=/dev/null",  # reading never connects anywhere
    "credential.helper=",  # the empty value empties the list of helpers
    "protocol.allow=never",  # no transport at all: not ext::, not file://, not a remote helper
    "log.showSignature=false",  # or git log runs gpg.program
    "gpg.program=/dev/null",
    "gpg.openpgp.program=/dev/null",
    "gpg.x509.program=/dev/null",
    "gpg.ssh.program=/dev/null",
    "submodule.recurse=false",
    "status.submoduleSummary=false",
    "diff.ignoreSubmodules=all",  # status would run git in each submodule, with its own config
    "core.useReplaceRefs=false",  # not a program: refs/replace must not disguise the history
    "gc.auto=0",
    "maintenance.auto=false",
)

# Variables of the caller's environment that would make git run a program whatever the config
# says (GIT_ALLOW_PROTOCOL even overrides protocol.allow). Reading needs none of them.
_PROGRAM_VARIABLES = (
    "GIT_EXTERNAL_DIFF",
    "GIT_PAGER",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_ASKPASS",
    "SSH_ASKPASS",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_PROXY_COMMAND",
    "GIT_ALLOW_PROTOCOL",
    "GIT_PROTOCOL_FROM_USER",
)


_USER_PROGRAMS = ("credential.helper=", "core.askPass=")  # the user's own, for a clone or fetch


def _argv(*args: str, config: tuple[str, ...] = (), network: bool = False) -> list[str]:
    """``git`` with every program-naming setting off, then ``config`` (which may name the
    programs a command needs, chosen by zhibu or the committee), then ``args``."""
    off = [item for item in _NO_PROGRAMS if not (network and item in _USER_PROGRAMS)]
    settings = [part for item in (*off, *config) for part in ("-c", item)]
    return ["git", "--no-pager", "--no-replace-objects", *settings, *args]


def _environment(extra: dict | None = None, *, keep: tuple[str, ...] = ()) -> dict:
    """The caller's environment without the variables that name programs (except ``keep``),
    with prompts off and the index never rewritten, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in _PROGRAM_VARIABLES or k in keep}
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"})
    env.update(extra or {})
    return env


_FILTER_KEYS = (("clean", ""), ("smudge", ""), ("process", ""), ("required", "false"))


def _filter_overrides(root: Path) -> dict:
    """Environment variables (``GIT_CONFIG_COUNT`` …, which take any key, unlike ``-c``) that
    empty every filter driver the repository's own config defines: git status would run a
    modified file through its clean filter. Drivers of the user's global and system config
    (git-lfs …) are left alone."""
    names = _repository_filters(root)
    if not names:
        return {}
    base = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0) if os.environ.get("GIT_CONFIG_COUNT", "0").isdigit() else 0
    env, index = {}, base
    for name in sorted(names):
        for key, value in _FILTER_KEYS:
            env[f"GIT_CONFIG_KEY_{index}"] = f"filter.{name}.{key}"
            env[f"GIT_CONFIG_VALUE_{index}"] = value
            index += 1
    env["GIT_CONFIG_COUNT"] = str(index)
    return env


def _repository_filters(root: Path) -> set[str]:
    """Names of the filter drivers defined outside the user's global and system config."""
    found = _plain_git_dir(root)
    if found is not None and not any(k in os.environ for k in ("GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT")):
        git_dir = found[0]
        try:
            text = (git_dir / "config").read_bytes().lower()
        except FileNotFoundError:
            text = b""
        except OSError:
            text = None
        # A section name is plain letters: without these words there is no filter section here
        # and nothing is included from elsewhere. Anything else: git lists what it reads.
        if text is not None and b"filter" not in text and b"include" not in text and not (git_dir / "config.worktree").exists():
            return set()
    done = _run_quietly(root, "config", "--list", "--show-scope", "--includes", "-z")
    items = done.stdout.split(b"\x00")
    names = set()
    for scope, entry in zip(items[::2], items[1::2]):
        if scope in (b"global", b"system"):
            continue
        key = entry.split(b"\n", 1)[0].decode("utf-8", "surrogateescape")
        if key[:7].lower() == "filter." and key.count(".") >= 2:
            names.add(key[7 : key.rindex(".")])
    return names


def _finish(process, input: bytes | None = None, check: bool = True) -> bytes:
    """Wait for a started git and return its output; failures become Chinese errors."""
    stdout, stderr = process.communicate(input)
    if check and process.returncode != 0:
        text = stderr.decode("utf-8", "replace")
        raise _explain(text) or ZhibuError("git 出错：" + _last_line(text))
    return stdout


@dataclass(frozen=True)
class RepoState:
    bare: bool
    shallow: bool
    prefix: str  # the branch folder inside the repository, "" or ending in "/"
    head: str | None  # None before the first commit
    detached: bool = False  # HEAD is a commit, not a branch


def state(root: Path) -> RepoState | None:
    """What the audit trail needs to know about a repository; None when ``root`` is not in
    a git repository. git's refusals (dubious ownership …) are raised when git is asked;
    read from the files, they come from the next git command (the history's).

    Read from the files of the git folder when ``root`` is the top of a plain
    repository (a batch check asks this of every branch, and a git process costs
    more than the rest of the question); otherwise one ``git rev-parse``.
    """
    known = _state_from_files(root)
    return known if known is not None else _state_from_git(root)


def _state_from_git(root: Path) -> RepoState | None:
    done = _run_quietly(
        root,
        "rev-parse",
        "--is-bare-repository",
        "--is-shallow-repository",
        "--show-prefix",
        "HEAD",
        "--symbolic-full-name",
        "HEAD",
    )
    stderr = done.stderr.decode("utf-8", "replace")
    if "not a git repository" in stderr:
        return None
    if "dubious ownership" in stderr:
        raise _explain(stderr)
    lines = done.stdout.decode("utf-8", "replace").split("\n")
    if len(lines) < 3 or lines[0] not in ("true", "false"):
        if done.returncode != 0:
            raise _explain(stderr) or ZhibuError("git 出错：" + _last_line(stderr))
        return None
    if done.returncode != 0:  # no commit yet: HEAD names nothing
        return RepoState(lines[0] == "true", lines[1] == "true", lines[2].strip(), None)
    head = lines[3].strip() or None
    detached = len(lines) > 4 and lines[4].strip() == "HEAD"
    return RepoState(lines[0] == "true", lines[1] == "true", lines[2].strip(), head, detached)


# --- reading a plain git folder without running git ----------------------------------------
# Only for questions whose answer sits in a file or two (HEAD, a ref, "are there any tags
# here?"). Anything unusual — GIT_* variables, a .git file (linked work trees, submodules),
# reftable refs, a symlinked HEAD or a symbolic ref, core.bare disagreeing with the layout,
# an include in the config — gets None, and the caller asks git.

_OBJECT_NAME = re.compile(r"(?:[0-9a-f]{40}|[0-9a-f]{64})\Z")
_GIT_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY", "GIT_INDEX_FILE", "GIT_NAMESPACE")


def _plain_git_dir(root: Path) -> tuple[Path, bool] | None:
    """(git folder, bare) when ``root`` is the top of a repository laid out the usual way."""
    if any(name in os.environ for name in _GIT_VARIABLES):
        return None
    dot = root / ".git"
    if dot.is_dir() and not dot.is_symlink():
        git_dir, bare = dot, False
    elif not os.path.lexists(dot):
        git_dir, bare = root, True
    else:
        return None
    # What git itself takes for a repository; a stray .git folder inside a bigger one is not.
    if not ((git_dir / "HEAD").is_file() and (git_dir / "objects").is_dir() and (git_dir / "refs").is_dir()):
        return None
    if (git_dir / "HEAD").is_symlink():  # a symlinked HEAD names a branch; git knows which
        return None
    if (git_dir / "reftable").exists() or (git_dir / "commondir").exists():
        return None
    if _core_bare(git_dir) is not bare:  # core.bare decides, not the layout (or unreadable)
        return None
    return git_dir, bare


_TRUE_WORDS = {"true", "yes", "on", "1", ""}
_FALSE_WORDS = {"false", "no", "off", "0"}


def _core_bare(git_dir: Path) -> bool | None:
    """core.bare from the repository's config file (False when unset); None when unclear."""
    try:
        text = (git_dir / "config").read_text("utf-8")
    except FileNotFoundError:
        return False
    except (OSError, UnicodeDecodeError):
        return None
    section, value = "", False
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].split(";", 1)[0].strip()
        if line.startswith("["):
            if not line.endswith("]"):
                return None  # "[core] bare = true" on one line: rare enough to leave to git
            section = line.strip("[]").strip().lower()
            if section.startswith("include"):
                return None  # settings from elsewhere: let git read them
        elif section == "core":
            key, has_value, word = line.partition("=")
            if key.strip().lower() == "bare":
                word = word.strip().strip('"').lower() if has_value else ""
                if word in _TRUE_WORDS:
                    value = True
                elif word in _FALSE_WORDS:
                    value = False
                else:
                    return None
    return value


def _read_ref(git_dir: Path, name: str) -> str | None | bool:
    """The object a branch ref names; None when it does not exist (an unborn branch);
    False when git has to be asked (a symbolic or unreadable ref)."""
    try:
        text = (git_dir / name).read_text("ascii").strip()
    except FileNotFoundError:
        text = None
    except (OSError, UnicodeDecodeError):
        return False
    if text is not None:
        return text if _OBJECT_NAME.match(text) else False
    packed = _packed_refs(git_dir)
    if packed is None:
        return False
    for line in packed.splitlines():
        sha, _, ref = line.partition(" ")
        if ref == name:
            return sha if _OBJECT_NAME.match(sha) else False
    return None


def _state_from_files(root: Path) -> RepoState | None:
    found = _plain_git_dir(root)
    if found is None:
        return None
    git_dir, bare = found
    try:
        head_text = (git_dir / "HEAD").read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    shallow = (git_dir / "shallow").exists()
    if _OBJECT_NAME.match(head_text):
        return RepoState(bare, shallow, "", head_text, detached=True)
    if not head_text.startswith("ref: refs/"):
        return None
    head = _read_ref(git_dir, head_text[5:].strip())
    if head is False:
        return None
    return RepoState(bare, shallow, "", head)


def _no_refs_under(root: Path, prefix: str) -> bool:
    """True when the repository certainly has no ref starting with ``prefix`` (False: ask git)."""
    found = _plain_git_dir(root)
    if found is None:
        return False
    git_dir = found[0]
    folder = prefix.rsplit("/", 1)[0]
    if os.path.lexists(git_dir / folder):
        return False
    packed = _packed_refs(git_dir)
    return packed is not None and (" " + prefix) not in packed


def _packed_refs(git_dir: Path) -> str | None:
    """The packed-refs file ("" when there is none); None when it cannot be read."""
    try:
        return (git_dir / "packed-refs").read_text("utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError):
        return None


def history(root: Path, rev: str = "HEAD") -> list[CommitInfo]:
    """Every commit reachable from ``rev`` that touches the branch folder, oldest first,
    with the files each changed (renames detected). One ``git log`` for the whole history.

    Any metadata is read without failing: a date git prints with an impossible time zone
    (``+9999``) is taken from its Unix time in UTC, and the commit's ``problem`` says so."""
    import secrets

    mark = f"\x01zhibu-{secrets.token_hex(8)}\x01"
    # Raw dates ("<unix time> <zone>"): git formats them without judging them (an ISO date of a
    # commit at time 0 in zone -9999 is a fatal error of git log), and _git_date reads any of them.
    raw = _run(
        root,
        "log",
        *_LOG_SAFE,
        "--relative",
        "--reverse",
        "-M",
        "-z",
        "--name-status",
        "--date=raw",
        f"--format={_log_format(mark)}",
        rev,
        "--",
        ".",
    )
    fields = raw.decode("utf-8", "replace").split(mark)
    commits = []
    # fields: "", then per commit 7 fields and the name-status tail (which starts the next "").
    for start in range(1, len(fields) - 7, 8):
        sha, parents, author, email, authored, committed, message = fields[start : start + 7]
        changes = _name_status([t.lstrip("\n") for t in fields[start + 7].split("\x00")])
        authored_at, bad_author = _git_date(authored)
        committed_at, bad_commit = _git_date(committed)
        problems = [what for what, bad in (("作者时间", bad_author), ("提交时间", bad_commit)) if bad]
        commits.append(
            CommitInfo(
                sha=sha,
                parents=tuple(parents.split()),
                author=author,
                email=email,
                authored=authored_at,
                committed=committed_at,
                message=message.strip(),
                changes=changes,
                problem=f"{'、'.join(problems)}无效（{(authored if bad_author else committed).strip()}），按 UTC 计"
                if problems
                else None,
            )
        )
    return commits


def _git_date(raw: str) -> tuple[dt.datetime, bool]:
    """A date as git stores it ("1738000000 +0800"): (the moment in its own time zone, False),
    or (the moment in UTC, True) when the zone is impossible (+9999), or (1970-01-01 UTC, True)
    when the time itself is."""
    parts = raw.split()
    try:
        moment = dt.datetime.fromtimestamp(int(parts[0]), dt.UTC)
    except (ValueError, OverflowError, OSError, IndexError):
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC), True
    zone = parts[1] if len(parts) > 1 else ""
    if len(zone) == 5 and zone[0] in "+-" and zone[1:].isdigit() and int(zone[1:3]) < 24 and int(zone[3:]) < 60:
        offset = dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:]))
        try:
            return moment.astimezone(dt.timezone(-offset if zone[0] == "-" else offset)), False
        except (ValueError, OverflowError):
            pass
    return moment, True


def has_commits(root: Path) -> bool:
    """Whether HEAD points at a commit; git's refusals (dubious ownership …) are raised."""
    done = _run_quietly(root, "rev-parse", "--verify", "-q", "HEAD")
    problem = _explain(done.stderr.decode("utf-8", "replace"))
    if problem is not None:
        raise problem
    return done.returncode == 0 and bool(done.stdout.strip())


def head(root: Path) -> str:
    return _run(root, "rev-parse", "HEAD").decode().strip()


def committed_at(root: Path, rev: str) -> dt.datetime:
    return _git_date(_run(root, "log", *_LOG_SAFE, "-1", "--date=raw", "--format=%cd", rev).decode().strip())[0]


def resolve(root: Path, rev: str) -> str:
    """The full sha of ``rev`` (a sha, tag, branch, HEAD~2 …)."""
    return _run(root, "rev-parse", "--verify", f"{rev}^{{commit}}").decode().strip()


def commit_before(root: Path, moment: dt.datetime) -> str | None:
    """The newest commit on HEAD committed at or before ``moment``, or None."""
    out = _run(root, "rev-list", "-1", f"--before={moment.isoformat()}", "HEAD").decode().strip()
    return out or None


def is_ancestor(root: Path, ancestor: str, descendant: str = "HEAD") -> bool | None:
    """True/False, or None when ``ancestor`` is not in the repository at all."""
    probe = _run_quietly(root, "cat-file", "-e", f"{ancestor}^{{commit}}")
    if probe.returncode != 0:
        return None
    done = _run_quietly(root, "merge-base", "--is-ancestor", ancestor, descendant)
    return done.returncode == 0


def uncommitted(root: Path, prefix: str | None = None) -> list[tuple[str, str]]:
    """(status, path) of files changed or new in the work tree, relative to the branch folder."""
    return start_uncommitted(root, show_prefix(root) if prefix is None else prefix)()


def start_uncommitted(root: Path, prefix: str):
    """Start ``git status`` now and return a function that waits for its answer
    (:func:`uncommitted`'s), so that it can run while git log runs."""
    # No optional locks (set for every read): checking never refreshes the index, so it cannot
    # collide with a commit being made at the same moment (git's advice for tools that only look).
    # The one command that reads work-tree files, so the one that could run a clean filter.
    process = _start(
        root,
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        "--ignore-submodules=all",
        "--",
        ".",
        env=_filter_overrides(root),
    )

    def answer() -> list[tuple[str, str]]:
        out = []
        entries = _finish(process).decode("utf-8", "replace").split("\x00")
        i = 0
        while i < len(entries):
            entry = entries[i]
            if len(entry) < 4:
                i += 1
                continue
            status, path = entry[:2], entry[3:]
            if status[0] in "RC":
                i += 1  # the next entry is the old path
            if prefix and path.startswith(prefix):
                path = path[len(prefix) :]
            out.append((status.strip() or status, path))
            i += 1
        return out

    return answer


def read_tree(root: Path, rev: str, *, prefix: str | None = None, wanted=None, budget=None) -> dict:
    """Files under the branch folder at ``rev`` (those ``wanted(path)`` accepts, when given):
    path -> bytes, read straight from the object store (``git ls-tree -l`` and one
    ``git cat-file --batch``), the work tree untouched. Symlinks are not followed.

    Sizes come from the listing, before anything is read: a blob over the per-file limit,
    or past the ``budget`` (a :class:`~zhibu.store.files.ByteBudget`, default a fresh one),
    is a :class:`~zhibu.store.files.Withheld` instead of its bytes."""
    listing = _run(root, "ls-tree", "-r", "-l", "-z", rev, "--", ".")
    prefix = show_prefix(root) if prefix is None else prefix
    entries = []
    for item in listing.decode("utf-8", "replace").split("\x00"):
        if not item:
            continue
        meta, path = item.split("\t", 1)
        mode, kind, sha, size = meta.split()
        path = path[len(prefix) :] if prefix and path.startswith(prefix) else path
        if kind != "blob" or mode == "120000" or (wanted is not None and not wanted(path)):
            continue
        entries.append((path, sha, int(size)))
    return _contents(root, entries, budget)


def _contents(root: Path, entries: list[tuple], budget=None) -> dict:
    """path -> bytes for (path, blob sha[, size]) entries, through one ``git cat-file --batch``
    (sizes not given are asked first of ``git cat-file --batch-check``)."""
    from .files import ByteBudget

    if entries and len(entries[0]) == 2:
        sizes = _sizes(root, [sha for _, sha in entries])
        entries = [(path, sha, sizes[sha]) for path, sha in entries if sha in sizes]
    blobs = _read_within(root, [(sha, size) for _, sha, size in sorted(entries)], budget or ByteBudget())
    return {path: blobs[sha] for path, sha, _ in entries if sha in blobs}


def _sizes(root: Path, specs: list[str]) -> dict[str, int]:
    """spec -> size of each object that exists, through one ``git cat-file --batch-check``."""
    unique = list(dict.fromkeys(specs))
    if not unique:
        return {}
    # One answer line per question, in order ("<spec> missing" for an absent one).
    raw = _run(root, "cat-file", "--batch-check=%(objecttype) %(objectsize)", input=("\n".join(unique) + "\n").encode())
    out = {}
    for spec, line in zip(unique, raw.decode("utf-8", "replace").split("\n")):
        words = line.split(" ")
        if len(words) == 2 and words[0] == "blob" and words[1].isdigit():
            out[spec] = int(words[1])
    return out


def _read_within(root: Path, sized: list[tuple[str, int]], budget) -> dict:
    """Contents of (spec, size) objects, those over the per-file limit or past the budget
    left unread (a :class:`~zhibu.store.files.Withheld` each)."""
    from .files import MAX_FILE_BYTES, Withheld

    out: dict = {}
    wanted = []
    for spec, size in sized:
        if spec in out or spec in wanted:
            continue
        if size > MAX_FILE_BYTES:
            out[spec] = Withheld(size)
        elif not budget.take(size):
            out[spec] = Withheld(size, budget=True)
        else:
            wanted.append(spec)
    out.update(_cat(root, wanted))
    return out


def show_prefix(root: Path) -> str:
    """The branch folder's path inside its repository, ending in "/" ("" at the top or in a bare mirror)."""
    return _run(root, "rev-parse", "--show-prefix", check=False).decode().strip()


def cat_blobs(root: Path, shas: list[str], budget=None) -> dict:
    """Contents of many objects (shas or ``rev:path``): sizes first (``git cat-file
    --batch-check``), then one ``git cat-file --batch`` for those within the per-file limit
    and the ``budget``; the others are :class:`~zhibu.store.files.Withheld`."""
    from .files import ByteBudget

    sizes = _sizes(root, shas)
    return _read_within(root, [(spec, sizes[spec]) for spec in dict.fromkeys(shas) if spec in sizes], budget or ByteBudget())


def _cat(root: Path, specs: list[str]) -> dict[str, bytes]:
    """Contents of objects through one ``git cat-file --batch`` (sizes already checked)."""
    if not specs:
        return {}
    unique = list(dict.fromkeys(specs))
    raw = _run(root, "cat-file", "--batch", input=("\n".join(unique) + "\n").encode())
    out, pos = {}, 0
    for sha in unique:
        end = raw.index(b"\n", pos)
        header = raw[pos:end].split()
        if len(header) < 3 or header[-1] == b"missing":
            pos = end + 1
            continue
        size = int(header[2])
        out[sha] = raw[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
    return out


def tags(root: Path, pattern: str) -> list[tuple[str, str, dt.datetime, str]]:
    """Annotated tags matching ``pattern``: (name, commit sha, tag date, message).
    A tag date with an impossible time zone is taken in UTC (see :func:`history`)."""
    import secrets

    if _no_refs_under(root, "refs/tags/" + pattern.split("*", 1)[0]):
        return []
    mark = f"\x01zhibu-{secrets.token_hex(8)}\x01"
    fmt = mark.join(("", "%(refname:strip=2)", "%(*objectname)%(objectname)", "%(taggerdate:raw)", "%(contents)"))
    raw = _run(root, "for-each-ref", f"--format={fmt}", f"refs/tags/{pattern}").decode("utf-8", "replace")
    fields = raw.split(mark)
    out = []
    for start in range(1, len(fields) - 3, 4):
        name, objects, date, message = fields[start : start + 4]
        commit = objects[:40]  # peeled commit first for annotated tags
        out.append((name, commit, _git_date(date)[0] if date.strip() else None, message.strip()))
    return out


def create_tag(root: Path, name: str, message: str, *, when=None, tagger: str | None = None, email: str | None = None) -> None:
    """An annotated tag at HEAD (``when``/``tagger`` only for replaying history in examples and tests)."""
    env = {}
    if when is not None:
        env["GIT_COMMITTER_DATE"] = when.isoformat()
    if tagger:
        env.update({"GIT_COMMITTER_NAME": tagger, "GIT_COMMITTER_EMAIL": email or ""})
    _run(root, "tag", "-a", name, "-m", message, env=env, own=True)


def reset_hard(root: Path, rev: str) -> None:
    """Move HEAD and the work tree to ``rev`` (only for examples that show a rewritten history)."""
    _run(root, "reset", "-q", "--hard", rev, own=True)


# --- commit signatures --------------------------------------------------------------------
# Verifying a signature runs a program (gpg, gpgsm, ssh-keygen) with a keyring: both are the
# committee's choice, given in zhibu's environment variables, never the branch's gpg.* settings.
# With none configured, zhibu still knows which commits carry no signature at all (it reads
# the commit headers) but verifies nothing: a signed commit is reported as not verified.

UNVERIFIED = "?"  # the verdict of a signed commit when no verifier is configured (git's %G? letters otherwise)

SIGNATURE_VARIABLES = ("ZHIBU_GPG_PROGRAM", "ZHIBU_GNUPGHOME", "ZHIBU_SSH_ALLOWED_SIGNERS", "ZHIBU_SSH_KEYGEN")


@dataclass(frozen=True)
class Verifier:
    """The programs and keyrings the committee configured for checking signatures."""

    gpg: str | None  # OpenPGP program (ZHIBU_GPG_PROGRAM)
    gnupghome: str | None  # its keyring folder (ZHIBU_GNUPGHOME); gpg's own default when None
    allowed_signers: str | None  # SSH allowed-signers file (ZHIBU_SSH_ALLOWED_SIGNERS)
    ssh_keygen: str = "ssh-keygen"  # ZHIBU_SSH_KEYGEN

    def config(self) -> tuple[str, ...]:
        """Settings that make git use these, and only these, whatever the repository says."""
        gpg = self.gpg or "/dev/null"
        ssh = self.ssh_keygen if self.allowed_signers else "/dev/null"
        return (
            f"gpg.program={gpg}",
            f"gpg.openpgp.program={gpg}",
            "gpg.x509.program=/dev/null",
            f"gpg.ssh.program={ssh}",
            f"gpg.ssh.allowedSignersFile={self.allowed_signers or '/dev/null'}",
            "gpg.ssh.revocationFile=",
            "gpg.minTrustLevel=undefined",
        )


def signature_verifier() -> Verifier | None:
    """The verifier the environment configures, or None (signatures are then not verified)."""
    import shutil

    gpg = os.environ.get("ZHIBU_GPG_PROGRAM") or None
    signers = os.environ.get("ZHIBU_SSH_ALLOWED_SIGNERS") or None
    keygen = os.environ.get("ZHIBU_SSH_KEYGEN") or "ssh-keygen"
    if gpg is None and signers is None:
        return None
    for variable, program in (("ZHIBU_GPG_PROGRAM", gpg), ("ZHIBU_SSH_KEYGEN", keygen if signers else None)):
        if program is not None and shutil.which(program) is None:
            raise ZhibuError(
                f"{variable} 指定的签名验证程序 {program} 找不到。",
                "写程序的完整路径，例如 /usr/bin/gpg；不验证签名时不要设置它。",
            )
    if signers is not None and not Path(signers).is_file():
        raise ZhibuError(
            f"ZHIBU_SSH_ALLOWED_SIGNERS 指定的文件 {signers} 不存在。",
            "写 allowed_signers 文件的路径（格式见 ssh-keygen(1) 的 ALLOWED SIGNERS）。",
        )
    return Verifier(gpg, os.environ.get("ZHIBU_GNUPGHOME") or None, signers, keygen)


def signatures(
    root: Path, rev: str = "HEAD", verifier: Verifier | None | bool = True
) -> list[tuple[str, str, str, dt.datetime, str]]:
    """(sha, verdict, author, date, subject) for every commit, newest first.

    With a verifier (by default the one :func:`signature_verifier` finds), git verifies and the
    verdict is its ``%G?`` letter. Without one, the verdict is ``N`` for a commit without a
    signature and :data:`UNVERIFIED` for a signed one: nothing is run to check it."""
    import secrets

    if verifier is True:
        verifier = signature_verifier()
    # As in history(): fields split on a random mark (a \x01 or NUL in a name or subject cannot
    # shift them) and raw dates (an impossible time zone is read, not fatal).
    mark = f"\x01zhibu-{secrets.token_hex(8)}\x01"
    fields = ("%H", "%G?" if verifier else "N", "%an", "%ad", "%s")
    form = f"--format={mark.join(('', *fields, ''))}"
    if verifier:
        env = {"GNUPGHOME": verifier.gnupghome} if verifier.gnupghome else None
        raw = _finish(_start_with(root, ("log", *_LOG_SAFE, "--date=raw", form, rev), verifier.config(), env))
    else:
        signed = _signed_commits(root, rev)
        raw = _run(root, "log", *_LOG_SAFE, "--date=raw", form, rev)
    parts = raw.decode("utf-8", "replace").split(mark)
    out = []
    for i in range(1, len(parts) - 5, 6):  # each commit: "", sha, verdict, author, date, subject, ""
        sha, verdict, author, date, subject = parts[i : i + 5]
        if not verifier and sha in signed:
            verdict = UNVERIFIED
        out.append((sha, verdict, author, _git_date(date)[0], subject))
    return out


def _start_with(root: Path, args: tuple[str, ...], config: tuple[str, ...], env: dict | None):
    import subprocess

    try:
        return subprocess.Popen(
            _argv(*args, config=config), cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_environment(env)
        )
    except FileNotFoundError:
        raise ZhibuError("找不到 git 程序。", "请先安装 git（例如 apt-get install git）。") from None


def _signed_commits(root: Path, rev: str) -> set[str]:
    """Commits reachable from ``rev`` whose headers carry a signature (read, not verified)."""
    raw = _run(root, "rev-list", "--header", rev)
    signed = set()
    for record in raw.split(b"\x00"):
        head, _, _message = record.lstrip(b"\n").partition(b"\n\n")
        lines = head.split(b"\n")
        if any(line.startswith((b"gpgsig ", b"gpgsig-sha256 ")) for line in lines[1:]):
            signed.add(lines[0].decode("ascii", "replace"))
    return signed


# --- clones and fetches -------------------------------------------------------------------
# The transports a registry may name; no other (ext::, fd::, remote helpers) can be reached,
# whatever a URL, a url.<base>.insteadOf or GIT_ALLOW_PROTOCOL says.
ALLOWED_SCHEMES = ("https", "http", "ssh", "file")

_NETWORK = (
    "protocol.allow=never",
    *(f"protocol.{scheme}.allow=always" for scheme in ALLOWED_SCHEMES),
    "fetch.recurseSubmodules=false",
    "core.symlinks=false",  # a checked-out clone (a pack's) gets its symlinks as plain files
)

_SCP_URL = re.compile(r"(?:[A-Za-z0-9._~-]+@)?[A-Za-z0-9][A-Za-z0-9.-]*:(?![:/]{1,2}$)[^:\s][^\s]*\Z")


def url_problem(url: str) -> str | None:
    """Why ``url`` may not be fetched (in Chinese), or None for an allowed URL.

    Allowed: https://, http://, ssh:// and git@host:path (ssh), file:// (a committee's local
    registry). Never an option (a leading "-"), an ext:: or other helper transport, a bare
    path, or a URL with spaces or control characters."""
    from urllib.parse import urlsplit

    allowed = "允许的地址：https://…、http://…、ssh://…、git@主机:路径、file:///本机路径"
    if url.startswith("-"):
        return "地址以 - 开头，会被 git 当作选项，不予使用"
    if not url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return f"地址为空或含有空白、控制字符（{allowed}）"
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ALLOWED_SCHEMES:
            return f"不允许的传输方式 {parts.scheme}://（{allowed}）"
        if parts.scheme.lower() != "file" and not parts.hostname:
            return f"地址中没有主机名（{allowed}）"
        if (parts.hostname or "").startswith("-") or (parts.username or "").startswith("-"):
            return "地址中的主机名或用户名以 - 开头，不予使用"
        if parts.scheme.lower() == "file" and parts.netloc not in ("", "localhost"):
            return "file:// 地址只能指向本机（file:///路径）"
        return None
    if "::" in url:
        return f"不允许的传输方式 {url.split('::', 1)[0]}::（{allowed}）"
    if _SCP_URL.match(url) and "/" not in url.split(":", 1)[0]:
        return None
    return f"不是允许的 git 地址（{allowed}）；本机的仓库请写成 file:///绝对路径"


@lru_cache(maxsize=1)
def _ssh_command() -> tuple[str, ...]:
    """The ssh the user chose (GIT_SSH_COMMAND, then core.sshCommand of their global or system
    config, then GIT_SSH), as a setting that beats whatever a repository's config says."""
    import subprocess

    if os.environ.get("GIT_SSH_COMMAND"):
        return ()  # git prefers the variable to any config
    for scope in ("--global", "--system"):
        try:
            done = subprocess.run(
                ["git", "config", scope, "--includes", "--get", "core.sshCommand"],
                cwd="/",
                capture_output=True,
                env=_environment(),
                check=False,
            )
        except FileNotFoundError:
            break
        if done.returncode == 0 and done.stdout.strip():
            return (f"core.sshCommand={done.stdout.decode('utf-8', 'replace').strip()}",)
    if os.environ.get("GIT_SSH"):
        import shlex

        return (f"core.sshCommand={shlex.quote(os.environ['GIT_SSH'])}",)
    return ("core.sshCommand=ssh",)


def _network(*args: str, cwd: Path | None = None, what: str) -> None:
    """A clone or fetch: only the allowed transports, the user's own ssh and credentials,
    no hook, no template, nothing from the repository's config."""
    import subprocess

    # Credential helpers and askpass stay as the user's own config has them (private https
    # registries): a fresh clone has none of its own, and a mirror with any is recreated.
    env = _environment(keep=("GIT_SSH_COMMAND", "GIT_ASKPASS", "SSH_ASKPASS"))
    try:
        done = subprocess.run(
            _argv(*args, config=(*_NETWORK, *_ssh_command()), network=True), cwd=cwd, capture_output=True, env=env, check=False
        )
    except FileNotFoundError:
        raise ZhibuError("找不到 git 程序。", "请先安装 git（例如 apt-get install git）。") from None
    if done.returncode != 0:
        text = done.stderr.decode("utf-8", "replace")
        known = _explain(text)
        raise ZhibuError(f"{what}：{known.message if known else _last_line(text)}", known.hint if known else None)


def clone_shallow(url: str, target: Path) -> None:
    """A depth-1 clone for reading files (a pack's repository); nothing from it is ever executed."""
    local = Path(url)
    if local.is_dir():
        url = local.resolve().as_uri()  # a folder on this machine, through the file transport
    problem = url_problem(url)
    if problem:
        raise ZhibuError(f"无法获取 {url}：{problem}。")
    hint = "核对地址和网络；私有仓库请先配置好 git 凭据。"
    try:
        _network(
            "clone",
            "--depth",
            "1",
            "--quiet",
            "--template=",
            "--no-recurse-submodules",
            "--",
            url,
            str(target),
            what=f"无法获取 {url}",
        )
    except ZhibuError as exc:
        raise ZhibuError(exc.message, exc.hint or hint) from None


def mirror_clone(url: str, target: Path) -> None:
    """A bare mirror of ``url`` at ``target`` (nothing in it is ever executed): no hooks,
    not even the template's, and a config that :func:`mirror_config_problem` accepts."""
    problem = url_problem(url)
    if problem:
        raise ZhibuError(f"无法克隆 {url}：{problem}。")
    _network(
        "clone", "--mirror", "--quiet", "--template=", "--no-recurse-submodules", "--", url, str(target), what=f"无法克隆 {url}"
    )


def mirror_fetch(target: Path, url: str) -> None:
    """Update a bare mirror from ``url`` (the registry's; not from what its config says)."""
    problem = url_problem(url)
    if problem:
        raise ZhibuError(f"无法更新 {target.name}：{problem}。")
    _network(
        "fetch",
        "--prune",
        "--quiet",
        "--no-recurse-submodules",
        "--",
        url,
        "+refs/*:refs/*",
        cwd=target,
        what=f"无法更新 {target.name}",
    )


# What `git clone --mirror` writes into a mirror's config; anything else was put there by
# someone else (an uploadpack, an sshCommand, an include, another remote …).
_MIRROR_BOOLEANS = {"core.filemode", "core.ignorecase", "core.precomposeunicode", "core.symlinks", "core.logallrefupdates"}


def mirror_config_problem(target: Path, url: str) -> str | None:
    """Why the mirror at ``target`` is not as zhibu made it for ``url`` (None when it is)."""
    import subprocess

    if target.is_symlink():
        return "是一个符号链接"
    if not (target / "HEAD").is_file() or not (target / "objects").is_dir() or not (target / "refs").is_dir():
        return "不是裸仓库"
    if target.stat().st_uid != os.geteuid():
        return "属于另一个系统用户"
    for extra in ("commondir", "gitdir", "config.worktree", "objects/info/alternates", "objects/info/http-alternates"):
        if os.path.lexists(target / extra):
            return f"含有 {extra}"
    hooks = target / "hooks"
    if os.path.lexists(hooks) and (
        hooks.is_symlink() or not hooks.is_dir() or any(not p.name.endswith(".sample") for p in hooks.iterdir())
    ):
        return "含有钩子"
    config = target / "config"
    if config.is_symlink() or not config.is_file():
        return "config 不是普通文件"
    try:
        done = subprocess.run(
            _argv("config", "--file", str(config), "--list", "-z"),
            cwd=target,
            capture_output=True,
            env=_environment(),
            check=False,
        )
    except FileNotFoundError:
        raise ZhibuError("找不到 git 程序。", "请先安装 git（例如 apt-get install git）。") from None
    if done.returncode != 0:
        return "config 无法读取"
    seen = {}
    for entry in done.stdout.split(b"\x00"):
        if not entry:
            continue
        key, _, value = entry.decode("utf-8", "replace").partition("\n")
        if key in seen:
            return f"config 中 {key} 出现了不止一次"
        seen[key] = value
    expected = {
        "remote.origin.url": url,
        "remote.origin.fetch": "+refs/*:refs/*",
        "remote.origin.mirror": "true",
        "core.bare": "true",
    }
    for key, value in expected.items():
        if seen.get(key) != value:
            return f"config 中 {key} 不是 zhibu 写入的值"
    for key, value in seen.items():
        if key in expected:
            continue
        if key in _MIRROR_BOOLEANS and value in ("true", "false"):
            continue
        if key == "core.repositoryformatversion" and value in ("0", "1"):
            continue
        if key == "extensions.objectformat" and value in ("sha1", "sha256"):
            continue
        return f"config 中有 zhibu 没有写入的设置 {key}"
    return None


# --- for zhibu calendar and the pre-commit hook ------------------------------------------------


def folder_version(root: Path) -> tuple[dt.datetime, int] | None:
    """(commit time of the last commit touching the branch folder, number of such commits),
    or None outside git or before the first commit. Deterministic for a given history."""
    if not is_repo(root) or not has_commits(root):
        return None
    when = _run(root, "log", *_LOG_SAFE, "-1", "--date=raw", "--format=%cd", "HEAD", "--", ".").decode().strip()
    count = _run(root, "rev-list", "--count", "HEAD", "--", ".").decode().strip()
    if not when:
        return None
    return _git_date(when)[0], int(count or 0)


def toplevel(root: Path) -> Path:
    """The top folder of the work tree that holds ``root``."""
    return Path(_run(root, "rev-parse", "--show-toplevel").decode("utf-8", "replace").strip())


def hooks_dir(root: Path) -> Path:
    """Where git looks for hooks: ``core.hooksPath`` when set, else ``.git/hooks`` (worktrees included)."""
    path = Path(_run(root, "rev-parse", "--git-path", "hooks", own=True).decode("utf-8", "replace").strip())
    return path if path.is_absolute() else (root / path).resolve()


def staged_changes(top: Path) -> tuple[FileChange, ...]:
    """What the next commit changes (the index against HEAD), paths relative to ``top``, renames detected."""
    raw = _run(top, "diff", "--cached", "--name-status", "-z", "-M", "--no-ext-diff", "--no-textconv", "--no-color")
    return _name_status(raw.decode("utf-8", "replace").split("\x00"))


def index_paths(top: Path) -> list[str]:
    """Every path in the index, relative to ``top``."""
    raw = _run(top, "ls-files", "-z", "--full-name")
    return [p for p in raw.decode("utf-8", "replace").split("\x00") if p]


def index_files(root: Path, wanted=None) -> dict[str, bytes]:
    """Files under ``root`` as the index has them (what ``git commit`` is about to record):
    path relative to ``root`` -> bytes, for the paths ``wanted(path)`` accepts. Symlinks,
    submodules and unmerged entries are left out. Honours ``GIT_INDEX_FILE`` (git sets it
    for hooks during ``git commit -a`` and ``git commit <paths>``)."""
    raw = _run(root, "ls-files", "-s", "-z", "--", ".")
    entries = []
    for item in raw.decode("utf-8", "replace").split("\x00"):
        if not item:
            continue
        meta, path = item.split("\t", 1)
        mode, sha, stage = meta.split()
        if stage != "0" or mode in ("120000", "160000") or (wanted is not None and not wanted(path)):
            continue
        entries.append((path, sha))
    return _contents(root, entries)
