"""store/yamlio.py: the checking parser (data, lines, limits) and the editing round trip."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from conftest import SAMPLE

from zhibu.store.yamlio import (
    MAX_DEPTH,
    YamlProblem,
    dump_roundtrip,
    is_c_accelerated,
    load_roundtrip,
    parse,
)


def problem_of(text: str) -> YamlProblem:
    with pytest.raises(YamlProblem) as info:
        parse(text)
    return info.value


# --- data and lines ------------------------------------------------------------------


def test_parse_gives_plain_data_and_one_based_lines():
    text = (
        "type: 支部委员会\n"  # 1
        "date: 2026-03-05\n"  # 2
        "attendees:\n"  # 3
        "  - 王建国\n"  # 4
        "  - 李晓梅\n"  # 5
        "absent:\n"  # 6
        "  - name: 刘芳\n"  # 7
        "    reason: 出差\n"  # 8
    )
    parsed = parse(text)
    assert parsed.data == {
        "type": "支部委员会",
        "date": dt.date(2026, 3, 5),
        "attendees": ["王建国", "李晓梅"],
        "absent": [{"name": "刘芳", "reason": "出差"}],
    }
    assert type(parsed.data) is dict and type(parsed.data["attendees"]) is list
    lines = parsed.lines
    assert lines[("type",)] == 1
    assert lines[("date",)] == 2
    assert lines[("attendees", 0)] == 4
    assert lines[("attendees", 1)] == 5
    assert lines[("absent", 0)] == 7
    assert lines[("absent", 0, "reason")] == 8


def test_flow_collections_have_lines_too():
    parsed = parse("a: 1\nb: [x, y]\nc: {d: 1}\n")
    assert parsed.lines[("b", 1)] == 2
    assert parsed.lines[("c", "d")] == 3
    assert list(parsed.data) == ["a", "b", "c"]  # key order kept


def test_empty_document_is_none():
    assert parse("").data is None
    assert parse("# 只有注释\n").data is None


# --- YAML 1.2 ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["no", "yes", "on", "off", "On", "NO", "y", "n"])
def test_yaml_1_1_booleans_stay_strings(text):
    assert parse(f"a: {text}\n").data == {"a": text}


def test_yaml_1_2_core_values():
    data = parse(
        "t: true\nf: false\nn: null\ntilde: ~\nempty:\ni: 42\nneg: -3\nfl: 1.5\n"
        "oct: 0o17\nhex: 0x1F\nleading0: 012\nsexagesimal: 1:30\n"
    ).data
    assert data == {
        "t": True,
        "f": False,
        "n": None,
        "tilde": None,
        "empty": None,
        "i": 42,
        "neg": -3,
        "fl": 1.5,
        "oct": 15,
        "hex": 31,
        "leading0": 12,
        "sexagesimal": "1:30",
    }


def test_times_stay_strings_quoted_or_not():
    data = parse('a: 13:30\nb: "14:30-16:00"\nc: 14:30-16:00\n').data
    assert data == {"a": "13:30", "b": "14:30-16:00", "c": "14:30-16:00"}


def test_dates_are_dates_but_impossible_dates_stay_strings():
    data = parse("ok: 2026-02-28\nleap: 2024-02-29\nbad: 2026-02-30\nmonth13: 2026-13-01\nquoted: '2026-03-05'\n").data
    assert data["ok"] == dt.date(2026, 2, 28)
    assert data["leap"] == dt.date(2024, 2, 29)
    assert data["bad"] == "2026-02-30"
    assert data["month13"] == "2026-13-01"
    assert data["quoted"] == "2026-03-05"  # a quoted date is text, as the user asked


def test_explicit_str_tag_keeps_text():
    assert parse("a: !!str 2026-01-01\nb: !!str 12\n").data == {"a": "2026-01-01", "b": "12"}


def test_datetimes_are_kept_as_text():
    assert parse("a: 2026-01-01 10:00:00\n").data == {"a": "2026-01-01 10:00:00"}


# --- errors --------------------------------------------------------------------------


def test_syntax_error_has_line_and_chinese_message():
    problem = problem_of("type: 党课\ndate: 2026-03-05\nplace: 会议室: 二楼\n")
    assert problem.line == 3
    assert problem.refused is False
    assert "引号" in problem.message  # tells the user to quote a value holding ": "


def test_bad_indentation_line():
    problem = problem_of("a:\n  b: 1\n c: 2\nd: 1\n")
    assert problem.line == 3
    assert "缩进" in problem.message


def test_tab_indentation_is_explained():
    problem = problem_of("topics:\n\t- 学习\n")
    assert problem.line == 2
    assert "Tab" in problem.message


def test_unclosed_quote_points_at_the_line_that_opens_it():
    problem = problem_of('type: 党课\ntopics: ["学习党章\ndate: 2026-03-05\n')
    assert problem.line == 2


def test_unclosed_bracket_points_inside_the_file():
    text = "a: 1\nb: [1, 2\n"
    problem = problem_of(text)
    assert 1 <= problem.line <= len(text.splitlines())
    assert problem.line == 2


def test_duplicate_key_is_an_error_with_the_line_of_the_second():
    problem = problem_of("date: 2026-03-05\nplace: 会议室\ndate: 2026-03-06\n")
    assert problem.line == 3
    assert "date" in problem.message and "重复" in problem.message


def test_duplicate_key_in_nested_mapping():
    problem = problem_of("absent:\n  - name: 刘芳\n    name: 赵磊\n")
    assert problem.line == 3


def test_two_documents_are_refused_at_the_second():
    problem = problem_of("a: 1\n---\nb: 2\n")
    assert problem.line == 3
    assert "---" in problem.message


def test_undefined_alias():
    problem = problem_of("a: [1]\nb: *nowhere\n")
    assert problem.line == 2
    assert "nowhere" in problem.message


def test_mapping_as_key_is_refused():
    with pytest.raises(YamlProblem):
        parse("? [a, b]\n: 1\n")


def test_small_aliases_still_work():
    data = parse("base: &b {place: 会议室}\ncopy: *b\nname: &n 王建国\nagain: *n\n").data
    assert data["copy"] == {"place": "会议室"}
    assert data["again"] == "王建国"


# --- hostile input -------------------------------------------------------------------


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_fast():
    start = time.perf_counter()
    problem = problem_of(alias_bomb())
    elapsed = time.perf_counter() - start
    assert problem.refused is True
    assert "别名" in problem.message
    assert problem.line is not None
    assert elapsed < 1.0


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        "{a: " * 100_000 + "1" + "}" * 100_000,
        "- " * 100_000 + "x\n",
    ],
    ids=["flow-seq", "flow-map", "block-seq"],
)
def test_deep_nesting_is_refused_without_crashing(text):
    start = time.perf_counter()
    problem = problem_of(text)
    assert problem.refused is True
    assert str(MAX_DEPTH) in problem.message
    assert time.perf_counter() - start < 1.0


def test_nesting_just_under_the_limit_is_read():
    depth = MAX_DEPTH - 1
    data = parse("[" * depth + "]" * depth).data
    for _ in range(depth - 1):
        assert isinstance(data, list) and len(data) == 1
        data = data[0]
    assert data == []


def test_value_budget_counts_values_and_names_the_line_past_it():
    from zhibu.store.yamlio import MAX_NODES

    # One key plus MAX_NODES - 1 list items is exactly the budget; one more item is refused there.
    at_limit = "a:\n" + "- 1\n" * (MAX_NODES - 1)
    assert len(parse(at_limit).data["a"]) == MAX_NODES - 1
    problem = problem_of(at_limit + "- 1\n")
    assert problem.refused is True and problem.line == MAX_NODES + 1


def test_c_parser_is_in_use():
    # Without ruamel.yaml.clib the checker is about four times slower (pyproject pins it).
    assert is_c_accelerated()


# --- round trip -----------------------------------------------------------------------


SAMPLE_FILES = sorted(p for p in SAMPLE.rglob("*.yaml"))


def test_sample_has_files_to_round_trip():
    assert len(SAMPLE_FILES) > 70


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=[p.relative_to(SAMPLE).as_posix() for p in SAMPLE_FILES])
def test_roundtrip_is_byte_identical_for_every_sample_file(path):
    raw = path.read_bytes()
    assert dump_roundtrip(load_roundtrip(raw.decode("utf-8"))).encode("utf-8") == raw


ANNOTATED = """\
# 支委会记录（手工录入）
type: 支部委员会
date: 2026-03-05
time: "14:30-16:00"     # 下午
place: '学院党员活动室'
host: 王建国
recorder: 李晓梅
attendees: [王建国, 李晓梅]   # 刘芳请假
absent:
  # 请假的委员
  - {name: 刘芳, reason: 出差}
topics:
  - 研究三月份主题党日活动方案
"""


def test_roundtrip_unchanged_hand_written_file():
    assert dump_roundtrip(load_roundtrip(ANNOTATED)) == ANNOTATED


def test_edit_keeps_comments_quotes_and_order():
    doc = load_roundtrip(ANNOTATED)
    doc["attendees"].append("陈志强")
    out = dump_roundtrip(doc)
    attendees_line = next(line for line in out.splitlines() if line.startswith("attendees:"))
    assert attendees_line.startswith("attendees: [王建国, 李晓梅, 陈志强]")
    assert attendees_line.endswith("# 刘芳请假")  # the comment stays on its line
    assert out.startswith("# 支委会记录（手工录入）\n")
    assert "# 下午" in out and "  # 请假的委员\n" in out
    assert 'time: "14:30-16:00"' in out and "place: '学院党员活动室'" in out
    # only the attendees line changed
    before, after = ANNOTATED.splitlines(), out.splitlines()
    assert len(before) == len(after)
    assert [i for i, (a, b) in enumerate(zip(before, after)) if a != b] == [7]
    assert parse(out).data["attendees"] == ["王建国", "李晓梅", "陈志强"]


def test_dump_writes_null_as_null():
    doc = load_roundtrip("full: 2026-01-01\n")
    doc["full"] = None
    assert dump_roundtrip(doc) == "full: null\n"


def test_load_roundtrip_reports_syntax_errors_as_yaml_problem():
    with pytest.raises(YamlProblem) as info:
        load_roundtrip("a: [1, 2\n")
    assert info.value.line == 1


@pytest.mark.parametrize("text", ["type: 党课\ndate: [\n", "a: {\n", "a: 1\nb: [1, 2\n", 'a: "x\n', "a: 1\nb: [1, 2"])
def test_error_at_end_of_file_names_an_existing_line(text):
    problem = problem_of(text)
    assert problem.line == len(text.splitlines())
