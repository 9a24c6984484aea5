"""Failures of the tool itself (as opposed to findings about the records).

Every ``ZhibuError`` reaches the user as one or two Chinese sentences on
standard error and exit status 2; the CLI shows a traceback only with --debug.
"""

from __future__ import annotations


class ZhibuError(Exception):
    """The command could not do its job. ``hint`` says how to fix it."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


class InvalidChange(ZhibuError):
    """A change that would leave the records invalid; ``findings`` say why."""

    def __init__(self, message: str, findings=(), hint: str | None = None):
        super().__init__(message, hint)
        self.findings = tuple(findings)


# errno -> (the cause in Chinese, how to fix it). The numbers come from the errno module,
# imported inside the function: this module is imported by `zhibu --help`.
_OS_CAUSES = {
    "ENOSPC": ("磁盘空间已满", "清理磁盘空间（df -h 查看）后重试。"),
    "EDQUOT": ("超出了这个用户的磁盘配额", "删除不需要的文件，或请管理员提高配额后重试。"),
    "EROFS": ("所在的文件系统是只读的", "把支部仓库复制到可写的位置，或以读写方式重新挂载后重试。"),
    "EACCES": ("没有写入权限", "用 ls -l 检查文件和目录的权限，以仓库所有者的身份运行，或修改权限后重试。"),
    "EPERM": ("操作系统不允许这项操作", "检查文件属性（如 chattr +i）和权限后重试。"),
    "ENAMETOOLONG": ("文件名或路径过长", "把支部仓库放到较短的路径下，或缩短文件名后重试。"),
    "EIO": ("磁盘读写出错（I/O 错误）", "检查磁盘或存储设备（U 盘、网络盘是否已断开）后重试。"),
    "EMFILE": ("同时打开的文件过多", "关闭其他程序后重试。"),
    "ENFILE": ("系统同时打开的文件过多", "关闭其他程序后重试。"),
    "ENOENT": ("文件或目录不存在", "确认支部目录没有被移动或删除后重试。"),
    "ENOTDIR": ("路径中有一段不是目录", "检查支部目录中是否有文件占用了目录的名字。"),
    "EISDIR": ("要写入的位置是一个目录", "移走同名的目录后重试。"),
    "EEXIST": ("文件已存在", "检查支部目录后重试。"),
}


def os_problem(exc: OSError, *, doing: str = "读写", done: str = "") -> ZhibuError:
    """A Chinese error for an operating-system failure: which file, the cause, the fix.

    ``done`` says in what state the command left the repository ("改动已撤回……").
    """
    import errno as errno_module

    name = errno_module.errorcode.get(exc.errno or 0, "")
    cause, fix = _OS_CAUSES.get(name, (f"操作系统报告错误（{name or exc.errno}）", "检查磁盘和权限后重试。"))
    where = f" {exc.filename} " if exc.filename else ""
    return ZhibuError(f"{doing}{where}失败：{cause}。", f"{done}{fix}" if done else fix)


def os_problem_from_text(text: str, *, doing: str, done: str = "") -> ZhibuError | None:
    """The same error for a message another program (git) printed, when it names an OS failure."""
    import errno as errno_module

    for phrase, name in (
        ("No space left on device", "ENOSPC"),
        ("Disk quota exceeded", "EDQUOT"),
        ("Read-only file system", "EROFS"),
        ("Permission denied", "EACCES"),
        ("File name too long", "ENAMETOOLONG"),
        ("Input/output error", "EIO"),
        ("Too many open files", "EMFILE"),
    ):
        if phrase in text:
            return os_problem(OSError(getattr(errno_module, name), phrase), doing=doing, done=done)
    return None
