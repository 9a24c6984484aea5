"""PDF through LibreOffice: several .docx in one ``soffice`` call, with Chinese fonts resolved.

Starting LibreOffice costs about a second; converting a document costs a few
milliseconds more, so every document of one command goes through one call.
Each call gets its own temporary user profile (``-env:UserInstallation``), so
it never collides with a LibreOffice the user has open or with a parallel
call, and ``FONTCONFIG_FILE`` points at the shipped ``data/fonts.conf`` so the
official font names (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312, 宋体) resolve
to installed CJK fonts instead of a Latin fallback.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from ..errors import ZhibuError

PROGRAMS = ("soffice", "libreoffice")
START_SECONDS = 90
"""Time allowed for LibreOffice to start (a cold first start on a slow disk takes several seconds)."""
PER_FILE_SECONDS = 30

INSTALL_HINT = (
    "安装 LibreOffice 后重试：Debian/Ubuntu 运行 "
    "sudo apt-get install --no-install-recommends libreoffice-writer-nogui fonts-noto-cjk fonts-arphic-ukai；"
    "Windows、macOS 从 https://zh-cn.libreoffice.org 下载安装，并把 soffice 所在目录加入 PATH。"
    "也可以不加 --pdf，用 Word 或 WPS 打开 .docx 后另存为 PDF。"
)


def find_soffice() -> str | None:
    """The LibreOffice program on PATH (``soffice``, or ``libreoffice`` as some distributions call it)."""
    for name in PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    return None


def fonts_conf() -> Path:
    """The shipped fontconfig alias file (a real file in a checkout, an editable or a wheel install)."""
    return Path(__file__).resolve().parent.parent / "data" / "fonts.conf"


def convert_to_pdf(paths: list[Path], outdir: Path, *, timeout: float | None = None) -> list[Path]:
    """Convert .docx files to PDF in one LibreOffice call; return the PDFs, in the order given.

    Each ``<stem>.docx`` becomes ``outdir/<stem>.pdf`` (replaced if it exists).

    Raises:
        ZhibuError: LibreOffice is not installed, the inputs are missing or share a
            file name, or a conversion failed or timed out. Nothing half-written
            is left in ``outdir``.
    """
    paths = [Path(p).resolve() for p in paths]
    if not paths:
        return []
    for path in paths:
        if not path.is_file():
            raise ZhibuError(f"找不到要转换的文件 {path}。")
    stems = [p.stem for p in paths]
    clash = sorted({s for s in stems if stems.count(s) > 1})
    if clash:
        raise ZhibuError(
            f"要转换的文件中有同名的 {clash[0]}.docx，转换出的 PDF 会互相覆盖。", "给文件起不同的名字，或分两次转换。"
        )
    program = find_soffice()
    if program is None:
        raise ZhibuError("未找到 LibreOffice（soffice），无法生成 PDF。", INSTALL_HINT)
    outdir = Path(outdir).resolve()
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ZhibuError(f"无法创建输出目录 {outdir}：{exc.strerror or exc}。") from None
    limit = timeout if timeout is not None else START_SECONDS + PER_FILE_SECONDS * len(paths)
    with (
        tempfile.TemporaryDirectory(prefix="zhibu-soffice-") as profile,
        tempfile.TemporaryDirectory(prefix=".zhibu-pdf-", dir=outdir) as staging,
    ):
        command = [
            program,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            staging,
            *[str(p) for p in paths],
        ]
        env = dict(os.environ)
        conf = fonts_conf()
        if conf.is_file():
            env["FONTCONFIG_FILE"] = str(conf)
        output = _run(command, env, limit)
        made = []
        for path in paths:
            pdf = Path(staging) / f"{path.stem}.pdf"
            if not pdf.is_file() or pdf.stat().st_size == 0:
                detail = _tail(output)
                raise ZhibuError(
                    f"LibreOffice 未能把 {path.name} 转换为 PDF。" + (f"（soffice 输出：{detail}）" if detail else ""),
                    "用 LibreOffice、Word 或 WPS 打开这个 .docx 看是否损坏；加 --debug 重新运行可看到详细信息。",
                )
            made.append(pdf)
        out = []
        for pdf in made:
            target = outdir / pdf.name
            os.replace(pdf, target)
            out.append(target)
    return out


def _run(command: list[str], env: dict, limit: float) -> str:
    """Run soffice in its own process group, so a timeout ends soffice.bin as well."""
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=sys.platform != "win32",
        )
    except OSError as exc:
        raise ZhibuError(f"无法启动 LibreOffice（{command[0]}）：{exc.strerror or exc}。", INSTALL_HINT) from None
    try:
        out, _ = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        _kill(process)
        process.communicate()
        raise ZhibuError(
            f"LibreOffice 转换 PDF 超时（超过 {limit:.0f} 秒），已中止。",
            "关闭其他正在运行的 LibreOffice 后重试；文件很多时可分批转换。",
        ) from None
    text = out.decode("utf-8", "replace") if out else ""
    if process.returncode != 0:
        raise ZhibuError(
            f"LibreOffice 转换 PDF 失败（退出状态 {process.returncode}）。"
            + (f"（soffice 输出：{_tail(text)}）" if text.strip() else ""),
            "确认 LibreOffice 能正常启动（soffice --headless --version）；加 --debug 重新运行可看到详细信息。",
        )
    return text


def _kill(process: subprocess.Popen) -> None:
    try:
        if sys.platform != "win32":
            os.killpg(process.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass


def _tail(text: str, lines: int = 3) -> str:
    """The last lines of soffice's output that say something (not the harmless javaldx warning)."""
    kept = [line.strip() for line in text.splitlines() if line.strip() and "javaldx" not in line]
    return " / ".join(kept[-lines:])
