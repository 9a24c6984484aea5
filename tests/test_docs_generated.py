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
    from zhibu.standard import baseline_rules

    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    for code in baseline_rules()[1]:
        assert f"## {code}\n" in text


def test_cli_page_covers_every_command():
    from zhibu.cli import COMMANDS

    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"zhibu {name}\n" in text
