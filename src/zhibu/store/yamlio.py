"""YAML reading and writing: the only module that imports ruamel.yaml.

Two readers, for two jobs:

* :func:`parse` is for checking. It drives ruamel's C parser (libyaml) event by
  event and builds plain dicts and lists itself, recording the line of every
  key and item on the way. Building from events rather than from ruamel's
  composed nodes buys three things: positions for every value at no extra
  pass, a hard limit on nesting depth (ruamel's C composer recurses and
  crashes the interpreter on ``[[[[…`` a hundred thousand deep), and a budget on
  alias expansion (the "billion laughs" document).
* :func:`load_roundtrip` / :func:`dump_roundtrip` are for editing a file by
  hand or through the CLI: comments, quotes and key order survive, and an
  unchanged load and dump gives the file back byte for byte.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

MAX_DEPTH = 64
"""Nesting deeper than this is refused; the format itself needs at most five levels."""

MAX_NODES = 200_000
"""Values built from one file, counting each alias expansion again."""

Path_ = tuple  # a key path such as ("absent", 2, "reason")


class YamlProblem(Exception):
    """A file that cannot be read as YAML; ``line`` is 1-based or None."""

    def __init__(self, message: str, line: int | None = None, *, refused: bool = False):
        super().__init__(message)
        self.message = message
        self.line = line
        self.refused = refused  # True when refused for safety rather than for syntax


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed document: plain Python data plus the 1-based line of every key path."""

    data: Any
    lines: dict  # Path_ -> int


_safe = YAML(typ="safe")
try:  # ruamel's C parser (libyaml), driven directly: a quarter faster than YAML.parse()'s generator
    from _ruamel_yaml import CParser as _CParser
except ImportError:  # pragma: no cover - without ruamel.yaml.clib
    _CParser = None


def _next_event(text: str):
    """A function returning the next parse event of ``text`` (None at the end)."""
    if _CParser is None:
        return _iter_next(_safe.parse(text))
    return _CParser(text).get_event


def _iter_next(events):
    iterator = iter(events)
    return lambda: next(iterator, None)


# YAML 1.2 core schema, as ruamel resolves plain scalars, plus its timestamps.
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_INT_OCT = re.compile(r"0o[0-7]+\Z")
_INT_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}\Z")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}")

_MAY_RESOLVE = frozenset("0123456789+-.")  # first characters of numbers, dates and .inf/.nan
_WORDS = _NULL | _TRUE | _FALSE

_RESOLVED_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("int", "float", "bool", "null", "timestamp"))


MAX_NUMBER_CHARS = 100
"""A longer number-like scalar stays a string: no value of the format needs more digits, and
Python refuses to print an int of more than 4,300 digits (a hex one converts, then fails later)."""


def resolve_plain(text: str) -> Any:
    """Value of an untagged plain scalar under YAML 1.2 (so ``no`` and ``13:30`` stay strings).

    A date-shaped scalar that is not a real date (``2026-02-30``) stays a
    string so the format check can say exactly what is wrong with it.
    """
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    first = text[0]
    if (first.isdigit() or first in "+-.") and len(text) <= MAX_NUMBER_CHARS:
        if _INT.match(text):
            return int(text)
        if _FLOAT.match(text):
            return float(text)
        if _DATE.match(text):
            year, month, day = (int(part) for part in text.split("-"))
            try:
                return dt.date(year, month, day)
            except ValueError:
                return text
        if _INT_OCT.match(text):
            return int(text[2:], 8)
        if _INT_HEX.match(text):
            return int(text[2:], 16)
        if _DATETIME.match(text):
            return text  # the format has no datetimes; keep the text for the message
    if text in (".inf", ".Inf", ".INF", "+.inf"):
        return float("inf")
    if text in ("-.inf", "-.Inf", "-.INF"):
        return float("-inf")
    if text in (".nan", ".NaN", ".NAN"):
        return float("nan")
    return text


def _hashable(key: Any, line: int) -> Any:
    if isinstance(key, (dict, list)):
        raise YamlProblem("映射的键不能是列表或映射", line)
    return key


def parse(text: str) -> Parsed:
    """Parse one YAML document into plain data with line numbers.

    Raises:
        YamlProblem: a syntax error (with its line), a duplicate key, more than
            one document, or a document refused for depth or alias expansion.
    """
    lines: dict = {}
    anchors: dict[str, tuple[Any, int]] = {}
    # Each frame: [container, path, pending_key, anchor, node_count_at_start]
    stack: list[list] = []
    root: Any = None
    documents = 0
    nodes = 0
    try:
        next_event = _next_event(text)
        while (event := next_event()) is not None:
            cls = type(event)
            if cls is ScalarEvent:
                if event.tag is None and not event.style:  # plain style is "" from C, None from Python
                    value: Any = event.value
                    # Most plain scalars are names and words: only these can resolve to something else.
                    if not value or value[0] in _MAY_RESOLVE or value in _WORDS:
                        value = resolve_plain(value)
                elif event.tag in _RESOLVED_TAGS:
                    value = resolve_plain(event.value)
                else:
                    value = event.value
                line = event.start_mark.line + 1
                nodes += 1
                if nodes > MAX_NODES:
                    raise YamlProblem(f"文件包含的值超过 {MAX_NODES} 个，拒绝读取", line, refused=True)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                if len(stack) >= MAX_DEPTH:
                    raise YamlProblem(f"嵌套超过 {MAX_DEPTH} 层，拒绝读取", event.start_mark.line + 1, refused=True)
                container: Any = {} if cls is MappingStartEvent else []
                if stack:
                    path = _child_path(stack[-1], event.start_mark.line + 1, lines)
                else:
                    path = ()
                    lines[()] = event.start_mark.line + 1
                stack.append([container, path, _NO_KEY, event.anchor, nodes])
                continue
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                container, path, _key, anchor, start = stack.pop()
                value = container
                line = None
                cost = nodes - start + 1
                nodes += 1
                if anchor is not None:
                    anchors[anchor] = (container, cost)
                if not stack:
                    root = container
                    documents += 1
                    if documents > 1:
                        # the end event sits after the document; point at where it starts
                        raise YamlProblem("一个文件只能有一个 YAML 文档（去掉多余的 ---）", lines.get(()))
                    continue
            elif cls is AliasEvent:
                if event.anchor not in anchors:
                    raise YamlProblem(f"未定义的别名 *{event.anchor}", event.start_mark.line + 1)
                value, cost = anchors[event.anchor]
                nodes += cost
                line = event.start_mark.line + 1
                if nodes > MAX_NODES:
                    raise YamlProblem("别名展开过多（疑似“别名炸弹”），拒绝读取", line, refused=True)
            else:
                continue  # stream and document start/end
            if not stack:
                root = value
                documents += 1
                if documents > 1:
                    raise YamlProblem("一个文件只能有一个 YAML 文档（去掉多余的 ---）", line)
                lines[()] = line
                if cls is ScalarEvent and event.anchor is not None:
                    anchors[event.anchor] = (value, 1)
                continue
            if cls is ScalarEvent and event.anchor is not None:
                anchors[event.anchor] = (value, 1)
            # Attach the value to its parent (inline: this runs once per value of every file).
            # A container's own line was recorded when it started (line is None here then).
            frame = stack[-1]
            container = frame[0]
            if type(container) is list:
                if line is not None:
                    lines[frame[1] + (len(container),)] = line
                container.append(value)
            elif frame[2] is _NO_KEY:
                key = _hashable(value, line or 0)
                if key in container:
                    raise YamlProblem(f"键“{key}”重复出现", line)
                frame[2] = key
                lines[frame[1] + (key,)] = line  # a key is a scalar or an alias: it has a line
                container[key] = None  # placeholder keeps key order; replaced by the value
            else:
                container[frame[2]] = value
                frame[2] = _NO_KEY
    except MarkedYAMLError as exc:
        raise YamlProblem(_describe(exc), _error_line(exc, text)) from None
    except YAMLError as exc:
        raise _unreadable_character(text) or YamlProblem(
            str(exc).strip().splitlines()[0] if str(exc).strip() else "YAML 语法错误"
        ) from None
    return Parsed(root, lines)


# What YAML does not allow in a file: C0 and C1 control characters other than tab, LF, CR and NEL,
# surrogates, U+FFFE and U+FFFF. libyaml reports them without a position.
_NOT_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_CHARACTER_NAMES = {0: "空字符 NUL"}


def _unreadable_character(text: str) -> YamlProblem | None:
    """The first character YAML forbids, as a problem with its line and column."""
    found = _NOT_PRINTABLE.search(text)
    if found is None:
        return None
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
    code = ord(found.group())
    name = _CHARACTER_NAMES.get(code, "控制字符")
    return YamlProblem(f"第 {column} 列有 YAML 不允许的{name}（U+{code:04X}），文件可能已损坏或不是文本文件", line)


def _error_line(exc: MarkedYAMLError, text: str) -> int | None:
    """1-based line of a syntax error. An unclosed quote or bracket is only noticed at the
    end of the file, past its last line; the line where it was opened is the useful one."""
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return None
    last = max(len(text.splitlines()), 1)
    if exc.context_mark is not None and mark.line >= last:
        mark = exc.context_mark
    return min(mark.line + 1, last)


_NO_KEY = object()


def _child_path(frame: list, line: int, lines: dict) -> tuple:
    """Path of a container about to start inside ``frame``; records its line."""
    container, path, key = frame[0], frame[1], frame[2]
    if isinstance(container, list):
        child = path + (len(container),)
        lines[child] = line
        return child
    if key is _NO_KEY:
        raise YamlProblem("映射的键不能是列表或映射", line)
    return path + (key,)


def _describe(exc: MarkedYAMLError) -> str:
    problem = (exc.problem or exc.context or "语法错误").strip()
    translations = {
        "mapping values are not allowed": "此处不允许出现“键: 值”（缩进不对，或值里含有“: ”需要整体加引号）",
        "could not find expected ':'": "找不到应有的冒号“:”",
        "found character that cannot start any token": "出现了不能开始一个值的字符（例如制表符 Tab，请改用空格缩进）",
        "found a tab character that violates indentation": "缩进里有制表符 Tab，请改用空格",
        "did not find expected key": "缩进不一致，找不到应有的键",
        "did not find expected node content": "缺少应有的内容",
        "found undefined alias": "未定义的别名",
        "found unexpected end of stream": "文件意外结束（引号或括号没有闭合）",
        "did not find expected ',' or ']'": "方括号列表没有正确闭合（缺少“,”或“]”）",
        "did not find expected ',' or '}'": "花括号映射没有正确闭合（缺少“,”或“}”）",
        "did not find expected '-' indicator": "列表缩进不一致（缺少“-”）",
        "found unknown escape character": "双引号字符串里有未知的转义字符（反斜杠）",
    }
    for english, chinese in translations.items():
        if problem.startswith(english):
            return chinese
    return f"YAML 语法错误：{problem}"


# --- round trip ------------------------------------------------------------


def _roundtrip_yaml() -> YAML:
    yaml = YAML()  # round-trip
    yaml.version = None
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    yaml.width = 4096
    # ruamel writes None as an empty value ("full:"); the format spells it null.
    yaml.representer.add_representer(type(None), lambda rep, _data: rep.represent_scalar("tag:yaml.org,2002:null", "null"))
    return yaml


def load_roundtrip(text: str) -> Any:
    """Load for editing: comments, quotes and order are kept on the returned object."""
    try:
        return _roundtrip_yaml().load(text)
    except MarkedYAMLError as exc:
        raise YamlProblem(_describe(exc), _error_line(exc, text)) from None
    except YAMLError as exc:
        raise YamlProblem(str(exc).strip() or "YAML 语法错误") from None


def dump_roundtrip(data: Any) -> str:
    """Serialise a document loaded with :func:`load_roundtrip` (or plain data)."""
    stream = io.StringIO()
    _roundtrip_yaml().dump(data, stream)
    return stream.getvalue()


def new_map(pairs: dict | None = None, *, flow: bool = False) -> Any:
    """A mapping for a round-trip document; ``flow`` writes it as ``{a: 1, b: 2}``."""
    from ruamel.yaml.comments import CommentedMap

    mapping = CommentedMap(pairs or {})
    if flow:
        mapping.fa.set_flow_style()
    return mapping


def new_seq(items: list | None = None, *, flow: bool = False) -> Any:
    """A sequence for a round-trip document; ``flow`` writes it as ``[a, b]``."""
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(items or [])
    if flow:
        seq.fa.set_flow_style()
    return seq


def comment_after(mapping: Any, key: str, text: str) -> None:
    """An end-of-line comment ``# text`` after ``key``'s value in a round-trip mapping."""
    mapping.yaml_add_eol_comment(text, key)


def comment_before(seq: Any, index: int, text: str, indent: int = 2) -> None:
    """A whole-line comment ``# text`` before item ``index`` of a round-trip sequence."""
    seq.yaml_set_comment_before_after_key(index, before=text, indent=indent)


def quoted(text: str) -> Any:
    """A string written in double quotes (times such as "14:30" must stay strings everywhere)."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    return DoubleQuotedScalarString(text)


def literal(text: str) -> Any:
    """A multi-line string written as a ``|`` block."""
    from ruamel.yaml.scalarstring import LiteralScalarString

    return LiteralScalarString(text if text.endswith("\n") else text + "\n")


def is_c_accelerated() -> bool:
    """True when ruamel's C parser is installed (the checker is about 4x slower without it)."""
    return _safe.Parser.__name__ == "CParser"
