"""Findings are values: what a check says about the records, with where and why."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Mapping


class Severity(enum.IntEnum):
    INFO = 10
    WARNING = 20
    ERROR = 30

    @property
    def label(self) -> str:
        return self.name.lower()

    @property
    def chinese(self) -> str:
        return {Severity.INFO: "提示", Severity.WARNING: "警告", Severity.ERROR: "错误"}[self]

    @classmethod
    def parse(cls, text: str) -> "Severity":
        return {"info": cls.INFO, "warning": cls.WARNING, "error": cls.ERROR}[text]


@dataclass(frozen=True, slots=True)
class Source:
    """Where a value came from: a file relative to the branch root, and a 1-based line.

    ``base`` is the key path of the value inside its file and ``lines`` the
    file's table of key path -> line, shared by every value of the file, so a
    rule can ask for the line of any field without the model storing each one.
    """

    path: str | None
    line: int | None = None
    base: tuple = ()
    lines: Mapping = field(default_factory=dict, compare=False, repr=False)

    def at(self, *keys) -> "Source":
        """Source of a field or item below this value (falls back to the nearest parent)."""
        path = self.base + keys
        for cut in range(len(path), len(self.base) - 1, -1):
            line = self.lines.get(path[:cut])
            if line is not None:
                return Source(self.path, line, path, self.lines)
        return Source(self.path, self.line, path, self.lines)

    def lazy(self, *keys) -> "LazySource":
        """Like :meth:`at`, but the line is looked up only when asked for."""
        return LazySource(self, keys)

    def line_of(self, *keys) -> int | None:
        return self.at(*keys).line

    def __str__(self) -> str:
        return location(self.path, self.line)


def location(path: str | None, line: int | None = None, period: str | None = None, subject: str | None = None) -> str:
    """Where a finding is, said one way for every printer: ``path:line``, the path alone
    without a line, else the period and the subject (``2025Q3 张三``), else "".

    A printer that lists a file's findings under its path shows only the line; one that
    names no subject (the subject is in the message) passes none."""
    if path:
        return f"{path}:{line}" if line else path
    return " ".join(str(part) for part in (period, subject) if part)


def where_of(finding: Mapping) -> str:
    """:func:`location` of a finding in its JSON form (``Finding.to_json``, batch entries)."""
    return location(finding.get("path"), finding.get("line"), finding.get("period"), finding.get("subject"))


NOWHERE = Source(None)


class LazySource:
    """A :class:`Source` below another, worked out only if something asks for its line.

    Validation passes a location to every value it checks but needs one only
    for the few that fail; building thousands of Sources up front was a
    measurable part of loading a branch.
    """

    __slots__ = ("_parent", "_keys", "_source")

    def __init__(self, parent: Source, keys: tuple):
        self._parent = parent
        self._keys = keys
        self._source: Source | None = None

    def _resolve(self) -> Source:
        if self._source is None:
            self._source = self._parent.at(*self._keys)
        return self._source

    @property
    def path(self) -> str | None:
        return self._parent.path

    @property
    def line(self) -> int | None:
        return self._resolve().line

    def at(self, *keys) -> "LazySource":
        return LazySource(self._parent, self._keys + keys)

    lazy = at


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a check found. Sorted by (path, line, period, code, subject)."""

    code: str
    severity: Severity
    message: str
    hint: str = ""
    path: str | None = None
    line: int | None = None
    period: str | None = None
    subject: str | None = None
    layer: str = "B"
    pack: str = "B"
    source: str = ""

    @property
    def sort_key(self) -> tuple:
        return (self.path or "", self.line or 0, self.period or "", self.code, self.subject or "")

    @property
    def where(self) -> str:
        """Where it is: :func:`location` of its path, line, period and subject."""
        return location(self.path, self.line, self.period, self.subject)

    def with_severity(self, severity: Severity) -> "Finding":
        return replace(self, severity=severity)

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity.label,
            "layer": self.layer,
            "pack": self.pack,
            "period": self.period,
            "path": self.path,
            "line": self.line,
            "subject": self.subject,
            "message": self.message,
            "hint": self.hint,
            "source": self.source,
        }


def sort_findings(findings) -> list[Finding]:
    return sorted(findings, key=lambda f: f.sort_key)


MAX_PER_CODE = 1000
"""Findings of one code listed for a branch at most (more say nothing new to the secretary)."""
MAX_FINDINGS = 10000
"""Findings listed for a branch at most, errors first: a branch cannot flood a batch's output."""


@dataclass(frozen=True)
class Caps:
    """How many findings a check lists (the defaults, or smaller for an example)."""

    per_code: int = MAX_PER_CODE
    total: int = MAX_FINDINGS


DEFAULT_CAPS = Caps()


@dataclass
class LeftOut:
    """Findings not kept because of :data:`MAX_PER_CODE` / :data:`MAX_FINDINGS`: counted, never built."""

    counts: dict = field(default_factory=dict)  # code -> how many
    worst: Severity | None = None
    first: tuple = (None, None)  # (path, line) of the first one left out

    def add(self, code: str, severity: Severity, path: str | None, line: int | None) -> None:
        if not self.counts:
            self.first = (path, line)
        self.counts[code] = self.counts.get(code, 0) + 1
        self.worst = severity if self.worst is None else max(self.worst, severity)

    def merge(self, other: "LeftOut") -> None:
        for code, count in other.counts.items():
            self.counts[code] = self.counts.get(code, 0) + count
        if other.worst is not None:
            self.worst = other.worst if self.worst is None else max(self.worst, other.worst)
        if self.first == (None, None):
            self.first = other.first

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def cap_findings(findings: list[Finding], left_out: LeftOut, caps: Caps = DEFAULT_CAPS) -> list[Finding]:
    """``findings`` (sorted) cut to ``caps.per_code`` of each code and ``caps.total`` in all,
    keeping errors before warnings before notes; what is cut is counted in ``left_out``."""
    per_code: dict[str, int] = {}
    kept = []
    for finding in findings:
        seen = per_code.get(finding.code, 0)
        per_code[finding.code] = seen + 1
        if seen >= caps.per_code:
            left_out.add(finding.code, finding.severity, finding.path, finding.line)
        else:
            kept.append(finding)
    if len(kept) > caps.total:
        ranked = sorted(range(len(kept)), key=lambda i: (-kept[i].severity, i))
        chosen = set(ranked[: caps.total])
        for i in ranked[caps.total :]:
            left_out.add(kept[i].code, kept[i].severity, kept[i].path, kept[i].line)
        kept = [f for i, f in enumerate(kept) if i in chosen]
    return kept
