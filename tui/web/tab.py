"""What one browser tab runs: ``wedge join`` or ``wedge watch``, under textual-serve.

``python -m tui.web.tab seat URL`` and ``python -m tui.web.tab watch URL``
open the same UI as ``wedge join URL --token T`` and ``wedge watch URL``, with two
differences that matter to a web server:

* the seat token arrives in the ``WEDGE_TOKEN`` environment variable, not on the
  command line, where every local user could read it (``ps``, ``/proc/PID/cmdline``);
* ``wedge join`` refuses to start without a terminal, but here the Textual web driver
  (``TEXTUAL_DRIVER``, set by textual-serve) draws into the browser instead, so only
  that variable is required.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from game.errors import WedgeError

TOKEN_ENV = "WEDGE_TOKEN"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2 or args[0] not in ("seat", "watch"):
        print("usage: python -m tui.web.tab seat|watch SERVER_URL", file=sys.stderr)
        return 2
    if not os.environ.get("TEXTUAL_DRIVER"):
        print("wedge: this runs one browser tab of `wedge web`; in a terminal use wedge join/watch", file=sys.stderr)
        return 2
    kind, url = args
    token = os.environ.pop(TOKEN_ENV, "")
    if kind == "seat" and not token:
        print(f"wedge: no seat token ({TOKEN_ENV} is empty)", file=sys.stderr)
        return 2
    from tui.remote import run_join, run_watch

    try:
        return int(run_join(url, token) if kind == "seat" else run_watch(url))
    except WedgeError as exc:
        print(f"wedge: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
