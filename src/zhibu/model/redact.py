"""Text from a branch made fit for an output: personal numbers masked, undecodable bytes and
control characters shown as escapes.

A branch is hostile input, and whatever it writes (a member's "name", a topic, a file name, a
waiver reason, a commit message) may end up in a committee's spreadsheet or report. Two promises
hold for every output format:

* no 身份证号 (18 digits with a date inside, the last one may be X; the old 15-digit form), no
  mainland mobile number (``1[3-9]`` and 9 digits, also written ``138 1234 5678``,
  ``138-1234-5678``, ``+86 …``), no landline written with its area code (``010-12345678``,
  ``(0551)1234567``) and no other run of eleven or more digits comes out whole: all but the
  first three and the last two digits become ``*``, as the ``format.personal-data`` finding
  shows them;
* a file name that is not UTF-8 (Python hands it over with "surrogate escapes") and control
  characters come out as the escapes ``\\xff`` and ``\\x1b``, so no JSON, CSV, XML or terminal
  output can be broken or steered by them.

A number counts when no digit touches it; letters may (``电话13812345678``, ``Tel13812345678``),
except that a run of lowercase hex digits is a git commit hash and is left alone (``zhibu audit``
prints hashes, and a witness file must stay usable). The functions are idempotent (a
masked text masks to itself), so a string may safely pass through more than one writer.
"""

from __future__ import annotations

import re

_EDGE_BEFORE = r"(?<![0-9])"
_EDGE_AFTER = r"(?![0-9])"
_MONTH_DAY = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"

ID_NUMBER = re.compile(
    _EDGE_BEFORE
    + r"(?:[1-9][0-9]{5}(?:18|19|20)[0-9]{2}"
    + _MONTH_DAY
    + r"[0-9]{3}[0-9Xx]"  # 18 digits since 1999
    + r"|[1-9][0-9]{5}[0-9]{2}"
    + _MONTH_DAY
    + r"[0-9]{3})"  # the first-generation 15 digits
    + _EDGE_AFTER
)
MOBILE = re.compile(_EDGE_BEFORE + r"(?:(?:\+|00)?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}" + _EDGE_AFTER)
LANDLINE = re.compile(
    _EDGE_BEFORE + r"(?:\(0[1-9][0-9]{1,2}\)|（0[1-9][0-9]{1,2}）|0[1-9][0-9]{1,2}-)[ ]?[0-9]{7,8}" + _EDGE_AFTER
)
# Any longer run of digits, too: an output often glues a name to a number ("{name}{year}年"),
# and an ID number inside "1101051988071634172026" is still one. No output of zhibu's own has
# eleven digits in a row (dates, counts, line numbers and amounts are shorter).
LONG_DIGITS = re.compile(_EDGE_BEFORE + r"[0-9]{11,}(?:[Xx][0-9]*)?" + _EDGE_AFTER)
PATTERNS = (("身份证号", ID_NUMBER), ("手机号", MOBILE), ("电话号码", LANDLINE), ("长数字", LONG_DIGITS))

# One cheap scan rules out almost every string: each pattern has a run of four digits.
_FOUR_DIGITS = re.compile(r"[0-9]{4}")
_HASH = re.compile(r"[0-9a-f]{7,64}")
# C0 controls but tab and newline, DEL, C1 controls, and lone surrogates (undecodable bytes).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# The same for a whole output stream, which keeps its own line ends ("\r\n" in CSV).
_UNPRINTABLE_IN_STREAM = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]|\r(?!\n)")


def mask_number(number: str) -> str:
    """``110101199003071234`` → ``110*************34``: the digits but the first three and last two starred."""
    digits = [i for i, ch in enumerate(number) if ch.isdigit() or ch in "Xx"]
    keep = set(digits[:3] + digits[-2:])
    return "".join(ch if i in keep or i not in digits else "*" for i, ch in enumerate(number))


def mask_personal_data(text: str) -> str:
    """``text`` with every ID, mobile and landline number masked (see the module's description)."""
    if not _FOUR_DIGITS.search(text):
        return text
    for _what, pattern in PATTERNS:
        text = pattern.sub(lambda m, source=text: _masked_unless_hash(m, source), text)
    return text


def _masked_unless_hash(match: re.Match, text: str) -> str:
    # The word the match starts in, up to the first character that is not a letter or digit: a
    # match may run on across a space ("…ad1561227 2026-12-02" in a witness line looks like
    # "156 1227 2026"), and it is the word it starts in that may be a hash.
    start = end = match.start()
    while start > 0 and text[start - 1].isascii() and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isascii() and text[end].isalnum():
        end += 1
    token = text[start:end]
    if _HASH.fullmatch(token) and not token.isdigit():
        return match.group()
    return mask_number(match.group())


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """Undecodable bytes and control characters (but tab and newline) as visible escapes."""
    return _UNPRINTABLE.sub(_escape, text) if _UNPRINTABLE.search(text) else text


def clean_stream_text(text: str) -> str:
    """``clean`` for a piece of an output stream: "\\r\\n" line ends stay as they are."""
    text = mask_personal_data(text)
    return _UNPRINTABLE_IN_STREAM.sub(_escape, text) if _UNPRINTABLE_IN_STREAM.search(text) else text


def clean(text: str) -> str:
    """What every output does with a string that came from a branch: masked and printable."""
    return printable(mask_personal_data(text))


def clean_data(value):
    """``clean`` applied to every string (keys too) in nested dicts, lists and tuples; other values kept."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean_data(k): clean_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_data(v) for v in value]
    return value


def is_clean(text: str) -> bool:
    return clean(text) == text


# A spreadsheet program runs a cell that starts with one of these as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """A CSV cell that a spreadsheet would take for a formula, prefixed with ' (as OWASP recommends)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def dumps_clean(value, **options) -> str:
    """JSON of ``value`` with every string cleaned (an undecodable byte becomes the text ``\\xff``,
    which JSON escapes properly, so the output is always valid UTF-8 JSON)."""
    import json

    return json.dumps(clean_data(value), ensure_ascii=False, **options)
