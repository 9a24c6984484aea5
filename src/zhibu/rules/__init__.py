"""Rules of the standard: kinds of rule (code) that the packs instantiate (data).

Importing a module below registers its kinds in :data:`registry.KINDS`.
"""


def load_kinds() -> None:
    """Register every built-in rule kind (idempotent: modules import once)."""
    from . import audit, frequency, meetings, members, org, plans, records  # noqa: F401
