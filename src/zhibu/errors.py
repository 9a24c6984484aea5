"""Failures of the tool itself (as opposed to findings about the records).

Every ``ZhibuError`` reaches the user as one or two Chinese sentences on
standard error and exit status 2; the CLI shows a traceback only with --debug.
"""

from __future__ import annotations


class ZhibuError(Exception):
    """The command could not do its job. ``hint`` says how to fix it."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


class InvalidChange(ZhibuError):
    """A change that would leave the records invalid; ``findings`` say why."""

    def __init__(self, message: str, findings=(), hint: str | None = None):
        super().__init__(message, hint)
        self.findings = tuple(findings)
