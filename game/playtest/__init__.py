"""Batch self-play ("playtests") and paired A/B experiments.

A playtest plays many headless games of one scenario with one seat spec, spread
over worker processes (or a Ray cluster), streams one tidy JSON row per game to
disk, and summarises the batch with confidence intervals and plots. Game ``i``
always gets the seed ``rng.derive(master_seed, "game", i)``, so what a batch
contains never depends on how it was run (worker count, chunking, backend).

Modules are small and named for what they hold: :mod:`.seeds` (per-game seeds and
chunks), :mod:`.seats` (agent specs), :mod:`.rows` (one game -> one row),
:mod:`.worker` (what runs in a worker), :mod:`.backends` (local processes / Ray),
:mod:`.store` (the output directory), :mod:`.stats`, :mod:`.summary`, :mod:`.plots`,
:mod:`.progress` (the live bar), :mod:`.runner` (orchestration, Ctrl-C),
:mod:`.overlay`, :mod:`.doctrine` and :mod:`.experiment` (A/B comparisons),
:mod:`.replay`, :mod:`.errors` and :mod:`.commands` (CLI glue). See docs/playtests.md.
"""
