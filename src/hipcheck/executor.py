"""One batch executor for the whole project: a pure function per item, run in-process or on a process pool.

Callers write `fn(item) -> result` as a module-level function (so it pickles under the spawn start
method) and read `(item, result, error)` back as each item finishes. A Dask client can be swapped in
later by writing another class with the same `map` signature.
"""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

ProgressCallback = Callable[[int, int], None]  # (items done, items total)


@dataclass
class ItemResult(Generic[T]):
    """One item's outcome: `value` when `fn` returned, `error` (one line) when it raised."""
    item: T
    value: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _run_one(fn: Callable[[T], Any], item: T) -> ItemResult[T]:
    try:
        return ItemResult(item, fn(item))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a broken item must never stop the batch
        return ItemResult(item, error=_describe(exc))


def default_workers() -> int:
    """Worker processes to use: the CPUs this process may run on, or HIPCHECK_WORKERS when set."""
    env = os.environ.get("HIPCHECK_WORKERS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class BatchExecutor:
    """Map a pure function over items, yielding each `ItemResult` as soon as it is ready.

    Parameters: `workers` processes (1 runs in-process, which is also what small batches get),
    `min_items_for_pool` below which starting processes costs more than it saves, and
    `max_in_flight_per_worker` to bound memory when the item list is long.
    """

    def __init__(self, workers: int | None = None, min_items_for_pool: int = 8,
                 max_in_flight_per_worker: int = 4, start_method: str = "spawn"):
        self.workers = workers if workers is not None else default_workers()
        self.min_items_for_pool = min_items_for_pool
        self.max_in_flight_per_worker = max_in_flight_per_worker
        self.start_method = start_method
        self.used_processes_: int = 0

    def map(self, fn: Callable[[T], Any], items: Iterable[T],
            progress: ProgressCallback | None = None) -> Iterator[ItemResult[T]]:
        todo = list(items)
        total = len(todo)
        if progress:
            progress(0, total)
        if self.workers <= 1 or total < self.min_items_for_pool:
            self.used_processes_ = 0
            for done, item in enumerate(todo, 1):
                result = _run_one(fn, item)
                if progress:
                    progress(done, total)
                yield result
            return
        yield from self._map_pool(fn, todo, progress)

    def _map_pool(self, fn, todo: list, progress) -> Iterator[ItemResult]:
        n_workers = min(self.workers, len(todo))
        self.used_processes_ = n_workers
        counter = {"done": 0, "total": len(todo)}
        crashed: list = []
        yield from self._run_pool(fn, iter(todo), n_workers, progress, counter, crashed)
        # A worker that dies (a native decoder aborting) takes every item in flight with it. Retry
        # those one by one in a fresh process each, so only the item that kills its worker fails.
        for item in crashed:
            again: list = []
            results = list(self._run_pool(fn, iter([item]), 1, None, {"done": 0, "total": 1}, again))
            result = results[0] if results else ItemResult(
                item, error="the worker process crashed while handling this item")
            counter["done"] += 1
            if progress:
                progress(counter["done"], counter["total"])
            yield result

    def _run_pool(self, fn, queue: Iterator, n_workers: int, progress, counter: dict,
                  crashed: list) -> Iterator[ItemResult]:
        ctx = multiprocessing.get_context(self.start_method)
        limit = n_workers * self.max_in_flight_per_worker
        pending: dict[Future, Any] = {}
        with ProcessPoolExecutor(max_workers=n_workers, mp_context=ctx) as pool:
            try:
                broken = not self._fill(pool, fn, queue, pending, limit)
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        item = pending.pop(fut)
                        try:
                            result = fut.result()
                        except BrokenProcessPool:
                            crashed.append(item)
                            broken = True
                            continue
                        counter["done"] += 1
                        if progress:
                            progress(counter["done"], counter["total"])
                        yield result
                    if not broken:
                        broken = not self._fill(pool, fn, queue, pending, limit)
            finally:
                for fut in pending:
                    fut.cancel()
        if broken:  # carry on with the rest of the queue in a fresh pool
            rest = list(queue)
            if rest:
                yield from self._run_pool(fn, iter(rest), n_workers, progress, counter, crashed)

    @staticmethod
    def _fill(pool, fn, queue: Iterator, pending: dict, limit: int) -> bool:
        """Top up the in-flight futures; False when the pool is broken."""
        while len(pending) < limit:
            item = next(queue, _END)
            if item is _END:
                return True
            try:
                pending[pool.submit(_run_one, fn, item)] = item
            except BrokenProcessPool:
                pending[_failed_future()] = item
                return False
        return True


_END = object()


def _failed_future() -> Future:
    fut: Future = Future()
    fut.set_exception(BrokenProcessPool("pool broken before submission"))
    return fut
