"""Hostile repositories: nothing a branch configures in git is ever run by zhibu.

Each vector is a repository (work tree or bare mirror) whose git settings name a program;
every program is a script that creates a marker file named after the vector. Every zhibu
command that reads git runs over every vector, and no marker may ever appear. A control
test runs plain git on copies to show that each vector does run its program when git is
left to itself, so the suite cannot pass by accident. docs/security.md lists what is covered.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import DEFAULT_ZHIBU, DEFAULTS, GIT_EMAIL, GIT_USER, _write, record_text

SIGNED_PACK = (
    "pack: X-签名\nlayer: X\ntitle: 提交须签名\nversion: 1\nrules:\n"
    "  - {code: X.signed-commits, kind: signed-commits, since: 2000-01-01, severity: error, title: 提交须签名}\n"
)
# Every file kind gets a filter and a diff driver; each vector configures some of the drivers.
ATTRIBUTES = "* filter=evil diff=evil merge=evil\nmembers.yaml filter=proc diff=evil\ncommittee.yaml filter=we=ird.x diff=evil\n"
HOOKS = (
    "pre-commit",
    "post-commit",
    "post-checkout",
    "post-merge",
    "reference-transaction",
    "post-index-change",
    "pre-auto-gc",
    "post-rewrite",
    "fsmonitor-watchman",
    "push-to-checkout",
    "pre-push",
    "post-update",
    "update",
)
SIGNATURES = {
    "gpg": "-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEEZmFrZQ==\n=AAAA\n-----END PGP SIGNATURE-----",
    "ssh": "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQ==\n-----END SSH SIGNATURE-----",
    "x509": "-----BEGIN SIGNED MESSAGE-----\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\n-----END SIGNED MESSAGE-----",
}
AS_OF = ("--as-of", "2026-04-30")


class Lab:
    """The hostile repositories of this module, the scripts they name, and the marker folder."""

    def __init__(self, top: Path):
        self.top = top
        self.bin = top / "bin"
        self.markers = top / "markers"
        self.branches = top / "branches"  # what batch commands are pointed at
        for folder in (self.bin, self.markers, self.branches):
            folder.mkdir()
        empty = top / "empty-gitconfig"
        empty.touch()
        self.env = {
            **os.environ,
            "GIT_CONFIG_GLOBAL": str(empty),
            "GIT_CONFIG_NOSYSTEM": "1",
            **{
                f"GIT_{role}_{part}": value
                for role in ("AUTHOR", "COMMITTER")
                for part, value in (("NAME", GIT_USER), ("EMAIL", GIT_EMAIL))
            },
        }
        self.worktrees: dict[str, Path] = {}
        self.bares: dict[str, Path] = {}

    def program(self, name: str) -> str:
        """A script that leaves the marker ``name`` (in $MARKERS when set, for the controls)."""
        script = self.bin / name
        script.write_text(f'#!/bin/sh\ntouch "${{MARKERS:-{self.markers}}}/{name}"\nexit 1\n', encoding="utf-8")
        script.chmod(0o755)
        return str(script)

    def git(self, root: Path, *args: str, env: dict | None = None) -> str:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, env={**self.env, **(env or {})}, check=False
        )
        assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
        return done.stdout.strip()

    def configure(self, root: Path, settings: dict[str, str], *, config: Path | None = None) -> None:
        target = ["--file", str(config)] if config else []
        for key, value in settings.items():
            self.git(root, "config", *target, "--add", key, value)

    def found(self) -> list[str]:
        return sorted(p.name for p in self.markers.iterdir())


def build_base(lab: Lab) -> Path:
    """A branch whose zhibu.yaml switches the signed-commits rule on (its own X pack), with
    .gitattributes naming drivers, and commits signed with fake gpg, ssh and x509 signatures."""
    base = lab.top / "base"
    base.mkdir()
    _write(
        base,
        {
            **DEFAULTS,
            "zhibu.yaml": DEFAULT_ZHIBU + "standard: [standards/X-签名.yaml]\n",
            "standards/X-签名.yaml": SIGNED_PACK,
            "records/2026/2026-03-05-支部委员会.yaml": record_text(),
            ".gitattributes": ATTRIBUTES,
        },
    )
    lab.git(base, "init", "-q", "-b", "main")
    lab.git(base, "add", "-A")
    lab.git(
        base,
        "commit",
        "-q",
        "-m",
        "建立台账",
        env={"GIT_AUTHOR_DATE": "2026-03-06T20:00:00+08:00", "GIT_COMMITTER_DATE": "2026-03-06T20:00:00+08:00"},
    )
    for kind, signature in SIGNATURES.items():  # signed commits, made by hand: no signing program needed
        header = lab.git(base, "cat-file", "commit", "HEAD").split("\n\n", 1)[0].split("\n")
        people = [line for line in header if line.startswith(("author ", "committer "))]
        lines = [f"tree {lab.git(base, 'rev-parse', 'HEAD^{tree}')}", f"parent {lab.git(base, 'rev-parse', 'HEAD')}", *people]
        signed = "\n".join(lines) + "\ngpgsig " + signature.replace("\n", "\n ") + f"\n\n{kind} 签名的提交\n"
        sha = subprocess.run(
            ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
            cwd=base,
            input=signed,
            capture_output=True,
            text=True,
            env=lab.env,
            check=True,
        ).stdout.strip()
        lab.git(base, "update-ref", "refs/heads/main", sha)
    lab.git(base, "tag", "-a", "关账-2026-03", "-m", "关账 2026年3月")
    return base


def hostile_settings(lab: Lab, name: str, vector: str) -> dict[str, str]:
    """The vector's git settings naming programs (each program marks ``<name>-<key>``)."""
    p = lambda key: lab.program(f"{name}-{key}")
    settings = {
        "fsmonitor": lambda: {"core.fsmonitor": p("fsmonitor")},
        "filter-clean": lambda: {
            "filter.evil.clean": p("clean"),
            "filter.evil.smudge": p("smudge"),
            "filter.evil.required": "true",
        },
        "filter-process": lambda: {"filter.proc.process": p("process"), "filter.proc.required": "true"},
        "filter-odd-name": lambda: {"filter.we=ird.x.clean": p("clean"), "filter.we=ird.x.required": "true"},
        "textconv": lambda: {
            "diff.evil.textconv": p("textconv"),
            "diff.evil.command": p("command"),
            "diff.external": p("external"),
        },
        "gpg": lambda: {
            "log.showSignature": "true",
            "gpg.program": p("gpg"),
            "gpg.openpgp.program": p("openpgp"),
            "gpg.ssh.program": p("ssh-keygen"),
            "gpg.x509.program": p("gpgsm"),
            "gpg.ssh.allowedSignersFile": "/dev/null",
        },
        "pager": lambda: {
            "core.pager": p("pager"),
            "pager.log": p("pager-log"),
            "pager.status": p("pager-status"),
            "pager.diff": p("pager-diff"),
        },
        "hooks-path": lambda: {"core.hooksPath": str(lab.bin / f"{name}-hooks")},
        "alternates": lambda: {"core.alternateRefsCommand": p("alternate-refs")},
        "misc": lambda: {
            "core.sshCommand": p("ssh"),
            "core.askPass": p("askpass"),
            "core.editor": p("editor"),
            "sequence.editor": p("sequence-editor"),
            "credential.helper": "!" + p("credential"),
            "merge.evil.driver": p("merge"),
            "core.gitProxy": p("proxy"),
            "protocol.allow": "always",
            "remote.origin.url": "ext::" + p("ext") + " %S",
            "remote.origin.uploadpack": p("uploadpack"),
            "uploadpack.packObjectsHook": p("pack-objects"),
            "gc.auto": "1",
        },
    }
    return settings[vector]()


def make_hostile(lab: Lab, repo: Path, vector: str, prefix: str) -> None:
    """Give ``repo`` (a work tree or bare) the vector's settings, hooks and tampered files."""
    git_dir = repo / ".git" if (repo / ".git").exists() else repo
    if vector == "include":  # the dangerous settings come from other files
        included = lab.top / f"{prefix}.inc"
        inner = {
            k: v for part in ("fsmonitor", "filter-clean", "gpg", "pager") for k, v in hostile_settings(lab, prefix, part).items()
        }
        lab.configure(repo, inner, config=included)
        conditional = lab.top / f"{prefix}-if.inc"
        lab.configure(
            repo,
            {**hostile_settings(lab, prefix + "-if", "filter-process"), "core.fsmonitor": lab.program(f"{prefix}-if-fsmonitor")},
            config=conditional,
        )
        lab.configure(repo, {"include.path": str(included), "includeIf.gitdir:/.path": str(conditional)})
    elif vector == "hooks":
        hooks = git_dir / "hooks"
        hooks.mkdir(exist_ok=True)
        for hook in HOOKS:
            shutil.copy(lab.program(f"{prefix}-hook-{hook}"), hooks / hook)
    else:
        lab.configure(repo, hostile_settings(lab, prefix, vector))
    if vector == "hooks-path":
        folder = lab.bin / f"{prefix}-hooks"
        folder.mkdir()
        for hook in HOOKS:
            shutil.copy(lab.program(f"{prefix}-hooksPath-{hook}"), folder / hook)
    if vector == "alternates":
        (git_dir / "objects/info").mkdir(parents=True, exist_ok=True)
        (git_dir / "objects/info/alternates").write_text(str(lab.top / "base/.git/objects") + "\n", encoding="utf-8")
    if vector in ("filter-clean", "filter-process", "filter-odd-name", "include") and git_dir == repo:
        (git_dir / "info").mkdir(exist_ok=True)
        (git_dir / "info/attributes").write_text(ATTRIBUTES, encoding="utf-8")
    if git_dir != repo:
        # Two tracked files modified, an untracked record; the others are copies (new inode and
        # ctime), so git status has to read each of them again, through its filter.
        for rel in ("zhibu.yaml", "records/2026/2026-03-05-支部委员会.yaml"):
            with open(repo / rel, "a", encoding="utf-8") as handle:
                handle.write("# 改动\n")
        (repo / "records/2026/2026-03-20-支部委员会.yaml").write_text(record_text(date="2026-03-20"), encoding="utf-8")


WORKTREE_VECTORS = (
    "fsmonitor",
    "filter-clean",
    "filter-process",
    "filter-odd-name",
    "textconv",
    "gpg",
    "include",
    "pager",
    "hooks",
    "hooks-path",
    "alternates",
    "misc",
)
BARE_VECTORS = ("fsmonitor", "filter-clean", "textconv", "gpg", "include", "pager", "hooks", "hooks-path", "alternates", "misc")


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Lab:
    lab = Lab(tmp_path_factory.mktemp("hostile"))
    base = build_base(lab)
    for vector in WORKTREE_VECTORS:
        repo = lab.branches / f"工作目录-{vector}"
        shutil.copytree(base, repo, symlinks=True)
        make_hostile(lab, repo, vector, f"wt-{vector}")
        lab.worktrees[vector] = repo
    for vector in BARE_VECTORS:
        repo = lab.branches / f"镜像-{vector}.git"
        lab.git(lab.top, "clone", "-q", "--mirror", str(base), str(repo))
        make_hostile(lab, repo, vector, f"bare-{vector}")
        lab.bares[vector] = repo
    assert lab.found() == [], "building the lab ran a program"
    (lab.top / "见证.txt").write_text(lab.git(base, "rev-parse", "HEAD~2") + " 2026-03-07\n", encoding="utf-8")
    return lab


@pytest.fixture
def quiet(lab, run, monkeypatch):
    """``quiet(*args)``: run zhibu, then insist that it neither ran a branch's program nor crashed."""
    for key in ("GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM"):
        monkeypatch.setenv(key, lab.env[key])
    for variable in ("ZHIBU_GPG_PROGRAM", "ZHIBU_GNUPGHOME", "ZHIBU_SSH_ALLOWED_SIGNERS", "ZHIBU_SSH_KEYGEN"):
        monkeypatch.delenv(variable, raising=False)

    def invoke(*args, allowed=(0, 1)):
        result = run(*args)
        what = "zhibu " + " ".join(str(a) for a in args)
        ran = lab.found()
        for name in ran:  # each failure names its own command, not the ones after it
            (lab.markers / name).unlink()
        assert ran == [], f"{what} ran a program the repository configured"
        assert result.exception is None or isinstance(result.exception, SystemExit), f"{what}: {result.exception!r}"
        assert "Traceback" not in result.output and "内部错误" not in result.stderr, f"{what}: {result.stderr}"
        assert result.exit_code in allowed or (result.exit_code == 2 and result.stderr.strip()), (
            f"{what}: exit {result.exit_code} {result.stderr}"
        )
        return result

    return invoke


@pytest.mark.parametrize("vector", WORKTREE_VECTORS)
def test_reading_a_hostile_work_tree_runs_nothing(lab, quiet, vector):
    root = lab.worktrees[vector]
    witness = lab.top / "见证.txt"
    check = quiet("-C", root, "check", *AS_OF, "--format", "json")
    data = json.loads(check.stdout)
    codes = {f["code"] for f in data["findings"]}
    assert "audit.uncommitted" in codes  # status was read: the modified files are reported
    assert "X.signed-commits" in codes  # the branch's own pack switched the rule on; it ran
    assert any("未验证" in note for note in data.get("notes", [])) or "未验证" in check.stdout
    quiet("-C", root, "check", *AS_OF, "--at", "HEAD")
    quiet("-C", root, "check", "--as-recorded", "2026-04-30")
    quiet("-C", root, "check", *AS_OF, "--witness", witness)
    assert "支部委员会" in quiet("-C", root, "log").stdout + quiet("-C", root, "log", "2026-03-05").stdout
    assert quiet("-C", root, "audit", "witness").stdout.strip()
    quiet("-C", root, "audit", "verify", witness)
    listed = quiet("-C", root, "audit", "signatures")
    assert listed.stdout.count("带有签名，未验证") == 3 and "没有签名" in listed.stdout
    quiet("-C", root, "calendar", "-o", "-", "--year", "2026")
    quiet("-C", root, "hooks", "run")
    quiet("-C", root, "due", *AS_OF)


def test_batch_commands_over_hostile_work_trees_and_mirrors_run_nothing(lab, quiet, tmp_path):
    checked = json.loads(quiet("batch", "check", lab.branches, *AS_OF, "--format", "json", "-j", "1").stdout)
    statuses = {b["root"]: b["status"] for b in checked["branches"]}
    assert len(statuses) == len(WORKTREE_VECTORS) + len(BARE_VECTORS)
    assert all(status == "findings" for status in statuses.values()), statuses  # each was read and checked
    quiet("batch", "check", lab.branches, *AS_OF, "--format", "csv", "-j", "2")
    quiet("batch", "rate", lab.branches, *AS_OF, "-j", "1")
    quiet("batch", "report", lab.branches, *AS_OF, "--out", tmp_path / "报告", "-j", "2")
    assert len(list((tmp_path / "报告").glob("*.docx"))) > len(statuses)


def test_signatures_are_verified_with_the_committees_program_only(lab, quiet, monkeypatch, tmp_path):
    """With ZHIBU_GPG_PROGRAM set, git verifies with that program and keyring, never the branch's."""
    trusted = tmp_path / "委员会的gpg"
    ran = tmp_path / "委员会的gpg运行过"
    trusted.write_text(f'#!/bin/sh\necho "$GNUPGHOME" >> "{ran}"\nexit 1\n', encoding="utf-8")
    trusted.chmod(0o755)
    monkeypatch.setenv("ZHIBU_GPG_PROGRAM", str(trusted))
    monkeypatch.setenv("ZHIBU_GNUPGHOME", str(tmp_path / "钥匙环"))
    for root in (lab.worktrees["gpg"], lab.worktrees["include"]):
        listed = quiet("-C", root, "audit", "signatures").stdout
        assert "带有签名，未验证" not in listed and listed.count("签名") >= 3
    assert ran.read_text(encoding="utf-8").splitlines()[0] == str(tmp_path / "钥匙环")
    checked = json.loads(quiet("batch", "check", lab.bares["gpg"].parent, *AS_OF, "--format", "json", "-j", "1").stdout)
    signed = [f for b in checked["branches"] for f in b["findings"] if f["code"] == "X.signed-commits"]
    assert len(signed) >= 4 * len(checked["branches"])  # three unverifiable signatures and the unsigned commit


def test_an_unusable_verifier_is_a_clear_error(lab, quiet, monkeypatch):
    monkeypatch.setenv("ZHIBU_GPG_PROGRAM", "/没有/这个/gpg")
    result = quiet("-C", lab.worktrees["gpg"], "audit", "signatures")
    assert result.exit_code == 2 and "ZHIBU_GPG_PROGRAM" in result.stderr
    checked = json.loads(quiet("-C", lab.worktrees["gpg"], "check", *AS_OF, "--format", "json").stdout)
    assert any("ZHIBU_GPG_PROGRAM" in note for note in checked["notes"])  # a note, not a crashed rule
    assert not any(f["code"] == "internal.rule-crashed" for f in checked["findings"])


def test_each_vector_runs_its_program_when_git_is_left_to_itself(lab, tmp_path):
    """The control: plain git on copies of the lab's repositories does run the programs."""
    markers = tmp_path / "markers"
    markers.mkdir()
    env = {"MARKERS": str(markers)}

    def copy(repo: Path) -> Path:
        target = tmp_path / repo.name
        shutil.copytree(repo, target, symlinks=True)
        if (target / ".git").exists():  # the index records the old path's stat data: touch it all
            for path in target.rglob("*.yaml"):
                os.utime(path)
        return target

    def fired(prefix: str) -> bool:
        return any(p.name.startswith(prefix) for p in markers.iterdir())

    def plain(repo: Path, *args: str, **extra) -> None:
        subprocess.run(
            ["git", *args], cwd=repo, stdin=subprocess.DEVNULL, capture_output=True, env={**lab.env, **env, **extra}, check=False
        )

    wt = {vector: copy(repo) for vector, repo in lab.worktrees.items()}
    plain(wt["fsmonitor"], "status")
    plain(wt["filter-clean"], "status")
    plain(wt["filter-process"], "status")
    plain(wt["filter-odd-name"], "status")
    plain(wt["textconv"], "log", "-p")
    plain(wt["gpg"], "log", "-3")
    plain(wt["include"], "status")
    plain(wt["hooks"], "commit", "-q", "--allow-empty", "-m", "x")
    plain(wt["hooks-path"], "commit", "-q", "--allow-empty", "-m", "x")
    plain(wt["alternates"], "fetch", "-q", str(lab.top / "base"))
    plain(wt["misc"], "fetch", "-q", "origin")
    for vector, prefix in {
        "fsmonitor": "wt-fsmonitor-",
        "filter-clean": "wt-filter-clean-",
        "filter-process": "wt-filter-process-",
        "filter-odd-name": "wt-filter-odd-name-",
        "textconv": "wt-textconv-",
        "gpg": "wt-gpg-",
        "include": "wt-include-",
        "hooks": "wt-hooks-hook-",
        "hooks-path": "wt-hooks-path-hooksPath-",
        "alternates": "wt-alternates-",
        "misc": "wt-misc-",
    }.items():
        assert fired(prefix), f"control: plain git did not run the {vector} vector"
    bare_gpg = copy(lab.bares["gpg"])
    plain(bare_gpg, "log", "-3")
    assert fired("bare-gpg-")
    assert lab.found() == []


def test_sync_refuses_bad_entries_and_replaces_tampered_mirrors(lab, quiet, tmp_path):
    base = (lab.top / "base").as_uri()
    dest = tmp_path / "镜像"
    outside = tmp_path / "outside"
    outside.mkdir()
    dest.mkdir()
    (dest / "链接").symlink_to(outside, target_is_directory=True)
    tampered = ("改了uploadpack", "改了ssh", "加了钩子", "加了alternates")
    entries = [
        ("敌意源仓库", lab.worktrees["hooks"].as_uri(), None),  # a hostile source: upload-pack runs there
        ("敌意裸仓库", lab.bares["misc"].as_uri(), None),
        *((name, base, None) for name in tampered),
        ("ext地址", "ext::" + lab.program("sync-ext"), None),
        ("选项地址", "--upload-pack=" + lab.program("sync-upload-pack"), None),
        ("选项主机", "ssh://-oProxyCommand=" + lab.program("sync-proxy") + "/x", None),
        ("本机路径", str(lab.top / "base"), None),
        ("逃出", base, "../outside/evil.git"),
        ("绝对路径", base, str(outside / "abs.git")),
        ("符号链接", base, "链接/evil.git"),
    ]
    manifest = tmp_path / "登记表.yaml"
    manifest.write_text(
        "branches:\n"
        + "".join(
            f"  - {{name: {name}, url: {json.dumps(url)}{f', path: {json.dumps(path)}' if path else ''}}}\n"
            for name, url, path in entries
        ),
        encoding="utf-8",
    )
    first = quiet("batch", "sync", manifest, "--dest", dest)
    assert first.exit_code == 1 and "6 个成功，7 个失败" in first.stdout
    for name, reason in (
        ("ext地址", "不允许的传输方式 ext"),
        ("选项地址", "以 - 开头"),
        ("选项主机", "以 - 开头"),
        ("本机路径", "file:///"),
        ("逃出", "--dest 之外"),
        ("绝对路径", "绝对路径"),
        ("符号链接", "符号链接"),
    ):
        assert any(name in line and reason in line for line in first.stderr.splitlines()), (name, first.stderr)
    assert list(outside.iterdir()) == []  # nothing was written outside --dest
    mirrors = {name: dest / f"{name}.git" for name in tampered}
    # someone changes the mirrors in --dest: each change would run a program on the next fetch
    lab.configure(mirrors["改了uploadpack"], {"remote.origin.uploadpack": lab.program("sync-uploadpack")})
    lab.configure(mirrors["改了ssh"], {"core.sshCommand": lab.program("sync-ssh")})
    lab.git(mirrors["改了ssh"], "config", "remote.origin.url", "ssh://example.invalid/x.git")
    (mirrors["加了钩子"] / "hooks").mkdir()
    shutil.copy(lab.program("sync-hook"), mirrors["加了钩子"] / "hooks/reference-transaction")
    included = tmp_path / "inc"
    lab.configure(
        mirrors["加了钩子"], {"core.fsmonitor": lab.program("sync-fsmonitor"), "url.ext::sh.insteadOf": "file"}, config=included
    )
    lab.configure(mirrors["加了钩子"], {"include.path": str(included)})
    (mirrors["加了alternates"] / "objects/info/alternates").write_text(
        str(lab.top / "base/.git/objects") + "\n", encoding="utf-8"
    )
    lab.configure(mirrors["加了alternates"], {"core.alternateRefsCommand": lab.program("sync-alternates")})
    control = tmp_path / "对照"
    shutil.copytree(mirrors["改了uploadpack"], control)
    subprocess.run(
        ["git", "fetch", "-q", "origin"], cwd=control, env={**lab.env, "MARKERS": str(tmp_path)}, capture_output=True, check=False
    )
    assert (tmp_path / "sync-uploadpack").exists()  # the control: plain git fetch runs it
    again = quiet("batch", "sync", manifest, "--dest", dest)
    assert again.exit_code == 1 and "6 个成功，7 个失败" in again.stdout
    from zhibu.store import gitrepo

    for name, mirror in mirrors.items():
        assert f"完成  {name}" in again.stdout and "重新克隆" in again.stdout.split(f"完成  {name}", 1)[1].split("\n", 1)[0], (
            again.stdout
        )
        assert gitrepo.mirror_config_problem(mirror, base) is None
        assert not (mirror / "objects/info/alternates").exists() and not (mirror / "hooks").exists()
    assert "重新克隆" not in again.stdout.split("完成  敌意源仓库", 1)[1].split("\n", 1)[0]  # untouched mirrors are only fetched
    assert sorted(p.name for p in dest.iterdir() if p.name.startswith(".")) == []  # no half-made copies left
    checked = json.loads(quiet("batch", "check", dest, *AS_OF, "--format", "json", "-j", "1").stdout)
    assert len(checked["branches"]) == 6 and all(b["status"] == "findings" for b in checked["branches"])


def test_a_pack_source_is_a_url_of_an_allowed_transport(lab, quiet, git_branch):
    root = git_branch()
    result = quiet("-C", root, "standard", "update", "ext::" + lab.program("pack-ext.git"))  # ".git": taken for a repository
    assert result.exit_code == 2 and "不允许的传输方式" in result.stderr
    result = quiet("-C", root, "standard", "update", "--upload-pack=" + lab.program("pack-upload.git"))
    assert result.exit_code == 2
