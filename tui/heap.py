"""Keep Python's cyclic garbage collector out of the way of key presses.

A full collection walks every tracked object: with the engine, the scenario and
Textual's widgets and render caches loaded that is some 100,000 objects and 70-130 ms
of the UI thread, and CPython starts one whenever enough new objects have survived,
which is often in the middle of a key's repaint. So:

* once the screens are built, collect and then *freeze* what is left (``gc.freeze``:
  those objects move to a generation the collector never walks), so that automatic
  collections only look at what was allocated since (milliseconds);
* when the person has not pressed a key for a while, do the same again (unfreeze,
  full collection, freeze): garbage among the frozen objects is reclaimed there, and
  the work lands where nobody waits for it;
* on exit, unfreeze everything so that a process that runs several apps (the tests)
  gets its memory back.
"""

from __future__ import annotations

import gc
import time

#: A full collection is done only after this long without a key or click...
IDLE_SECONDS = 2.0
#: ...and no more often than this.
MIN_INTERVAL = 30.0


class HeapKeeper:
    def __init__(self) -> None:
        self.frozen = False
        self.last_input = time.monotonic()
        self.last_collect = 0.0
        self.collections = 0

    def input_seen(self) -> None:
        self.last_input = time.monotonic()

    def settle(self) -> None:
        """Collect everything, then freeze the survivors (they live as long as the app)."""
        if self.frozen:
            gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.frozen = True
        self.last_collect = time.monotonic()
        self.collections += 1

    def tick(self) -> None:
        """Called every second: a full collection if the person is idle and it is time."""
        now = time.monotonic()
        if not self.frozen or now - self.last_input < IDLE_SECONDS or now - self.last_collect < MIN_INTERVAL:
            return
        self.settle()

    def release(self) -> None:
        if self.frozen:
            gc.unfreeze()
            self.frozen = False
