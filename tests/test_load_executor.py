"""The batch executor: in-process and process-pool runs give the same results, one bad item never stops
the batch, progress is reported, and a worker that dies only fails its own item."""
from __future__ import annotations

import os

from hipcheck.executor import BatchExecutor


def square(x: int) -> int:
    if x == 3:
        raise ValueError("three is not allowed")
    return x * x


def die_on_five(x: int) -> int:
    if x == 5:
        os._exit(1)  # a native crash takes the worker process down
    return x


def test_inline_and_pool_agree_and_errors_stay_per_item():
    seen = []
    inline = {r.item: (r.value, r.error) for r in BatchExecutor(workers=1).map(square, range(10))}
    pool = BatchExecutor(workers=2, min_items_for_pool=1)
    results = pool.map(square, range(10), lambda done, total: seen.append((done, total)))
    pooled = {r.item: (r.value, r.error) for r in results}
    assert inline == pooled and pool.used_processes_ == 2
    assert inline[3] == (None, "ValueError: three is not allowed") and inline[9] == (81, None)
    assert seen[0] == (0, 10) and seen[-1] == (10, 10) and len(seen) == 11


def test_a_crashing_worker_fails_only_its_item():
    results = {r.item: r for r in BatchExecutor(workers=2, min_items_for_pool=1).map(die_on_five, range(8))}
    assert sorted(results) == list(range(8))
    assert not results[5].ok and "crashed" in results[5].error
    assert all(results[i].ok and results[i].value == i for i in range(8) if i != 5)
