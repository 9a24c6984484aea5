"""Whatever a file holds, load_branch returns a Branch and a list of findings; it never raises."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import DEFAULTS, record_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhibu.format.load import load_branch
from zhibu.model.branch import Branch
from zhibu.model.findings import Finding
from zhibu.rules.records import record_findings
from zhibu.store.yamlio import dump_roundtrip

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Keys that the format knows, so generated maps often reach the value checkers.
KNOWN_KEYS = [
    "type",
    "date",
    "time",
    "place",
    "host",
    "recorder",
    "attendees",
    "absent",
    "guests",
    "group",
    "lecturer",
    "theme",
    "topics",
    "content",
    "resolutions",
    "counts_as",
    "plan",
    "delegated",
    "attachments",
    "members",
    "terms",
    "name",
    "status",
    "admitted",
    "full_since",
    "joined",
    "left",
    "discipline",
    "kind",
    "from",
    "until",
    "elected",
    "term_years",
    "extended_to",
    "changes",
    "role",
    "action",
    "group_leaders",
    "votes",
    "for",
    "adopted",
    "reason",
    "tags",
    "gender",
    "approved",
    "text",
]
KNOWN_VALUES = [
    "支部委员会",
    "党课",
    "支委会",
    "王建国",
    "李晓梅",
    "正式党员",
    "预备党员",
    "书记",
    "离任",
    "补选",
    "第一党小组",
    "留党察看",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.text(max_size=20),
    st.sampled_from(KNOWN_VALUES),
    st.sampled_from(["2026-02-30", "13:30", "no", "", "  ", "~", "2026-03", "2026Q1"]),
)
keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(min_size=1, max_size=10), st.integers(0, 100))

yaml_data = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(keys, children, max_size=6),
    ),
    max_leaves=30,
)

top_level = st.one_of(
    yaml_data,
    st.dictionaries(st.sampled_from(KNOWN_KEYS), yaml_data, min_size=1, max_size=10),
)

TARGETS = ["records/2026/x.yaml", "members.yaml", "committee.yaml", "talks/2026.yaml", "zhibu.yaml"]


def to_yaml(data) -> str:
    return dump_roundtrip(data)


def branch_with(files: dict[str, str | bytes]) -> Path:
    root = Path(tempfile.mkdtemp(prefix="zhibu-hyp-"))
    merged: dict = dict(DEFAULTS)
    merged["records/2026/ok.yaml"] = record_text()
    merged.update(files)
    for rel, content in merged.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def check_loads(files: dict) -> None:
    root = branch_with(files)
    try:
        loaded = load_branch(root)
        assert isinstance(loaded.branch, Branch)
        assert isinstance(loaded.findings, list)
        assert all(isinstance(f, Finding) for f in loaded.findings)
        assert all(f.code.startswith("format.") for f in loaded.findings)
        # everything the rules may see is usable: records run through the record rules
        for record in loaded.branch.records:
            assert isinstance(record.date, dt.date)
            assert all(isinstance(name, str) for name in record.attendees)
            record_findings(loaded.branch, record)
        for m in loaded.branch.members:
            assert isinstance(m.name, str) and isinstance(m.joined, dt.date)
            loaded.branch.voters_on(dt.date(2026, 3, 5))
        loaded.branch.committee.seats_on(dt.date(2026, 3, 5))
        # the untouched record still loads unless the generated file is zhibu.yaml or the roster it needs
        if "records/2026/x.yaml" in files:
            assert any(r.source.path == "records/2026/ok.yaml" for r in loaded.branch.records)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@SETTINGS
@given(target=st.sampled_from(TARGETS), data=top_level)
def test_arbitrary_yaml_data_never_crashes_the_loader(target, data):
    check_loads({target: to_yaml(data)})


@SETTINGS
@given(data=st.dictionaries(st.sampled_from(KNOWN_KEYS[:19]), yaml_data, min_size=1, max_size=12))
def test_arbitrary_record_fields(data):
    check_loads({"records/2026/x.yaml": to_yaml(data)})


@SETTINGS
@given(entries=st.lists(st.dictionaries(st.sampled_from(KNOWN_KEYS[20:]), yaml_data, max_size=8), max_size=4))
def test_arbitrary_roster_and_committee_entries(entries):
    check_loads({"members.yaml": to_yaml({"members": entries}), "committee.yaml": to_yaml({"terms": entries})})


@SETTINGS
@given(target=st.sampled_from(TARGETS), text=st.text(max_size=300))
def test_arbitrary_text_never_crashes_the_loader(target, text):
    check_loads({target: text})


@SETTINGS
@given(target=st.sampled_from(TARGETS), raw=st.binary(max_size=200))
def test_arbitrary_bytes_never_crash_the_loader(target, raw):
    check_loads({target: raw})


@pytest.mark.parametrize(
    "text",
    [
        "? [a]\n: 1\n",
        "!!binary aGVsbG8=\n",
        "date: !!timestamp 2026-03-05\n",
        "date: !!int 2026\n",
        "{}: 1\n",
        "&a [*a]\n",
        "type: !custom 党课\n",
        "%YAML 1.1\n---\ntype: 党课\n",
        "attendees: !!set {王建国: null}\n",
        "attendees: !!omap [{a: 1}]\n",
        "date: 2026-03-05T10:00:00Z\n",
        "null: 1\ntrue: 2\n1.5: 3\n",
        "\x00",
        "\ufeff\ufefftype: 党课\n",
    ],
)
def test_odd_yaml_never_crashes_the_loader(text):
    for target in TARGETS:
        check_loads({target: text})


@SETTINGS
@given(
    standard=st.lists(
        st.one_of(
            st.text(max_size=30),
            st.sampled_from(
                [".", "standards", "standards/a.yaml", "/etc/passwd", "../x.yaml", "records/2026/ok.yaml", "zhibu.yaml"]
            ),
        ),
        max_size=4,
    ),
    theme_day=yaml_data,
)
def test_arbitrary_standard_paths_and_theme_day(standard, theme_day):
    from conftest import DEFAULT_ZHIBU

    config = DEFAULT_ZHIBU + to_yaml({"standard": standard, "theme_day": theme_day})
    check_loads({"zhibu.yaml": config, "standards/a.yaml": "[1\n"})
