"""The catalogue of finding codes, read from the built-in baseline pack (data/baseline.yaml).

The baseline is data so that a reader can see every rule's severity and the
regulation text it rests on without reading code; this module only looks
codes up in it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

from ..model.findings import NOWHERE, Finding, Severity, Source


@dataclass(frozen=True, slots=True)
class CodeInfo:
    code: str
    severity: Severity
    title: str
    source: str
    hint: str
    spec: dict  # the whole rule entry, parameters included


@functools.cache
def baseline_pack() -> dict:
    """The built-in B pack as parsed data."""
    from ..store.yamlio import parse

    text = resources.files("zhibu").joinpath("data/baseline.yaml").read_text(encoding="utf-8")
    return parse(text).data


@functools.cache
def codes() -> dict[str, CodeInfo]:
    out = {}
    for rule in baseline_pack()["rules"]:
        out[rule["code"]] = CodeInfo(
            code=rule["code"],
            severity=Severity.parse(rule["severity"]),
            title=rule["title"],
            source=rule.get("source", ""),
            hint=rule.get("hint", ""),
            spec=rule,
        )
    return out


MAX_MESSAGE_CHARS = 400


def shorten(text: str) -> str:
    """A message that quotes a branch's value at most ~400 characters long: a 5,000-digit
    number or a 1 MB name is shown by its start and end."""
    if len(text) <= MAX_MESSAGE_CHARS:
        return text
    return f"{text[:240]}…（省略 {len(text) - 340} 字）…{text[-100:]}"


def make_finding(
    code: str,
    message: str,
    where: Source = NOWHERE,
    hint: str | None = None,
    *,
    period: str | None = None,
    subject: str | None = None,
) -> Finding:
    """A finding of a baseline code with its default severity, hint and source text."""
    info = codes()[code]
    return Finding(
        code=code,
        severity=info.severity,
        message=shorten(message),
        hint=hint if hint is not None else info.hint,
        path=where.path,
        line=where.line,
        period=period,
        subject=subject,
        layer="B",
        pack="B",
        source=info.source,
    )
