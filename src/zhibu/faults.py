"""Pause points for the kill tests (tests/test_kill.py); no-ops in every normal run.

With ``ZHIBU_TEST_PAUSE_AT=<point>`` in the environment, a writer that reaches that
point prints ``zhibu-paused:<point>`` on standard error and sleeps, so that a test can
``kill -9`` it exactly there. The points, in the order a change passes them:

- ``journal``: the record of the change is stored, no branch file is written yet;
- ``written-1``: the first file is written (of several, when the change has several);
- ``written``: every file is written, nothing is staged;
- ``staged``: ``git add`` has run, ``git commit`` has not;
- ``committed``: the commit is made, the record of the change is not yet removed.
"""

from __future__ import annotations

import os
import sys
import time

VARIABLE = "ZHIBU_TEST_PAUSE_AT"


def pause(point: str) -> None:
    if os.environ.get(VARIABLE) != point:
        return
    sys.stderr.write(f"zhibu-paused:{point}\n")
    sys.stderr.flush()
    time.sleep(600)  # the test kills us long before
