"""The reference pages in docs/ are generated from the code and must not go stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhibu import docs

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("name", sorted(docs.PAGES))
def test_generated_page_is_current(name):
    expected = docs.PAGES[name]()
    actual = (DOCS / name).read_text(encoding="utf-8")
    assert actual == expected, f"docs/{name} is stale: run  python -m zhibu.docs"


def test_rules_page_lists_every_code():
    from zhibu.standard.layers import baseline_rules

    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    for code in baseline_rules()[1]:
        assert f"## {code}\n" in text


def test_cli_page_covers_every_command():
    from zhibu.cli import COMMANDS

    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"zhibu {name}\n" in text


def test_the_json_contract_names_every_key_the_output_has(tmp_path):
    """docs/json.md is written by hand: every key zhibu prints must be documented there."""
    import json
    import shutil

    from click.testing import CliRunner

    from zhibu.cli import cli

    text = (DOCS / "json.md").read_text(encoding="utf-8")
    sample = Path(__file__).resolve().parents[1] / "sample-branch"
    shutil.copytree(sample, tmp_path / "a")
    runner = CliRunner()
    single = json.loads(
        runner.invoke(cli, ["check", str(tmp_path / "a"), "--as-of", "2026-01-15", "--year", "2025", "--format", "json"]).stdout
    )
    batch = json.loads(
        runner.invoke(cli, ["batch", "check", str(tmp_path), "--as-of", "2026-01-15", "--format", "json", "-j", "1"]).stdout
    )
    keys = set(single) | set(single["branch"]) | set(single["summary"]) | set(single["findings"][0])
    keys |= set(batch) | set(batch["summary"]) | set(batch["branches"][0])
    missing = sorted(k for k in keys if f"`{k}`" not in text and f'"{k}"' not in text)
    assert missing == [], f"docs/json.md does not mention: {missing}"


def test_the_batch_page_names_every_output_format():
    """docs/batch.md is written by hand: every format of the table has its example there (the
    default one is what a plain ``batch check`` prints); docs/cli.md lists them from the table."""
    from zhibu.cli.batch import check
    from zhibu.committee.formats import FORMATS

    default = next(p.default for p in check.params if p.name == "output")
    text = (DOCS / "batch.md").read_text(encoding="utf-8")
    missing = [name for name in FORMATS if name != default and f"--format {name}" not in text]
    assert missing == []
    cli_page = (DOCS / "cli.md").read_text(encoding="utf-8")
    for fmt in FORMATS.values():
        assert f"    {fmt.name:<7}{fmt.title}\n" in cli_page


def test_the_documents_page_lists_every_document():
    """docs/documents.md is written by hand: its table has a row for every document of `zhibu doc`
    (render/documents.py), with the document's title and its default file name."""
    from zhibu.render.documents import commands

    rows = [line for line in (DOCS / "documents.md").read_text(encoding="utf-8").splitlines() if line.startswith("| `zhibu doc ")]
    for kind in commands():
        [row] = [r for r in rows if r.startswith(f"| `zhibu doc {kind.name} ") or r.startswith(f"| `zhibu doc {kind.name}`")]
        tail = kind.file_name.rsplit("}", 1)[-1]  # "年计划表.docx", "-签到表.docx"
        assert f"| {kind.title}" in row and f"{tail}` |" in row, row
    assert len(rows) == len(commands())
