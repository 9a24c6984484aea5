"""Every printed document keeps to the GB/T 9704-2012 page: A4, and no character outside the type area.

§5.2.1 and §5.2.2: A4 (210 × 297 mm); 天头 37 mm ± 1 mm, 订口 28 mm ± 1 mm, a type area of
156 mm × 225 mm. Measured in LibreOffice's PDF with ``pdftotext -bbox``: each word's box, on
every page, lies inside the type area (the page number sits below it, §7.5, and is measured by
tests/test_pdf.py). A punctuation mark hung into the right margin, a table wider than the type
area, or a header pushed into the 天头 fails here.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from conftest import SAMPLE
from test_pdf import POPPLER, real_client

from zhibu.render.pdf import convert_to_pdf

MM = 72 / 25.4
LEFT, RIGHT = 28 * MM, (28 + 156) * MM
TOP, BOTTOM = 37 * MM, (37 + 225) * MM
SLACK = 0.5 * MM  # poppler's glyph boxes are font boxes, a hair wider than the ink

# Every `zhibu doc` document of the sample branch (the check-up report included).
DOCUMENTS = {
    "plan": ["doc", "plan", "--year", "2025"],
    "signin": ["doc", "signin", "2025-03-20"],
    "minutes": ["doc", "minutes", "2025-03-20"],
    "ledger": ["doc", "ledger", "--year", "2025"],
    "checkup": ["doc", "checkup", "--year", "2025", "--as-of", "2025-12-31"],
}


def words(pdf) -> list[tuple[int, float, float, float, float, str]]:
    """(page, xMin, yMin, xMax, yMax, word) of every word poppler finds, in points."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    out = []
    for number, page in enumerate(html.split("<page ")[1:], 1):
        for box in re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page):
            out.append((number, *map(float, box[:4]), box[4]))
    return out


@pytest.fixture(scope="module")
def sample_pdfs(tmp_path_factory):
    from click.testing import CliRunner

    from zhibu.cli import cli

    base = tmp_path_factory.mktemp("margins")
    root = base / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    docx = []
    for kind, args in DOCUMENTS.items():
        target = base / f"{kind}.docx"
        result = CliRunner().invoke(cli, [*args, "-o", str(target), "-C", str(root)])
        assert result.exit_code == 0, (kind, result.stderr)
        docx.append(target)
    return dict(zip(DOCUMENTS, convert_to_pdf(docx, base)))


@real_client
@pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed")
@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_every_character_lies_inside_the_type_area(sample_pdfs, kind):
    pdf = sample_pdfs[kind]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts", info), info  # A4
    found = words(pdf)
    body = [w for w in found if w[2] < BOTTOM + 3 * MM]  # the page number line starts 7 mm below the type area
    assert len(body) > 20, kind
    outside = [
        (page, round(x0 / MM, 1), round(y0 / MM, 1), round(x1 / MM, 1), round(y1 / MM, 1), word)
        for page, x0, y0, x1, y1, word in body
        if x0 < LEFT - SLACK or x1 > RIGHT + SLACK or y0 < TOP - SLACK or y1 > BOTTOM + SLACK
    ]
    assert outside == [], f"{kind}: words outside the type area (page, mm from the left/top edges)"
    # The type area is where the text is: it starts at the 订口 (a measuring slip would pass anything).
    assert min(w[1] for w in body) < LEFT + 2 * MM
