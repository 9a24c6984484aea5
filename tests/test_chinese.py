"""Users read Chinese: no English word in any help text or message besides names a user types.

Every command's ``--help`` and the usage errors click produces are scanned for English words.
What may stay: command and option names, rule codes, file names, format names and a short list of
proper names (git, YAML, LibreOffice, ...). A new English message anywhere fails here.
"""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from zhibu.cli import COMMANDS, cli

# Words a user types or reads as names: formats, programs, standards, placeholders of syntax.
ALLOWED = {
    "zhibu",
    "git",
    "YAML",
    "yaml",
    "yml",
    "JSON",
    "json",
    "jsonl",
    "JSONC",
    "csv",
    "CSV",
    "xlsx",
    "Excel",
    "docx",
    "Word",
    "PDF",
    "pdf",
    "ics",
    "iCalendar",
    "RFC",
    "LibreOffice",
    "soffice",
    "WPS",
    "VS",
    "Code",
    "vscode",
    "Schema",
    "schema",
    "GB",
    "UTF",
    "GBK",
    "GB18030",
    "BOM",
    "ID",
    "HEAD",
    "SHA",
    "sha",
    "tag",
    "text",
    "txt",
    "https",
    "http",
    "ssh",
    "file",
    "pre",
    "commit",
    "hooks",
    "hook",
    "EDITOR",
    "VISUAL",
    "bash",
    "zsh",
    "fish",
    "Kubernetes",
    "Slurm",
    "GNU",
    "parallel",
    "Windows",
    "macOS",
    "Linux",
    "PowerShell",
    "B",
    "T",
    "X",
    "Q",
    "H",
    "CPU",
    "URL",
    "XX",
    "reference",
    "templates",
    "attachments",
    "records",
    "plans",
    "talks",
    "dues",
    "standards",
    "waivers",
    "members",
    "committee",
    "development",
    "mirror",
    "bare",
    "jobs",
    "as",
    "of",
    "main",
    "origin",
    "safe",
    "directory",
    "gpg",
    "GnuPG",
    "OpenSSH",
    "QR",
    "UID",
    "UTC",
    "Asia",
    "Shanghai",
    "PNG",
    "SVG",
    "HTML",
    "html",
    "docs",
    "MB",
    "KB",
    "cd",
    "head",
    "Python",
    "sample",
    "columns",
    "values",
    "ignore",
    "skip",
    "legacy",
    "config",
    # commands a message tells the user to type, and names it quotes
    "diff",
    "stash",
    "push",
    "clone",
    "rebase",
    "reset",
    "log",
    "add",
    "status",
    "init",
    "fetch",
    "show",
    "rev",
    "iconv",
    "mv",
    "apt",
    "get",
    "nano",
    "python",
    "keygen",
    "Red",
    "Hat",
    "dubious",
    "ownership",
    "xls",
    "allowed",
    "signers",
    "ALLOWED",
    "SIGNERS",
    "export",
    # the keys of a rating scheme (data/rating.yaml)
    "items",
    "stars",
    "key",
    "points",
    "codes",
    "cap",
    "note",
    "requires",
    "unknown",
    "scheme",
    "min",
    "true",
    "false",
    "null",  # YAML values
}
# Stripped before looking for words: option names, rule codes, paths and file names, `code`.
_NOISE = re.compile(
    r"`[^`]*`"  # code spans
    r"|--?[A-Za-z][\w-]*"  # options
    r"|https?://\S+|ssh://\S+|git@\S+|[\w-]+\.(?:com|org|cn|net)\b"  # addresses
    r"|\b[a-z]+\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\b"  # rule codes, dotted names, git settings
    r"|\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b"  # environment variables
    r"|[\w./<>{}\-\u4e00-\u9fff]*\.(?:yaml|yml|json|jsonl|docx|pdf|xlsx|csv|ics|txt|md|gitignore)\b"  # file names
    r"|\b[\w-]+/[\w./<>-]*"  # paths
    r"|\$\w+"  # environment variables
    r"|\b[A-Z][A-Z0-9_]+\b(?=\s*=)"  # VAR=value
)
_WORD = re.compile(r"[A-Za-z]{2,}")


def english_words(text: str, allowed: set[str]) -> list[str]:
    return [w for w in _WORD.findall(_NOISE.sub(" ", text)) if w not in allowed]


def all_commands():
    """(path, command) for every command and group, depth first."""
    ctx = click.Context(cli, info_name="zhibu")
    out = [(("zhibu",), cli)]

    def walk(group, path, parent_ctx):
        for name in group.list_commands(parent_ctx):
            command = group.get_command(parent_ctx, name)
            out.append(((*path, name), command))
            if isinstance(command, click.Group):
                walk(command, (*path, name), click.Context(command, info_name=name, parent=parent_ctx))

    walk(cli, ("zhibu",), ctx)
    return out


def _field_names(fields) -> set[str]:
    out = set()
    for field in fields:
        out.update(field.name.split("_"))
        out.update(_field_names(field.fields))
    return out


def command_words() -> set[str]:
    """What a user types: command names, choices, the format's keys, pack keys, rule kinds and
    their parameters, batch statuses and manifest keys (split at - and _ as the scan splits them)."""
    from zhibu.committee.batch import UNCHECKED
    from zhibu.format import kinds
    from zhibu.rules import load_kinds
    from zhibu.rules.registry import KINDS
    from zhibu.standard.layers import PACK_KEYS, RESERVED

    load_kinds()
    words = set(COMMANDS)
    for path, command in all_commands():
        for name in path:
            words.update(name.split("-"))
        for param in command.params:
            if isinstance(param.type, click.Choice):
                words.update(str(c) for c in param.type.choices)
    for kind in kinds.FILE_KINDS:
        words |= _field_names(kind.fields)
    for name, kind in KINDS.items():
        words.update(name.split("-"))
        for param in kind.params:
            words.update(param.split("_"))
    from zhibu.standard.layers import baseline_rules

    words.update(code.split(".")[0] for code in baseline_rules()[1])  # format.*, record.* …
    for key in (*PACK_KEYS, *RESERVED, *UNCHECKED, "ok", "findings", "branches", "url", "path", "category"):
        words.update(key.split("_"))
    return words


COMMANDS_AND_CHOICES = command_words()
ALLOWED_ALL = ALLOWED | COMMANDS_AND_CHOICES


@pytest.mark.parametrize("path", [" ".join(p) for p, _ in all_commands()])
def test_help_is_chinese(path):
    args = path.split()[1:] + ["--help"]
    result = CliRunner().invoke(cli, args, prog_name="zhibu")
    assert result.exit_code == 0, result.output
    assert english_words(result.output, ALLOWED_ALL) == [], result.output


def test_every_positional_argument_is_described():
    missing = []
    for path, command in all_commands():
        for param in command.params:
            if isinstance(param, click.Argument) and not getattr(param, "help", None):
                missing.append(f"{' '.join(path)} {param.name}")
    assert missing == []


@pytest.mark.parametrize(
    "args",
    [
        ["meetin"],  # no such command
        ["meeting", "ad"],  # no such subcommand, with a suggestion
        ["check", "--formt", "json"],  # no such option
        ["check", "--format", "jsn"],  # not a choice
        ["check", "--as-of", "2026-02-30"],  # impossible date
        ["check", "--year", "abc"],  # not an integer
        ["check", "--year", "99999"],  # out of range
        ["check", "a", "b", "c"],  # extra arguments
        ["member", "add"],  # missing argument
        ["meeting", "add", "--type"],  # option without its value
        ["batch", "check"],  # missing required argument
        ["talk", "add", "王建国"],  # missing second argument
        ["doc"],  # group without command
    ],
)
def test_usage_errors_are_chinese(args, tmp_path):
    result = CliRunner().invoke(cli, ["-C", str(tmp_path), *args], prog_name="zhibu")
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code == 2, text
    assert "Traceback" not in text
    typed = set(_WORD.findall(" ".join(args)))  # the user's own words are echoed back
    assert english_words(text, ALLOWED_ALL | typed) == [], text


# --- messages in the code ----------------------------------------------------------------------

_SPEAKERS = {
    "ZhibuError",
    "InvalidChange",
    "_reject",
    "echo",
    "fail",
    "UsageError",
    "BadParameter",
    "finding",
    "Finding",
    "prompt",
    "confirm",
    "secho",
    "RowErrors",
    "Refused",
    "note",
    "NotADate",
}


def _texts_of(node) -> list[str]:
    """The literal text of a str or f-string argument (the values put in stay out)."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value for v in node.values if isinstance(v, ast.Constant)) + " "]
    if isinstance(node, ast.BinOp):
        return _texts_of(node.left) + _texts_of(node.right)
    return []


def user_messages() -> list[tuple[str, int, str]]:
    """(file, line, text) of every string the code hands to the user: errors, refusals, findings,
    what commands print, and help texts."""
    import ast
    from pathlib import Path

    out = []
    for path in sorted((Path(__file__).resolve().parents[1] / "src" / "zhibu").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            args = list(node.args) if name in _SPEAKERS else []
            args += [k.value for k in node.keywords if k.arg in ("help", "hint", "message")]
            for arg in args:
                for text in _texts_of(arg):
                    if re.search(r"[\u4e00-\u9fff]", text):  # a Chinese sentence (English-only strings are identifiers)
                        out.append((path.name, node.lineno, text))
    return out


def test_messages_in_the_code_are_chinese():
    bad = [
        f"{name}:{line}: {words} in {text!r}"
        for name, line, text in user_messages()
        if (words := english_words(text, ALLOWED_ALL))
    ]
    assert bad == [], "\n".join(bad)


def test_the_standards_titles_and_hints_are_chinese():
    from zhibu.standard.layers import baseline_rules

    bad = [
        f"{code}: {words}"
        for code, rule in baseline_rules()[1].items()
        for text in (rule.title, rule.hint or "")
        if (words := english_words(text, ALLOWED_ALL))
    ]
    assert bad == [], "\n".join(bad)
