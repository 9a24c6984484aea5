"""Aligned plain-text tables and wrapped Chinese text for the terminal: the only module that imports tabulate and wcwidth.

Chinese characters are two columns wide on a terminal; tabulate measures them with wcwidth
(installed beside it), so the columns line up.
"""

from __future__ import annotations

import re


def table_text(rows: list[list], headers: list[str], *, pad: bool = False) -> str:
    """``rows`` under ``headers``, columns aligned; with ``pad`` every line is padded with spaces
    to the same display width (for a table printed beside another one)."""
    from tabulate import tabulate

    text = tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)
    if not pad:
        return text
    from wcwidth import wcswidth

    lines = text.splitlines()
    width = max(wcswidth(line) for line in lines)
    return "\n".join(line + " " * (width - wcswidth(line)) for line in lines)


_NO_LINE_START = "，。、；：？！）》」』”’,.;:?!)"
_WORD = re.compile(r"[A-Za-z0-9.%]+|.", re.S)


def wrap_cjk(text: str, width: int) -> str:
    """Lines of at most ``width`` display columns. Closing punctuation never starts a line
    and a run of Latin letters or digits (2024, GB/T) is not cut unless it is too long."""
    from wcwidth import wcswidth

    tokens = []
    for token in _WORD.findall(text):
        # A word longer than a whole line is cut like Chinese text.
        tokens.extend(token if len(token) > 1 and wcswidth(token) > width else [token])
    lines, line, used = [], "", 0
    for token in tokens:
        w = max(wcswidth(token), 0)
        if used + w > width and line and token[0] not in _NO_LINE_START:
            lines.append(line)
            line, used = "", 0
        line += token
        used += w
    if line:
        lines.append(line)
    return "\n".join(lines)
