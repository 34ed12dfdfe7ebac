"""Where games are played: a local process pool, or Ray (one machine or a cluster).

Both backends take chunks of game indices and hand back finished chunks as they
complete, in whatever order; the runner writes them to disk as they arrive and
decides when to stop. Because a game's content depends only on the master seed and
its index (:mod:`game.playtest.seeds`), the two backends produce identical rows.

* ``local`` — a process pool started with ``forkserver`` (``spawn``
  where that is missing), so workers never inherit the parent's threads or state.
  Each worker compiles the scenario once, in its initializer. ``stop`` terminates
  the workers at once: a chunk in flight is simply played again on resume.
* ``ray`` — the same chunk function as a Ray remote task. Ray is imported only
  when asked for. With ``--address`` the driver joins an existing cluster (started
  with ``ray start --head`` / ``ray start --address=...``, see docs/playtests.md);
  without it a private local instance (``address="local"``, even if a cluster runs
  on this host) is started with ``workers`` CPUs and shut
  down at the end. If Ray is already initialised in this process (tests,
  notebooks) it is used as is and left running.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import queue
import socket
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from game.playtest.errors import PlaytestError
from game.playtest.worker import BatchConfig, init_pool_worker, run_chunk, run_pool_chunk

Finished = list[tuple[int, str]]

BACKENDS = ("local", "ray")


class Backend(Protocol):
    parallelism: int

    def submit(self, chunk: list[int]) -> None: ...

    def poll(self, timeout: float) -> list[Finished]:
        """Chunks finished so far (waiting up to `timeout` s for the first); raises a worker's error."""
        ...

    def stop(self) -> None:
        """Abandon unfinished work as fast as possible."""
        ...

    def close(self) -> None:
        """Normal shutdown after every chunk has been collected."""
        ...


def _context() -> Any:
    methods = mp.get_all_start_methods()
    return mp.get_context("forkserver" if "forkserver" in methods else "spawn")


class LocalBackend:
    """A pool of `workers` processes; finished chunks arrive through a thread-safe queue.

    ``concurrent.futures`` rather than ``multiprocessing.Pool``: a worker that dies
    (or cannot even start, e.g. a script without a ``__main__`` guard) breaks the
    pool with an error instead of being respawned forever.
    """

    def __init__(self, config: BatchConfig, workers: int) -> None:
        self.parallelism = max(1, workers)
        self._done: queue.SimpleQueue[Future[Finished]] = queue.SimpleQueue()
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            self.parallelism, mp_context=_context(), initializer=init_pool_worker, initargs=(config,)
        )

    def submit(self, chunk: list[int]) -> None:
        assert self._pool is not None
        self._pool.submit(run_pool_chunk, chunk).add_done_callback(self._done.put)

    def poll(self, timeout: float) -> list[Finished]:
        out: list[Finished] = []
        try:
            future = self._done.get(timeout=timeout)
            while True:
                if not future.cancelled():
                    try:
                        out.append(future.result())
                    except BrokenProcessPool as exc:
                        raise PlaytestError(f"a worker process died: {exc}") from None
                    except Exception as exc:  # noqa: BLE001 - re-raised as one clear line
                        raise _as_playtest_error(exc) from None
                future = self._done.get_nowait()
        except queue.Empty:
            pass
        return out

    def stop(self) -> None:
        """Stop now: cancel what is queued and terminate the workers mid-game."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        # Take the worker list before shutdown() drops it (or the workers would play
        # out every chunk already queued to them), and the results pipe (see below).
        processes = list((getattr(pool, "_processes", None) or {}).values())
        results = getattr(pool, "_result_queue", None)
        terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
        if callable(terminate):
            terminate()
        else:
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
        for process in processes:
            process.join(5)
        # A worker terminated while sending its results leaves half a message in the
        # pipe, and the pool's manager thread waits for the rest forever, so the
        # interpreter never exits (it joins that thread). Every worker is gone now:
        # closing our own copy of the pipe's write end turns that wait into an
        # end-of-file, which the pool handles as a broken pool and shuts down.
        writer = getattr(results, "_writer", None)
        if writer is not None and not any(process.is_alive() for process in processes):
            with contextlib.suppress(OSError):
                writer.close()

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)


class RayBackend:
    """Chunks as Ray tasks; the batch configuration is put in the object store once."""

    def __init__(self, config: BatchConfig, workers: int, address: str | None) -> None:
        try:
            import ray
        except ImportError:
            raise PlaytestError(
                "the ray backend needs Ray, which is not installed: pip install 'wedge[ray]' (or use --backend local)"
            ) from None
        self._ray = ray
        self._owned = not ray.is_initialized()
        if self._owned:
            if address:
                _probe(address)
            try:
                if address:
                    ray.init(address=address, logging_level=logging.ERROR)
                else:
                    # address="local": a private instance even if a `ray start` cluster runs on this host.
                    ray.init(address="local", num_cpus=max(1, workers), include_dashboard=False,
                             logging_level=logging.ERROR)
            except Exception as exc:  # noqa: BLE001 - ConnectionError, RuntimeError, ValueError...
                hint = ""
                if address and not os.environ.get("RAY_AUTH_MODE"):
                    hint = (" (clusters started with `ray start` use token authentication since Ray 2.52:"
                            " export RAY_AUTH_MODE=token here too)")
                where = f" at {address}" if address else ""
                raise PlaytestError(f"cannot start or reach Ray{where}: {exc}{hint}") from None
        cpus = int(ray.cluster_resources().get("CPU", workers) or workers)
        self.parallelism = max(1, cpus if (address or not self._owned) else workers)
        self._remote = ray.remote(num_cpus=1, max_retries=0)(run_chunk)
        self._config = ray.put(config)
        self._refs: list[Any] = []

    def submit(self, chunk: list[int]) -> None:
        self._refs.append(self._remote.remote(self._config, chunk))

    def poll(self, timeout: float) -> list[Finished]:
        ray = self._ray
        if not self._refs:
            return []
        ready, rest = ray.wait(self._refs, num_returns=1, timeout=timeout)
        if ready and rest:
            more, rest = ray.wait(rest, num_returns=len(rest), timeout=0)
            ready += more
        self._refs = rest
        out: list[Finished] = []
        for ref in ready:
            try:
                out.append(ray.get(ref))
            except ray.exceptions.RayTaskError as exc:
                raise _as_playtest_error(getattr(exc, "cause", None) or exc) from None
            except ray.exceptions.RayError as exc:
                raise PlaytestError(f"a Ray task failed: {exc}") from None
        return out

    def stop(self) -> None:
        for ref in self._refs:
            with contextlib.suppress(Exception):  # already finished or gone: nothing to cancel
                self._ray.cancel(ref, force=True)
        self._refs = []
        self.close()

    def close(self) -> None:
        if self._owned and self._ray.is_initialized():
            self._ray.shutdown()
        self._owned = False


def _probe(address: str, timeout: float = 5.0) -> None:
    """Fail fast on an unreachable HOST:PORT: Ray itself retries for minutes, logging as it goes."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or "://" in address:
        return  # "auto", "ray://..." and the like: let Ray resolve them
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise PlaytestError(
            f"cannot reach a Ray cluster at {address}: {exc.strerror or exc}; "
            "start one with `ray start --head` (see docs/playtests.md) or drop --address"
        ) from None


def _as_playtest_error(exc: BaseException) -> PlaytestError:
    if isinstance(exc, PlaytestError):
        return PlaytestError(str(exc))
    return PlaytestError(f"a worker failed: {type(exc).__name__}: {exc}")


def make_backend(name: str, config: BatchConfig, workers: int, address: str | None = None) -> Backend:
    if name == "local":
        if address:
            raise PlaytestError("--address is only for --backend ray")
        return LocalBackend(config, workers)
    if name == "ray":
        return RayBackend(config, workers, address)
    raise PlaytestError(f"unknown backend {name!r}; backends are: {', '.join(BACKENDS)}")
