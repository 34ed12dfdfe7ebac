"""`wedge balance`: a playtest-based balance report for any scenario.

A scenario's ``balance:`` section (:mod:`game.scenario.balance`) declares what to play
and what must hold. The report plays only the batches its targets need, each an
ordinary resumable playtest directory, and judges every target PASS or FAIL.

Modules: :mod:`.plan` (which batches to play, from the section and the options),
:mod:`.games` (a batch's games as plain records), :mod:`.figures` (per-game figures
that need a replay: legal chances, plays, offers, what each card changed),
:mod:`.checks` (one function per check kind), :mod:`.info` (the informational tables),
:mod:`.report` (terminal, JSON and HTML) and :mod:`.command` (the CLI command).
See docs/playtests.md.
"""
