"""Files of a branch on disk: finding the root, listing, safe reads, atomic writes, a lock.

Reads refuse what a hostile or broken repository might hold (huge files,
symlinks out of the branch); writes go to a temporary file that is renamed
into place, so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import ZhibuError

MARKER = "zhibu.yaml"
MAX_FILE_BYTES = 1024 * 1024
# Where ``zhibu doc`` puts what it prints, and the .gitignore ``zhibu init`` and ``zhibu demo``
# write so that those documents (made again from the records at any time) stay out of git.
DOCUMENTS_DIR = "文书"
GITIGNORE = f"# zhibu doc 生成的文书：随时可以从记录重新生成，不提交到仓库\n/{DOCUMENTS_DIR}/\n"
"""A record is a few KB; anything above this is refused unread."""
MAX_BRANCH_BYTES = 32 * 1024 * 1024
"""What one check reads of a branch's files at most (ten years of a large branch are about
1 MB); the files past it are refused unread, so a branch cannot make a check read gigabytes."""


@dataclass(frozen=True)
class Withheld:
    """A file left unread in git: over the per-file limit, or past the branch's byte budget."""

    size: int
    budget: bool = False  # True: the file is small enough, the branch's budget was spent

    def refusal(self) -> str:
        if self.budget:
            return (
                f"本支部已读取的文件总量达到上限 {MAX_BRANCH_BYTES // (1024 * 1024)} MB，该文件（{self.size // 1024} KB）未读取"
            )
        return too_large(self.size)


def too_large(size: int) -> str:
    return f"文件大小 {size // 1024} KB，超过上限 {MAX_FILE_BYTES // 1024} KB，拒绝读取"


class ByteBudget:
    """What is left of one check's :data:`MAX_BRANCH_BYTES` (shared by every read of the check)."""

    def __init__(self, total: int = MAX_BRANCH_BYTES):
        self.left = total

    def take(self, size: int) -> bool:
        """Spend ``size`` bytes if that many are left."""
        if size > self.left:
            return False
        self.left -= size
        return True


# What a branch's files are is format/kinds.py's to say (store knows no kinds): the listing is
# every YAML file of the branch, and the loader sorts them into kinds, reporting the others.
YAML_SUFFIXES = (".yaml", ".yml")


class Refused(Exception):
    """A file the loader will not read; the message says why, in Chinese."""


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` that holds zhibu.yaml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / MARKER).is_file():
            return folder
    raise ZhibuError(
        f"{start} 及其上级目录中没有 zhibu.yaml，不是支部仓库。",
        "用 -C 指定支部目录，或运行 zhibu init 新建支部。",
    )


@dataclass(frozen=True)
class WorkTree:
    """The files of a branch as they are on disk."""

    root: Path
    budget: ByteBudget = field(default_factory=ByteBudget, compare=False, repr=False)

    def list_files(self, free: tuple[str, ...] = ()) -> list[str]:
        """Relative POSIX paths of every YAML file of the branch (``.yaml`` and ``.yml``, so the
        loader can point at misnamed ones), outside hidden folders, the top folders named in
        ``free`` and folders holding a branch of their own (a zhibu.yaml); with the linked
        folders (os.walk does not enter them) and folders named like YAML files, which the
        loader reports when they stand where its files go."""
        found = []
        top = str(self.root)
        for dirpath, dirnames, filenames in os.walk(top):
            if dirpath == top:
                rel_dir = ""
                dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in free]
            elif MARKER in filenames:
                dirnames[:] = []  # another branch (a 党总支's folder holding its branches)
                continue
            else:
                rel_dir = Path(dirpath).relative_to(top).as_posix() + "/"
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            found.extend(rel_dir + d for d in dirnames if d.endswith(YAML_SUFFIXES) or os.path.islink(os.path.join(dirpath, d)))
            found.extend(rel_dir + name for name in filenames if name.endswith(YAML_SUFFIXES) and not name.startswith("."))
        return sorted(found)

    def exists(self, rel: str) -> bool:
        return os.path.lexists(self.root / rel)

    def read(self, rel: str) -> bytes:
        """Bytes of a file, refusing symlinks that leave the branch and oversized files.

        Only the file itself can be a link: list_files() never descends into linked folders.
        """
        path = os.path.join(self.root, rel)  # a str: pathlib costs more than the read itself here
        try:
            info = os.lstat(path)
        except OSError as exc:
            raise Refused(f"无法读取：{exc.strerror}") from None
        if stat.S_ISLNK(info.st_mode):
            real = Path(path).resolve()
            root = self.root.resolve()
            if root != real and root not in real.parents:
                raise Refused("该文件是指向支部目录以外的符号链接，拒绝读取")
            try:
                info = os.stat(real)
            except OSError as exc:
                raise Refused(f"无法读取：{exc.strerror}") from None
            path = real
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
            raise Refused("不是普通文件（可能是目录、管道或设备），拒绝读取")
        if info.st_size > MAX_FILE_BYTES:
            raise Refused(too_large(info.st_size))
        if not self.budget.take(info.st_size):
            raise Refused(Withheld(info.st_size, budget=True).refusal())
        try:
            with open(path, "rb") as handle:
                # Not read(MAX_FILE_BYTES + 1): that allocates a megabyte per file.
                return handle.read(info.st_size + 1)
        except OSError as exc:
            raise Refused(f"无法读取：{exc.strerror}") from None


def is_branch_file(rel: str) -> bool:
    """Whether a path (relative, POSIX) is one a check reads: a YAML file outside hidden folders.
    The loader sorts them into the kinds of format/kinds.py and reports the others."""
    return rel.endswith(YAML_SUFFIXES) and not any(part.startswith(".") for part in rel.split("/"))


def _listed(rels, free: tuple[str, ...]) -> list[str]:
    """The paths among ``rels`` a listing gives (as :meth:`WorkTree.list_files` does on disk)."""
    nested = tuple(rel[: -len(MARKER)] for rel in rels if rel.endswith("/" + MARKER))
    return sorted(
        rel
        for rel in rels
        if is_branch_file(rel) and rel.split("/", 1)[0] not in free and not (nested and rel.startswith(nested))
    )


@dataclass(frozen=True)
class Snapshot:
    """The files of a branch as some commit had them (read from git, not from the work tree)."""

    root: Path
    files: dict  # rel -> bytes

    def list_files(self, free: tuple[str, ...] = ()) -> list[str]:
        return _listed(self.files, free)

    def exists(self, rel: str) -> bool:
        return rel in self.files

    def read(self, rel: str) -> bytes:
        data = self.files[rel]
        if isinstance(data, Withheld):
            raise Refused(data.refusal())
        if len(data) > MAX_FILE_BYTES:
            raise Refused(too_large(len(data)))
        return data


@dataclass(frozen=True)
class Overlay:
    """A tree with some files replaced (bytes) or deleted (None): a change before it is written."""

    base: WorkTree
    changes: dict  # rel -> bytes | None

    @property
    def root(self) -> Path:
        return self.base.root

    def list_files(self, free: tuple[str, ...] = ()) -> list[str]:
        names = set(self.base.list_files(free))
        names.difference_update(rel for rel, content in self.changes.items() if content is None)
        # As the base lists them: editor settings are no records.
        names.update(_listed([rel for rel, content in self.changes.items() if content is not None], free))
        return sorted(names)

    def exists(self, rel: str) -> bool:
        if rel in self.changes:
            return self.changes[rel] is not None
        return self.base.exists(rel)

    def read(self, rel: str) -> bytes:
        if rel in self.changes and self.changes[rel] is not None:
            return self.changes[rel]
        return self.base.read(rel)


# --- writing ------------------------------------------------------------------


def safe_target(root: Path, rel: str) -> Path:
    """The absolute path for writing ``rel``, refusing paths outside the branch and symlinks."""
    candidate = PurePosixPath(rel)
    if candidate.is_absolute() or ".." in candidate.parts:
        raise ZhibuError(f"拒绝写入支部目录以外的路径：{rel}")
    path = root / candidate
    current = root
    for part in candidate.parts:
        current = current / part
        if current.is_symlink():
            raise ZhibuError(f"拒绝通过符号链接写入：{current.relative_to(root)}", "请把符号链接换成普通文件或目录。")
    return path


def write_atomic(root: Path, rel: str, data: bytes) -> None:
    """Write ``data`` to ``rel`` through a temporary file in the same folder, then rename."""
    write_file_atomic(safe_target(root, rel), data)


def write_file_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (already checked) through a temporary file, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o777)
        else:
            os.chmod(temp, 0o644 & ~_umask())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def remove_file(root: Path, rel: str) -> None:
    path = safe_target(root, rel)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def branch_lock(root: Path, timeout: float = 30.0):
    """Serialise zhibu's writers on one branch.

    An advisory ``flock`` on a file inside ``.git`` (or the branch root when
    there is no git): the kernel drops it when the process dies, so a killed
    command never leaves a stale lock behind. A second writer waits up to
    ``timeout`` seconds, then fails with a clear message.
    """
    import fcntl

    handle = open(_lock_path(root), "a+b")
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise ZhibuError(
                        "另一个 zhibu 命令正在修改这个支部仓库，等待超时。",
                        "等它完成后重试。",
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        handle.close()


def _lock_path(root: Path) -> Path:
    """The lock file: in the git directory of the repository holding the branch (which may be
    a bigger repository above it, or a worktree whose ``.git`` is a file), so it never shows up
    as an untracked file; a hidden file in the branch root when there is no git at all."""
    for folder in (root, *root.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git / "zhibu.lock"
        if dot_git.is_file():
            with contextlib.suppress(OSError, UnicodeDecodeError):
                text = dot_git.read_text(encoding="utf-8").strip()
                if text.startswith("gitdir:"):
                    git_dir = (folder / text[len("gitdir:") :].strip()).resolve()
                    if git_dir.is_dir():
                        return git_dir / "zhibu.lock"
            break
    return root / ".zhibu.lock"
