"""Hostile variants of the sample branch, for tests/test_fuzz.py and tests/fuzz_campaign.py.

A mutant is the sample branch's files with one file changed by a seeded random mutation:
bytes (control characters, GBK bytes, NUL, cut), lines (duplicated: duplicate keys;
dropped, swapped, re-indented) or values (a value of another type, a huge integer, a hex
one, 10^400, a deep nesting, a long or control-character string, an unknown key, an
impossible date). ``judge`` checks one and says what went wrong, or None.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import traceback
from pathlib import Path

from zhibu.write.demo import sample_files

AS_OF = dt.date(2025, 12, 31)

HOLIDAYS = "holidays:\n  - 2025-05-06\nworkdays:\n  - 2025-05-10\n"


def base_files() -> dict[str, bytes]:
    """The sample branch (every file kind: zhibu, members, committee, development, records,
    plans, talks, dues, the X pack, waivers) plus a holidays.yaml, as bytes."""
    files = {rel: text.encode("utf-8") for rel, text in sample_files().items() if rel.endswith(".yaml")}
    files["holidays.yaml"] = HOLIDAYS.encode("utf-8")
    return files


def file_kinds(files: dict[str, bytes]) -> list[str]:
    """One file of each kind, so every kind gets its share of mutations."""
    by_kind: dict[str, str] = {}
    for rel in sorted(files):
        kind = rel.split("/")[0] if "/" in rel else rel
        by_kind.setdefault(kind, rel)
    return sorted(by_kind.values())


# --- values -------------------------------------------------------------------------------

HUGE_INT = "9" * 5000
ODD_TOKENS = [
    HUGE_INT,
    "-" + HUGE_INT,
    "0x" + "f" * 5000,
    "0o" + "7" * 5000,
    "1" + "0" * 400,
    "1e400",
    "-1e400",
    ".nan",
    ".inf",
    "-1",
    "0",
    "2025-02-30",
    "0001-01-01",
    "9999-12-31",
    "2025-13-01",
    "24:99",
    "~",
    "''",
    "!!binary aGVsbG8=",
    "!!python/object:os.system x",
    "&a [*a]",
    "*nowhere",
    '"\\x01\\x00\\u0085"',
    '"\\ud800"',
    "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]",
    "{" * 70 + "}" * 70,
    "[" * 70 + "]" * 70,
    "{a: 1, a: 2}",
    "[1, {b: [2, {c: 3}]}]",
    "{}",
    "[]",
    "yes",
    "no",
    "on",
    '"' + "长" * 5000 + '"',
    '"=HYPERLINK(\\"x\\")"',
    '"110101199003071234"',
    '"13800138000"',
    "'a\tb'",
    '"\\e[31m"',
]


def flow(value) -> str:
    """A value as YAML flow text (JSON strings are valid YAML double-quoted scalars)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{flow(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int) and value.bit_length() > 10000:
        return hex(value)  # str() refuses more than 4,300 digits
    if isinstance(value, (int, float, dt.date)):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def _paths(data, prefix=()):
    """Every key path in parsed data (for choosing where a value goes)."""
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


def _replace_at(data, path, text: str):
    """``data`` with the node at ``path`` replaced by raw flow text (a marker substituted later)."""
    if not path:
        return text
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {k: (_replace_at(v, rest, text) if k == head else v) for k, v in data.items()}
    return [(_replace_at(v, rest, text) if i == head else v) for i, v in enumerate(data)]


MARK = "\x00zhibu-fuzz\x00"


def _with_raw(data, path, raw: str) -> str:
    return flow(_replace_at(data, path, MARK)).replace(json.dumps(MARK), raw)


def _swap_type(rng: random.Random, value) -> str:
    """Raw YAML for a value of another type than ``value``."""
    choices = [
        "[" + flow(value) + "]",
        "{x: " + flow(value) + "}",
        "null",
        "true",
        "12",
        "-3.5",
        '"文字"',
        "2025-01-01",
        "[]",
        "{}",
    ]
    if isinstance(value, (dict, list)):
        choices.append('"' + "、".join(map(str, value))[:50].replace('"', "") + '"')
    return rng.choice(choices)


def mutate_value(rng: random.Random, text: str) -> str | None:
    """The file with one value replaced (another type, an odd token, an unknown key added).

    Parsed with ruamel's own safe loader, not zhibu's: the mutants must not depend on the
    zhibu under test, so that a campaign before and after a fix runs the same inputs."""
    from ruamel.yaml import YAML

    try:
        data = YAML(typ="safe", pure=False).load(text)
    except Exception:  # noqa: BLE001 -- not YAML (an earlier mutation broke it): mutate lines instead
        return None
    if data is None:
        return None
    try:
        return _mutate_data(rng, data)
    except RecursionError:  # an alias inside itself (&a [*a]): ruamel builds a cycle, zhibu refuses it
        return None


def _mutate_data(rng: random.Random, data) -> str:
    paths = list(_paths(data))
    path = rng.choice(paths)
    node = data
    for key in path:
        node = node[key]
    roll = rng.random()
    if roll < 0.35:
        raw = _swap_type(rng, node)
    elif roll < 0.8:
        raw = rng.choice(ODD_TOKENS)
    elif isinstance(node, dict):  # an unknown key, or many
        extra = ", ".join(f"未知键{i}: {rng.choice(ODD_TOKENS[:6])}" for i in range(rng.choice([1, 3, 50])))
        raw = "{" + ", ".join([*(f"{flow(k)}: {flow(v)}" for k, v in node.items()), extra]) + "}"
    else:
        raw = "[" * 40 + flow(node) + "]" * 40
    return _with_raw(data, path, raw) + "\n"


# --- lines and bytes ----------------------------------------------------------------------

GBK = "党支部委员会".encode("gbk")
CONTROL = [
    b"\x00",
    b"\x01",
    b"\x07",
    b"\x1b",
    b"\x7f",
    b"\x85",
    b"\xc2\x85",
    b"\xef\xbf\xbe",
    b"\xed\xa0\x80",
    b"\r",
    b"\t",
    b"\xef\xbb\xbf",
]


def mutate_lines(rng: random.Random, raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    i = rng.randrange(len(lines))
    roll = rng.random()
    if roll < 0.3:
        lines.insert(i, lines[rng.randrange(len(lines))])  # often a duplicate key
    elif roll < 0.5:
        del lines[i]
    elif roll < 0.7:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif roll < 0.85:
        lines[i] = b"  " * rng.randint(1, 3) + lines[i]
    else:
        lines[i] = lines[i].lstrip()
    return b"\n".join(lines)


def mutate_bytes(rng: random.Random, raw: bytes) -> bytes:
    at = rng.randrange(len(raw) + 1)
    roll = rng.random()
    if roll < 0.4:
        return raw[:at] + rng.choice(CONTROL) + raw[at:]
    if roll < 0.6:
        return raw[:at] + GBK + raw[at:]
    if roll < 0.75:
        return raw[:at]  # cut short (maybe inside a UTF-8 character)
    if roll < 0.9:
        return raw[:at] + bytes([rng.randrange(256)]) + raw[at + 1 :]
    return raw.decode("utf-8", "replace").encode("gbk", "replace")  # the whole file saved as GBK


def mutant(seed: int, base: dict[str, bytes] | None = None, rel: str | None = None) -> tuple[str, str, dict[str, bytes]]:
    """(file, mutation, files) for ``seed`` (mutating ``rel`` when given): the same seed gives the same mutant."""
    rng = random.Random(seed)
    files = dict(base if base is not None else base_files())
    rel = rel or rng.choice(file_kinds(files) + sorted(files))  # every kind often, every file sometimes
    raw = files[rel]
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        how = rng.choice(["value", "value", "value", "lines", "bytes"])
        if how == "value":
            changed = mutate_value(rng, raw.decode("utf-8", "replace"))
            raw = changed.encode("utf-8", "surrogatepass") if changed is not None else mutate_lines(rng, raw)
        elif how == "lines":
            raw = mutate_lines(rng, raw)
        else:
            raw = mutate_bytes(rng, raw)
    files[rel] = raw
    return rel, how, files


# --- judging ------------------------------------------------------------------------------


def judge(root: Path, files: dict[str, bytes]) -> str | None:
    """Check the branch ``files`` (in memory, rooted at ``root``) and render its report;
    what went wrong, or None when the check behaved."""
    from zhibu.check import check_branch
    from zhibu.report.printer import to_json_data, to_text
    from zhibu.store.files import Snapshot

    try:
        result = check_branch(root, as_of=AS_OF, year=2025, history=False, tree=Snapshot(root, files))
        to_text(result)
        json.dumps(to_json_data(result, "fuzz"), ensure_ascii=False)
    except Exception:  # noqa: BLE001 -- the point of the exercise: report any crash with where it happened
        return "exception: " + traceback.format_exc(limit=-3)
    crashed = [f for f in result.findings if f.code == "internal.rule-crashed"]
    if crashed:
        return f"internal.rule-crashed: {crashed[0].message}"
    if result.exit_code not in (0, 1) and result.loaded.config_ok:
        return f"exit code {result.exit_code}"
    fileless = [f for f in result.findings if f.code.split(".")[0] in ("format", "standard") and not f.path]
    if fileless:
        return f"finding without a file: {fileless[0].code} {fileless[0].message}"
    return None
