"""JSON Schemas of the format for editors, and the modeline that points a file at its schema.

The schemas are generated from the field tables in :mod:`zhibu.format.kinds`, the
same tables the loader checks with, so an editor's red squiggle and a
``format.*`` finding come from one definition. They are written to
``.zhibu/schema/<kind>.json`` inside the branch (by ``zhibu init`` and
``zhibu schema``) and committed with it, so a clone opened in VS Code has them.
Every new file zhibu writes starts with a modeline::

    # yaml-language-server: $schema=../../.zhibu/schema/record.json

which the YAML language server (VS Code's YAML extension, and any LSP
editor using it) reads. To the loader it is a comment.

What the schemas cannot say: an editor's YAML parser reads ``2026-03-05`` as
a string, so a date is a string of that shape here, and a quoted date (which
the loader refuses, since it is not a YAML date) passes the schema. Checks
that need other files (a member's group against zhibu.yaml, names against the
roster) are left to ``zhibu check``.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path

from ..model.vocabulary import REQUIRED_BY_TYPE, TYPE_ALIASES
from . import kinds
from .kinds import Field, FileKind

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_DIR = ".zhibu/schema"
MODELINE_PREFIX = "# yaml-language-server:"

# --- value schemas, one per checker kind of format/kinds.py -------------------------------

_NONBLANK = r"\S"
# The YAML language server does not check ``format: date``, so the pattern itself admits only days
# that exist: 30- and 31-day months, 28 days in February and the 29th in leap years (every fourth
# year, centuries only when divisible by 400). Months and days may drop their leading zero, as the
# loader reads 2026-3-5 too.
_D31 = r"(0?[13578]|1[02])-(0?[1-9]|[12]\d|3[01])"
_D30 = r"(0?[469]|11)-(0?[1-9]|[12]\d|30)"
_D28 = r"0?2-(0?[1-9]|1\d|2[0-8])"
_LEAP = r"(\d\d(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)"
DATE_PATTERN = rf"^(\d{{4}}-({_D31}|{_D30}|{_D28})|{_LEAP}-0?2-29)$"
_DATE = {"type": "string", "format": "date", "pattern": DATE_PATTERN}
_TEXT = {"type": ["string", "number"], "pattern": _NONBLANK}
_INT_RANGES = {"int": (1, 20), "count": (0, 10_000), "month": (1, 12), "year": (1921, 2200)}
_PERIOD = r"^\s*\d{4}(-(0?[1-9]|1[0-2])|[Qq][1-4]|[Hh][12])?\s*$"
# The string forms zhibu.model.periods.parse_theme_day accepts, with an optional "（遇节假日顺延）".
_THEME_DAY = (
    r"^\s*每月(((0?[1-9]|[12][0-9]|3[01])[日号])|(第[1-5一二三四五]个?(周|星期)[一二三四五六日天])"
    r"|(最后一个?(周|星期)[一二三四五六日天]))\s*([（(，,]?\s*(遇[^）)]*)?顺延[^）)]*[）)]?)?\s*$"
)
_SHIFT = {
    "顺延": {"description": "遇节假日顺延到下一个工作日", "const": "节假日"},
    "shift": {"description": "遇节假日顺延到下一个工作日", "const": "next-workday"},
}


def _enum(choices) -> dict:
    return {"type": "string", "enum": list(choices)}


def _value_schema(field: Field) -> dict:
    """The schema of a present, non-null value of ``field``."""
    kind = field.kind
    if kind == "text":
        return dict(_TEXT)
    if kind == "code":
        return {"type": "string", "pattern": _NONBLANK}
    if kind == "date":
        return dict(_DATE)
    if kind in _INT_RANGES:
        low, high = _INT_RANGES[kind]
        return {"type": "integer", "minimum": low, "maximum": high}
    if kind == "number":
        return {"type": "number", "minimum": 0}
    if kind == "bool":
        return {"type": "boolean"}
    if kind in ("enum", "type"):
        return _enum(field.choices)
    if kind == "types":
        return {"anyOf": [_enum(field.choices), {"type": "array", "minItems": 1, "items": _enum(field.choices)}]}
    if kind == "texts":
        return {"type": "array", "items": dict(_TEXT)}
    if kind == "enums":
        return {"type": "array", "items": _enum(field.choices)}
    if kind == "pair":
        return {"type": "array", "items": dict(_TEXT), "minItems": 2, "maxItems": 2, "uniqueItems": True}
    if kind == "groups":
        group = _object(kinds._GROUP_FIELDS)
        return {"type": "array", "items": {"anyOf": [dict(_TEXT), group]}}
    if kind == "months":
        return {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 1, "maximum": 12}}
    if kind == "period":
        return {"anyOf": [{"type": "string", "pattern": _PERIOD}, {"type": "integer", "minimum": 1000, "maximum": 9999}]}
    if kind == "yearmonth":
        return {"type": "string", "pattern": r"^\s*\d{4}-\d{1,2}\s*$"}
    if kind == "format":
        return {"type": "integer", "const": 1}
    if kind == "theme_day":
        return {
            "anyOf": [
                {"type": "string", "pattern": _THEME_DAY},
                _closed({"day": {"description": "每月几日", "type": "integer", "minimum": 1, "maximum": 31}, **_SHIFT}, ["day"]),
                _closed(
                    {
                        "weekday": {"description": "星期几：1 为周一，7 为周日", "type": "integer", "minimum": 1, "maximum": 7},
                        "nth": {"description": "第几个：1 至 5，-1 为最后一个", "type": "integer", "enum": [1, 2, 3, 4, 5, -1]},
                        **_SHIFT,
                    },
                    ["weekday", "nth"],
                ),
                _closed(
                    {"rule": {"description": "规则，如 每月最后一个周五", "type": "string", "pattern": _THEME_DAY}, **_SHIFT},
                    ["rule"],
                ),
                _closed(
                    {"规则": {"description": "规则，如 每月最后一个周五", "type": "string", "pattern": _THEME_DAY}, **_SHIFT},
                    ["规则"],
                ),
            ]
        }
    if kind == "full":
        extended = _closed({"extended_to": {"description": "预备期延长至", **_DATE}}, ["extended_to"])
        return {"anyOf": [{"type": "null"}, dict(_DATE), extended]}
    if kind == "name_map":
        return {"type": "object", "additionalProperties": dict(_TEXT)}
    if kind == "leaders":
        entry = _closed({"name": dict(_TEXT), "since": {"description": "任组长之日", **_DATE}}, ["name"])
        one = {"anyOf": [dict(_TEXT), entry]}
        return {
            "type": "object",
            "additionalProperties": {"anyOf": [dict(_TEXT), entry, {"type": "array", "items": one, "minItems": 1}]},
        }
    if kind == "number_map":
        return {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}}
    if kind == "map":
        return _object(field.fields)
    if kind == "maps":
        item = _object(field.fields)
        if field.shorthand:
            item = {"anyOf": [dict(_TEXT), item]}
        return {"type": "array", "items": item}
    raise ValueError(f"no JSON Schema for field kind {kind!r}")  # a new checker kind needs a line above


def _closed(properties: dict, required: list[str]) -> dict:
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def _nullable(value: dict) -> dict:
    """The loader skips an optional key whose value is empty (null), so the schema allows it."""
    if "anyOf" in value:
        if {"type": "null"} not in value["anyOf"]:
            value = {**value, "anyOf": [*value["anyOf"], {"type": "null"}]}
        return value
    kind = value.get("type")
    if isinstance(kind, str) and kind in ("string", "integer", "number", "boolean") and "const" not in value:
        out = {**value, "type": [kind, "null"]}
        if "enum" in value:
            out["enum"] = [*value["enum"], None]
        return out
    if isinstance(kind, list):
        return {**value, "type": [*kind, "null"]}
    return {"anyOf": [value, {"type": "null"}]}


def _description(field: Field) -> str:
    text = field.doc
    if field.required:
        text += "（必填）"
    if field.kind in ("type", "types"):
        canonical = [c for c in field.choices if c not in TYPE_ALIASES]
        aliases = [c for c in field.choices if c in TYPE_ALIASES]
        text += f"。类型：{' '.join(canonical)}；也接受别名：{' '.join(aliases)}"
    elif field.choices:
        text += f"。可选：{' '.join(field.choices)}"
    return text


def _property(field: Field) -> dict:
    value = _value_schema(field)
    if not field.required:
        value = _nullable(value)
    return {"description": _description(field), **value}


def _object(fields: tuple[Field, ...]) -> dict:
    out = {
        "type": "object",
        "properties": {f.name: _property(f) for f in fields},
        "additionalProperties": False,
    }
    required = [f.name for f in fields if f.required]
    if required:
        out["required"] = required
    if fields is kinds.MEMBER_FIELDS:
        out["allOf"] = _member_conditions()
    return out


def _member_conditions() -> list[dict]:
    """A 正式党员 has a full_since; a 预备党员 has none (format/load.py checks the same)."""
    return [
        {
            "if": {"required": ["status"], "properties": {"status": {"const": "正式党员"}}},
            "then": {"required": ["full_since"], "properties": {"full_since": {"not": {"type": "null"}}}},
        },
        {
            "if": {"required": ["status"], "properties": {"status": {"const": "预备党员"}}},
            "then": {"properties": {"full_since": {"type": "null"}}},
        },
    ]


def _record_conditions() -> list[dict]:
    """The keys some record types require (group for 党小组会 …), including under their aliases."""
    out = []
    for record_type, needed in REQUIRED_BY_TYPE.items():
        names = [record_type] + [alias for alias, canonical in TYPE_ALIASES.items() if canonical == record_type]
        out.append(
            {
                "if": {
                    "required": ["type"],
                    "properties": {"type": {"anyOf": [{"enum": names}, {"type": "array", "contains": {"enum": names}}]}},
                },
                "then": {"required": [needed]},
            }
        )
    return out


def kind_schema(kind: FileKind) -> dict:
    """The JSON Schema (draft 2020-12) of one file kind."""
    body = _object(kind.fields)
    if kind.list_key:
        body["type"] = ["object", "null"]  # an empty ledger file is an empty list
    if kind is kinds.RECORD:
        body["allOf"] = _record_conditions()
    return {
        "$schema": DRAFT,
        "title": f"{kind.title}（{kind.pattern}）",
        "description": f"zhibu 支部仓库格式第1版：{kind.title}。由 zhibu schema 生成，请勿手工修改。",
        **body,
    }


def schema_file(kind: FileKind) -> str:
    """The schema's file name, e.g. ``record.json``."""
    return kind.schema


def schema_texts() -> dict[str, str]:
    """File name -> JSON text of every schema, in a stable order and layout."""
    return {schema_file(k): json.dumps(kind_schema(k), ensure_ascii=False, indent=2) + "\n" for k in kinds.FILE_KINDS}


def branch_schema_files() -> dict[str, bytes]:
    """Branch-relative path -> bytes of every schema, as ``zhibu init`` and ``zhibu schema`` write them."""
    return {f"{SCHEMA_DIR}/{name}": text.encode("utf-8") for name, text in schema_texts().items()}


# --- which file is which kind, and the modeline ------------------------------------------


def kind_for_path(rel: str) -> FileKind | None:
    """The file kind of a branch-relative POSIX path when it has a schema, else None."""
    kind = kinds.kind_for_path(rel)
    return kind if kind is not None and kind.schema else None


def modeline(rel: str) -> str | None:
    """``# yaml-language-server: $schema=<path>`` for ``rel``, the path relative to its folder."""
    kind = kind_for_path(rel)
    if kind is None:
        return None
    target = f"{SCHEMA_DIR}/{schema_file(kind)}"
    return f"{MODELINE_PREFIX} $schema={posixpath.relpath(target, posixpath.dirname(rel) or '.')}"


def has_modeline(text: str) -> bool:
    return text.lstrip("\ufeff").startswith(MODELINE_PREFIX)


def with_modeline(rel: str, text: str) -> str:
    """``text`` with the modeline of ``rel`` as its first line (unchanged if it has one, or none applies)."""
    line = modeline(rel)
    if line is None or has_modeline(text):
        return text
    return f"{line}\n{text}"


def add_modelines(root: Path, writes: dict[str, bytes | None]) -> dict[str, bytes | None]:
    """``writes`` with the modeline put at the top of every *new* format file, when the branch
    has its schemas (on disk or among ``writes``); existing files are left as they are, so an
    edit never adds a line the secretary did not write."""
    out = dict(writes)
    for rel, data in writes.items():
        kind = kind_for_path(rel)
        if data is None or kind is None or (root / rel).exists():
            continue
        schema_rel = f"{SCHEMA_DIR}/{schema_file(kind)}"
        if schema_rel not in writes and not (root / schema_rel).is_file():
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # not ours to touch; the loader reports it
        out[rel] = with_modeline(rel, text).encode("utf-8")
    return out


# --- writing the schemas into a branch ------------------------------------------------------

VSCODE_SETTINGS = ".vscode/settings.json"


def vscode_globs() -> dict[str, list[str]]:
    """``yaml.schemas`` for VS Code: schema path -> the branch files it describes (relative to
    the branch folder opened as the workspace), for files that have no modeline yet."""
    out: dict[str, list[str]] = {}
    for kind in kinds.FILE_KINDS:
        out[f"{SCHEMA_DIR}/{schema_file(kind)}"] = [kind.editor_glob]
    return out


def vscode_settings(root: Path) -> bytes:
    """.vscode/settings.json with ``yaml.schemas`` set, everything else kept as written.

    VS Code's settings are JSONC: comments and trailing commas are allowed and people use them.
    So the file is edited as text: the value of a top-level ``yaml.schemas`` is replaced, or the
    key is added before the closing brace; comments, order and layout stay untouched.
    """
    from ..errors import ZhibuError

    path = root / VSCODE_SETTINGS
    value = json.dumps(vscode_globs(), ensure_ascii=False, indent=2).replace("\n", "\n  ")
    if not path.is_file():
        return ('{\n  "yaml.schemas": ' + value + "\n}\n").encode("utf-8")
    try:
        text = path.read_text(encoding="utf-8-sig")
        edited = set_jsonc_member(text, "yaml.schemas", value) if text.strip() else '{\n  "yaml.schemas": ' + value + "\n}\n"
    except (ValueError, UnicodeDecodeError) as exc:
        raise ZhibuError(
            f"{VSCODE_SETTINGS} 无法读取（{exc}），zhibu 不改写它。",
            "先在 VS Code 中改正该文件，或按 docs/editors.md 中的示例手工加上 yaml.schemas 一项。",
        ) from None
    return edited.encode("utf-8")


def _jsonc_tokens(text: str):
    """(kind, start, end) of the JSONC tokens outside comments: "str", "punct" ({}[]:,) or "word"."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise ValueError("注释没有结束")
            i = end + 2
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise ValueError("字符串没有结束")
            yield "str", i, j + 1
            i = j + 1
        elif c in "{}[]:,":
            yield "punct", i, i + 1
            i += 1
        else:
            j = i
            while j < n and text[j] not in ' \t\r\n{}[]:,"/':
                j += 1
            if j == i:
                raise ValueError(f"第 {text.count(chr(10), 0, i) + 1} 行有无法识别的字符")
            yield "word", i, j
            i = j


def set_jsonc_member(text: str, key: str, value: str) -> str:
    """``text`` (a JSONC object) with its top-level ``key`` set to the JSON ``value``."""
    tokens = list(_jsonc_tokens(text))
    if not tokens or text[tokens[0][1]] != "{":
        raise ValueError("不是 JSON 对象")
    depth, close, span, last = 0, None, None, None
    for index, (kind, start, end) in enumerate(tokens):
        piece = text[start:end]
        if kind == "punct" and piece in "{[":
            depth += 1
        elif kind == "punct" and piece in "}]":
            depth -= 1
            if depth == 0:
                close = index
                break
        elif depth == 1 and kind == "str" and index + 1 < len(tokens) and text[tokens[index + 1][1]] == ":":
            if json.loads(piece) == key:
                span = _value_span(tokens, text, index + 2)
        if depth >= 1 and index > 0 and not (depth == 1 and piece == "}"):
            last = (kind, start, end)
    if close is None:
        raise ValueError("对象没有结束")
    if span is not None:
        return text[: span[0]] + value + text[span[1] :]
    brace = tokens[close][1]
    _, _, last_end = last if last else tokens[0]
    needs_comma = last is not None and text[last_end - 1] not in "{,"
    indent = "  "
    insertion = ("," if needs_comma else "") + f"\n{indent}{json.dumps(key)}: {value}"
    tail = text[last_end:brace]
    return text[:last_end] + insertion + (tail if tail.strip() else "\n") + text[brace:]


def _value_span(tokens, text: str, index: int) -> tuple[int, int]:
    """Start and end offsets of the JSON value that begins at token ``index``."""
    kind, start, end = tokens[index]
    if kind != "punct" or text[start] not in "{[":
        return start, end
    depth = 0
    for kind, _, stop in tokens[index:]:
        piece = text[stop - 1] if kind == "punct" else ""
        if piece in ("{", "["):
            depth += 1
        elif piece in ("}", "]"):
            depth -= 1
            if depth == 0:
                return start, stop
    raise ValueError("值没有结束")


def write_schema_folder(out: Path) -> list[Path]:
    """Write every schema into ``out`` (for editors configured by hand); returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_texts().items():
        path = out / name
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written
