"""Fuzzing the check (issue 11): whatever a branch's files or its git metadata hold, the check
never crashes — no exception, no internal.rule-crashed, exit status 0 or 1 (2 only for an
unusable zhibu.yaml), and every format and standard finding names its file.

Two sources of hostile input, both bounded in time (about 30 s together):
- a seeded mutation corpus (tests/fuzzing.py): the sample branch with one file of each kind
  mutated in bytes, lines or values, the same mutants on every run;
- hypothesis: generated values (wrong types, huge and odd numbers, control characters, deep
  nesting, unknown keys) put anywhere in any file kind, and commits and tags whose messages,
  names, dates and time zones hold odd bytes.

tests/fuzz_campaign.py runs the corpus at a larger scale outside the suite.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from fuzzing import (
    AS_OF,
    ODD_TOKENS,
    _paths,
    _with_raw,
    base_files,
    file_kinds,
    judge,
    mutant,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BASE = base_files()
KINDS = file_kinds(BASE)
SEEDS_PER_KIND = 12


def test_every_file_kind_is_fuzzed():
    kinds = {rel.split("/")[0] for rel in KINDS}
    assert {
        "zhibu.yaml",
        "members.yaml",
        "committee.yaml",
        "development.yaml",
        "waivers.yaml",
        "holidays.yaml",
        "records",
        "plans",
        "talks",
        "dues",
        "standards",
    } <= kinds


@pytest.mark.parametrize("rel", KINDS)
def test_seeded_mutants_of_each_file_kind(rel, tmp_path):
    failures = []
    for seed in range(SEEDS_PER_KIND):
        _rel, how, files = mutant(seed, BASE, rel)
        problem = judge(tmp_path, files)
        if problem:
            failures.append(f"seed {seed} ({how}): {problem}")
    assert failures == []


def test_the_mutants_are_hostile_and_reproducible():
    first = [mutant(seed, BASE) for seed in range(30)]
    assert first == [mutant(seed, BASE) for seed in range(30)]
    changed = sum(1 for rel, _how, files in first if files[rel] != BASE[rel])
    assert changed >= 28


# --- generated values -------------------------------------------------------------------------

scalars = st.one_of(
    st.sampled_from(ODD_TOKENS),
    st.integers().map(str),
    st.integers(min_value=4000, max_value=6000).map(lambda n: "9" * n),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20).map(
        lambda t: '"' + t.encode("unicode_escape").decode("ascii").replace('"', '\\\\"') + '"'
    ),
    st.dates(min_value=__import__("datetime").date(1, 1, 1)).map(str),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.dictionaries(
            st.sampled_from(["name", "date", "type", "members", "code", "kind", "severity", "period", "amount", "x"]),
            inner,
            max_size=4,
        ).map(lambda d: "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}"),
    ),
    max_leaves=12,
)


@settings(max_examples=80, deadline=5000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rel=st.sampled_from(KINDS), where=st.integers(min_value=0), raw=values)
def test_any_value_anywhere_in_any_file(rel, where, raw, tmp_path):
    from zhibu.store.yamlio import parse

    data = parse(BASE[rel].decode("utf-8")).data
    paths = list(_paths(data))
    text = _with_raw(data, paths[where % len(paths)], raw)
    problem = judge(tmp_path, {**BASE, rel: text.encode("utf-8", "surrogatepass")})
    assert problem is None, f"{rel} with {raw[:200]!r}: {problem}"


# --- git metadata --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def history_repo(tmp_path_factory):
    """The sample branch committed once; each example hangs its odd commits on that one."""
    from zhibu.examples import write_branch

    root = tmp_path_factory.mktemp("fuzz-git") / "支部"
    write_branch(root, {rel: data.decode("utf-8") for rel, data in BASE.items()})
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "王建国",
        "GIT_AUTHOR_EMAIL": "w@example.org",
        "GIT_COMMITTER_NAME": "王建国",
        "GIT_COMMITTER_EMAIL": "w@example.org",
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "建立台账"]):
        subprocess.run(["git", *args], cwd=root, check=True, env=env, capture_output=True)
    base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, check=True, capture_output=True, text=True).stdout.strip()
    tree = subprocess.run(
        ["git", "rev-parse", "HEAD^{tree}"], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()
    return root, base, tree


odd_bytes = st.binary(max_size=40).filter(lambda b: b"\n" not in b and b"\x00" not in b)
zones = st.sampled_from([b"+0800", b"+9999", b"-9999", b"+2400", b"-0000", b"+08", b"x", b"+0800 junk", b""])
stamps = st.sampled_from([b"1738000000", b"0", b"-1", b"99999999999999999999", b"x", b""])


def _object(root: Path, kind: str, body: bytes) -> str:
    return (
        subprocess.run(
            ["git", "hash-object", "-t", kind, "-w", "--stdin", "--literally"],
            cwd=root,
            input=body,
            check=True,
            capture_output=True,
        )
        .stdout.decode()
        .strip()
    )


@settings(max_examples=15, deadline=10000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    author=odd_bytes, message=st.binary(max_size=80), stamp=stamps, zone=zones, tag_zone=zones, tag_message=st.binary(max_size=40)
)
def test_commits_and_tags_with_odd_metadata(history_repo, author, message, stamp, zone, tag_zone, tag_message):
    from zhibu.check import check_branch
    from zhibu.history.trail import history_log, read_trail

    root, base, tree = history_repo
    ident = b"%s <a@x> %s %s" % (author, stamp, zone)
    commit = _object(
        root,
        "commit",
        b"tree %s\nparent %s\nauthor %s\ncommitter %s\n\n%s\n" % (tree.encode(), base.encode(), ident, ident, message),
    )
    tag = _object(
        root,
        "tag",
        b"object %s\ntype commit\ntag zhibu/close/2025-01\ntagger %s\n\n%s\n"
        % (commit.encode(), ident.replace(zone, tag_zone), tag_message),
    )
    subprocess.run(["git", "update-ref", "refs/heads/main", commit], cwd=root, check=True)
    subprocess.run(["git", "update-ref", "refs/tags/zhibu/close/2025-01", tag], cwd=root, check=True)
    try:
        read_trail(root)
        history_log(root)
        result = check_branch(root, as_of=AS_OF, year=2025)
    finally:
        subprocess.run(["git", "update-ref", "refs/heads/main", base], cwd=root, check=True)
    assert not [f for f in result.findings if f.code == "internal.rule-crashed"]
    assert result.exit_code in (0, 1)
