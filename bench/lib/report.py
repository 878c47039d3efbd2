"""Printing, and the lines every benchmark ends with: each figure against its baseline,
measured in the same run, as a ratio (and against its target, if it has one)::

    => uncached z14 tile: 48.0 ms vs bare ST_AsMVT SQL 28.8 ms = 1.66× (target ≤ 1.2×: NOT met)

bench/run_all.py collects the lines starting with "=>" into its summary."""
from __future__ import annotations

MARK = "=>"


def say(text: str = "") -> None:
    print(text, flush=True)


class Results:
    """The figures of a run; ``print()`` them last."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def ratio(self, what: str, figure: float, baseline: float, *, unit: str, against: str,
              target: float | None = None, higher_is_better: bool = False, digits: int = 1,
              note: str = "") -> float:
        """``figure`` / ``baseline``; ``target`` bounds that ratio (from above, or from below
        when ``higher_is_better``). Returns the ratio."""
        ratio = figure / baseline if baseline else float("inf")
        line = (f"{what}: {figure:,.{digits}f} {unit} vs {against} {baseline:,.{digits}f} {unit} "
                f"= {ratio:.2f}×")
        if target is not None:
            met = ratio >= target if higher_is_better else ratio <= target
            line += f" (target {'≥' if higher_is_better else '≤'} {target:g}×: {'met' if met else 'NOT met'})"
        self.lines.append(line + (f"; {note}" if note else ""))
        return ratio

    def figure(self, what: str, figure: float, *, unit: str, target: float | None = None,
               higher_is_better: bool = False, digits: int = 1, note: str = "") -> None:
        """A figure with no baseline (``note`` says why), against its target if it has one."""
        line = f"{what}: {figure:,.{digits}f} {unit}"
        if target is not None:
            met = figure >= target if higher_is_better else figure <= target
            line += (f" (target {'≥' if higher_is_better else '≤'} {target:,g} {unit}: "
                     f"{'met' if met else 'NOT met'})")
        self.lines.append(line + (f"; {note}" if note else ""))

    def print(self) -> None:
        if not self.lines:
            return
        say("\nresults (each figure and its baseline measured in this run):")
        for line in self.lines:
            say(f"{MARK} {line}")
