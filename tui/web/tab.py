"""What one browser tab runs: ``wedge join`` or ``wedge watch``, under textual-serve.

``python -m tui.web.tab seat URL`` and ``python -m tui.web.tab watch URL``
open the same UI as ``wedge join URL --token T`` and ``wedge watch URL``, with three
differences that matter to a web server:

* the seat token arrives in the ``WEDGE_TOKEN`` environment variable, not on the
  command line, where every local user could read it (``ps``, ``/proc/PID/cmdline``);
* ``wedge join`` refuses to start without a terminal, but here the Textual web driver
  (``TEXTUAL_DRIVER``, set by textual-serve) draws into the browser instead, so only
  that variable is required;
* when the game server refuses the tab (a wrong token, an unknown game, no answer),
  ``wedge join`` shows an error screen in the terminal ("Press q to quit"); here the
  process exits before its UI starts, with an exit code that says which refusal it was
  (:attr:`tui.web.refusals.Refusal.exit_code`) and the reason on stderr, and the web
  server sends the browser to an HTML page that explains it.
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
    from tui.remote import RemoteSession
    from tui.web.app import BrowserApp
    from tui.web.refusals import REFUSALS, refusal_kind

    try:
        session = RemoteSession(url, token if kind == "seat" else None)
    except WedgeError as exc:
        print(f"wedge: {exc}", file=sys.stderr)
        return REFUSALS[refusal_kind(exc)].exit_code or 1
    try:
        app = BrowserApp(session)
        app.run()
    except WedgeError as exc:
        print(f"wedge: {exc}", file=sys.stderr)
        return 1
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
