"""One golden example per finding code (src/zhibu/data/examples.yaml).

Each example is the clean sample branch plus one small change; its report must
contain exactly that code and match tests/golden/<code>.txt byte for byte.
Regenerate after an intended change with:  ZHIBU_UPDATE_GOLDENS=1 pytest tests/golden
then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zhibu.check import check_branch
from zhibu.examples import CLEAN_AS_OF, CLEAN_YEAR, build, check_example, clean_files, examples, write_branch
from zhibu.report.printer import to_text
from zhibu.rules.registry import KINDS
from zhibu.standard.layers import baseline_rules

GOLDEN = Path(__file__).parent
UPDATE = os.environ.get("ZHIBU_UPDATE_GOLDENS") == "1"


def all_codes() -> list[str]:
    _info, rules = baseline_rules()
    return sorted(rules)


def test_every_code_has_an_example():
    missing = [code for code in all_codes() if code not in examples()]
    assert missing == [], f"codes without a golden example: {missing}"


def test_examples_only_name_real_codes():
    unknown = [code for code in examples() if code not in all_codes()]
    assert unknown == []


def test_clean_sample_year_has_no_finding(tmp_path):
    root = write_branch(tmp_path / "clean", clean_files())
    result = check_branch(root, as_of=CLEAN_AS_OF, year=CLEAN_YEAR, strict=True, history=False)
    assert result.findings == []
    assert result.exit_code == 0
    # the sample's one approved exception is reported in its own section
    assert [f.code for f, _w in result.waived] == ["meeting.committee-monthly"]


@pytest.mark.parametrize("code", sorted(examples()))
def test_golden_example(code, tmp_path, monkeypatch):
    example = examples()[code]
    built = build(code, tmp_path / "branch")
    monkeypatch.chdir(built.root)
    # Only the 留痕 examples have git history; the others are plain folders checked without it.
    # strict: a crashing rule fails the test, except the one an example makes fail on purpose.
    result = check_example(code, built, strict=True)
    codes = sorted({f.code for f in result.findings})
    expected = sorted({code, *example.also})
    assert codes == expected, f"{code}: the example should trigger exactly {expected}, got {codes}"
    text = to_text(result)
    golden = GOLDEN / f"{code}.txt"
    if UPDATE or not golden.exists():
        if not UPDATE:
            pytest.fail(f"no golden file {golden.name}; run ZHIBU_UPDATE_GOLDENS=1 pytest tests/golden")
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_baseline_parameters_are_declared_by_their_kind():
    _info, rules = baseline_rules()
    for rule in rules.values():
        kind = KINDS[rule.kind]
        undeclared = set(rule.params) - set(kind.params)
        assert not undeclared, f"{rule.code}: parameters {undeclared} are not declared by kind {rule.kind}"
        missing = [p for p in kind.required if p not in rule.params]
        assert not missing, f"{rule.code}: kind {rule.kind} needs {missing}"
