"""A plain (non-editable) install into a fresh virtual environment works outside the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT

pytestmark = pytest.mark.slow

SKIP = shutil.ignore_patterns(
    ".git", "build", "dist", "*.egg-info", "__pycache__", ".hypothesis", ".pytest_cache", ".venv", "venv"
)


def sh(args, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


def test_wheel_install_outside_the_checkout(tmp_path):
    # Build from a copy so that the checkout gets no build/ or *.egg-info folders.
    source = tmp_path / "source"
    shutil.copytree(REPO_ROOT, source, ignore=SKIP)
    venv = tmp_path / "venv"
    sh([sys.executable, "-m", "venv", venv], cwd=tmp_path)
    sh([venv / "bin" / "python", "-m", "pip", "install", "--quiet", str(source)], cwd=tmp_path, timeout=900)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    zhibu = venv / "bin" / "zhibu"
    env_check = sh([venv / "bin" / "python", "-c", "import zhibu, sys; print(zhibu.__file__)"], cwd=elsewhere)
    assert str(venv) in env_check.stdout  # the installed copy, not the checkout

    help_ = sh([zhibu, "--help"], cwd=elsewhere)
    assert "meeting" in help_.stdout and "命令" in help_.stdout

    demo = sh([zhibu, "demo", "x"], cwd=elsewhere)
    assert "次提交" in demo.stdout
    assert (elsewhere / "x" / "zhibu.yaml").is_file()
    sample = sorted(
        p.relative_to(REPO_ROOT / "sample-branch").as_posix() for p in (REPO_ROOT / "sample-branch").rglob("*") if p.is_file()
    )
    installed = sorted(
        p.relative_to(elsewhere / "x").as_posix() for p in (elsewhere / "x").rglob("*") if p.is_file() and ".git" not in p.parts
    )
    # The sample, set up for editors as zhibu init sets a branch up (tests/test_demo.py checks the bytes).
    setup = {".gitignore"} | {p for p in installed if p.startswith(".zhibu/schema/")}
    assert len(setup) > 1 and sorted(set(installed) - setup) == sample

    listing = sh([zhibu, "-C", "x", "meeting", "list"], cwd=elsewhere)
    assert f"共 {len(list((REPO_ROOT / 'sample-branch' / 'records').rglob('*.yaml')))} 条记录" in listing.stdout
    # the built-in reference document ships in the wheel (zhibu.templates)
    minutes = tmp_path / "minutes.docx"
    sh([zhibu, "-C", "x", "doc", "minutes", "2025-03-06", "-o", minutes], cwd=elsewhere)
    assert minutes.stat().st_size > 5000
    assert os.listdir(elsewhere) == ["x"]
