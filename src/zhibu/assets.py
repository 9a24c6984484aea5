"""Files that ship with zhibu but live at the top of the checkout: the sample branch, templates.

In a wheel they are the data-only packages ``zhibu.sample_branch`` and
``zhibu.templates`` (see pyproject.toml). In a source checkout or an editable
install, whose import finder does not map data-only packages, they are read
from the checkout itself.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]


def folder(package: str, checkout_name: str):
    """A Traversable for the shipped folder (a Path in a checkout)."""
    try:
        return resources.files(package)
    except ModuleNotFoundError:
        return CHECKOUT / checkout_name


def sample_branch():
    return folder("zhibu.sample_branch", "sample-branch")


def templates():
    return folder("zhibu.templates", "templates")
