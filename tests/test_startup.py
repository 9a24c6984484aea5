"""Start-up stays light: `zhibu --help` (run on every TAB) imports none of the heavy libraries."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("git", "docx", "tabulate", "openpyxl")


def imported_modules(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "zhibu", *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            names.add(line.rsplit("|", 1)[1].strip())
    assert "click" in names  # the parse worked: click is always imported
    return names


def heavy_in(names: set[str]) -> list[str]:
    return sorted(n for n in names if n.split(".")[0] in HEAVY)


@pytest.mark.parametrize("args", [["--help"], ["meeting", "--help"], ["meeting", "add", "--help"], ["member", "add", "--help"]])
def test_help_imports_no_heavy_library(args):
    names = imported_modules(*args)
    assert heavy_in(names) == []


def test_root_help_imports_no_subcommand_module():
    names = imported_modules("--help")
    assert not any(n.startswith("zhibu.cli.") and n != "zhibu.cli.base" for n in names), sorted(
        n for n in names if n.startswith("zhibu")
    )


def test_sys_modules_after_help():
    code = (
        "import sys\n"
        "from zhibu.cli import main\n"
        "sys.argv = ['zhibu', '--help']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    names = set(done.stderr.split())
    assert "zhibu.cli" in names
    assert heavy_in(names) == []
    assert "用法" in done.stdout
