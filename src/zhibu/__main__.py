"""``python -m zhibu``: the same as the ``zhibu`` command."""

from zhibu.cli import main

main()
