"""The output boundary for text: every line zhibu prints or writes as text passes through
:func:`zhibu.model.redact.clean_stream_text` (personal numbers masked, undecodable bytes and
control characters escaped), whichever command or message produced it."""

from __future__ import annotations

import io
import sys
from contextlib import contextmanager

from ..model.redact import clean_stream_text


class CleaningStream(io.TextIOBase):
    """A text stream that cleans what it forwards, a whole line at a time (a number is never cut
    in two); what is left without a newline goes out on ``flush`` (a prompt) or ``close``."""

    def __init__(self, inner, *, close_inner: bool = False):
        self.inner = inner
        self.close_inner = close_inner
        self._pending = ""

    @property
    def encoding(self):
        return getattr(self.inner, "encoding", None) or "utf-8"

    @property
    def errors(self):
        return getattr(self.inner, "errors", None) or "strict"

    @property
    def buffer(self):  # bytes written here (a calendar file to standard output) are already formatted
        return self.inner.buffer

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.inner.isatty()

    def fileno(self) -> int:
        return self.inner.fileno()

    def write(self, text) -> int:
        # Text only: click takes a stream that accepts bytes for a binary one and wraps it in its
        # own encoder, which would turn undecodable bytes into "?" before they reach us.
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        joined = self._pending + text
        cut = joined.rfind("\n") + 1
        self._pending = joined[cut:]
        if cut:
            self.inner.write(clean_stream_text(joined[:cut]))
        return len(text)

    def flush(self) -> None:
        if getattr(self.inner, "closed", False):  # io's close() flushes once more after ours
            return
        if self._pending:
            self.inner.write(clean_stream_text(self._pending))
            self._pending = ""
        self.inner.flush()

    def close(self) -> None:
        if not self.closed:
            self.flush()
            if self.close_inner:
                self.inner.close()
        super().close()


def open_clean(path, newline: str | None = None) -> CleaningStream:
    """A UTF-8 text file whose every line is cleaned like standard output."""
    return CleaningStream(open(path, "w", encoding="utf-8", newline=newline), close_inner=True)


@contextmanager
def cleaned_standard_streams():
    """Standard output and error cleaned for the duration (the CLI's whole run)."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = CleaningStream(saved[0]), CleaningStream(saved[1])
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        sys.stdout, sys.stderr = saved


def unwrapped(stream):
    """The stream under a CleaningStream (for zhibu's own progress line, which uses "\\r")."""
    return stream.inner if isinstance(stream, CleaningStream) else stream
