"""Timers and percentiles. Times are in milliseconds unless a name says otherwise.

Percentiles as the benchmarks have always taken them: p50 the median, p90 the last of
``statistics.quantiles(n=10)``, p99 (and ``percentile``) the nearest rank."""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable

Step = Callable[[int], object] | tuple[Callable[[int], object], Callable[[int], object]]


def elapsed_ms(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def timings(fn: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds of ``runs`` calls."""
    return [elapsed_ms(fn) for _ in range(runs)]


def interleaved(runs: int, steps: dict[str, Step]) -> dict[str, list[float]]:
    """Milliseconds of each step over ``runs`` rounds, the steps taking turns within each
    round, so that drift in the machine's load (it is shared) hits them alike. A step is
    called with the round's number (to vary its input alike for every step of a round);
    a pair (prepare, step) first runs ``prepare`` untimed."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    for i in range(runs):
        for name, step in steps.items():
            prepare, fn = step if isinstance(step, tuple) else (None, step)
            if prepare:
                prepare(i)
            started = time.perf_counter()
            fn(i)
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the value ``share`` of the way through the sorted values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def p50(values: list[float]) -> float:
    return statistics.median(values)


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def p99(values: list[float]) -> float:
    return percentile(values, 0.99)


def summary(times: list[float]) -> str:
    return f"p50 {p50(times):8.2f} ms   p90 {p90(times):8.2f} ms"


def stages_print(stages: dict[str, list[float]], labels: tuple[tuple[str, str], ...], *, width: int = 48) -> None:
    """Milliseconds from the start to each stage (``labels``: (name, label) in order), p50
    and p99, and the step from the stage before by its p50."""
    print("where the time goes (publish → stage, ms; the step from the stage before by its p50):", flush=True)
    before = 0.0
    for name, label in labels:
        values = stages.get(name) or []
        if not values:
            print(f"  {label:{width}} (not measured)")
            continue
        median = p50(values)
        print(f"  {label:{width}} p50 {median:7.0f}   p99 {p99(values):7.0f}   (+{median - before:.0f})")
        before = median
