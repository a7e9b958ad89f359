"""A plain text progress bar for long management commands."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, label: str, total: int, *, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._last_draw = 0.0

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._last_draw >= 0.2 or self.done >= self.total:
            self._last_draw = now
            self._draw()

    def _draw(self) -> None:
        share = min(self.done / self.total, 1.0)
        filled = int(share * 30)
        bar = "█" * filled + "·" * (30 - filled)
        elapsed = time.monotonic() - self.started
        self.stream.write(
            f"\r{self.label:<22} [{bar}] {share:6.1%} {self.done:>10,}/{self.total:,} "
            f"{elapsed:6.1f} s"
        )
        self.stream.flush()

    def close(self) -> None:
        if self._last_draw == 0.0 or self.done < self.total:
            self._draw()
        self.stream.write("\n")
        self.stream.flush()
