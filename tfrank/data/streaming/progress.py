"""Progress of a pass over files: percent, rows, rows/s and ETA on stderr."""

from __future__ import annotations

import sys
import time


class Progress:
    """Reports a pass over `total` bytes: a line that updates in place on a
    terminal, or a line every `interval` seconds in a log.

    Example:

    >>> progress = Progress("prepare", total=1000, verbose=0)
    >>> progress.update(500, rows=20)
    >>> progress.line().split(",")[0]
    'prepare: 50.0% of 1.0 kB'
    """

    def __init__(self, what: str, total: int, verbose: int = 1, interval: float = 10.0):
        self.what, self.total, self.verbose = what, max(int(total), 1), verbose
        self.tty = sys.stderr.isatty()
        self.interval = 0.5 if self.tty else interval
        self.start = self.shown = time.perf_counter()
        self.done, self.rows = 0, 0

    def update(self, done: int, rows: int) -> None:
        self.done, self.rows = done, rows
        now = time.perf_counter()
        if self.verbose and now - self.shown >= self.interval:
            self.shown = now
            end = "\r" if self.tty else "\n"
            print(self.line(), end=end, file=sys.stderr, flush=True)

    def line(self) -> str:
        seconds = max(time.perf_counter() - self.start, 1e-9)
        fraction = min(self.done / self.total, 1.0)
        rate = self.rows / seconds
        eta = seconds * (1 - fraction) / fraction if fraction > 0 else float("nan")
        return (
            f"{self.what}: {100 * fraction:.1f}% of {_size(self.total)}, {self.rows:,} rows, "
            f"{rate:,.0f} rows/s, ETA {_duration(eta)}"
        )

    def close(self) -> float:
        """Prints the final line; returns the seconds the pass took."""
        seconds = time.perf_counter() - self.start
        if self.verbose:
            print(
                f"{self.what}: {self.rows:,} rows in {seconds:.1f} s "
                f"({self.rows / max(seconds, 1e-9):,.0f} rows/s)" + " " * 20,
                file=sys.stderr,
                flush=True,
            )
        return seconds


def _size(count: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return ""


def _duration(seconds: float) -> str:
    if seconds != seconds:
        return "?"
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}m{seconds:02d}s"
