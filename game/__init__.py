"""Wedge's engine. Importing the package switches the hot-path modules to their
compiled build when one of the current sources exists (see :mod:`game.accel`)."""

from game import accel as _accel

_accel.install()
