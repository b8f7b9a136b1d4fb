"""Every shipped rule's regex on long adversarial lines: is its time linear in the line length?

For each content rule (its ``also`` regexes too) and CI-step rule, lines are built by repeating
pieces of the pattern's own words (``sha256(``, ``salt_``, ``data ``...) to 8,000 and to 32,000
characters; the worst of them is timed at both lengths. A linear pattern takes about 4 times as
long on the 4 times longer line, a quadratic one about 16 times. The baseline is a plain keyword
search on the same lines, measured in the same run, so the figures compare across machines.

    .venv/bin/python benchmarks/bench_rule_regex.py
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from assess.packs import load_pack

PACK = Path(__file__).resolve().parent.parent / "questionnaires" / "mlops"
SHORT, LONG = 8_000, 32_000


def pieces(pattern: str) -> list[str]:
    words = sorted(set(re.findall(r"[A-Za-z_][A-Za-z0-9_]{2,}", pattern)))[:40]
    extra = ["a", " ", "(", "=", '"', "-", "#", "\t"]
    return [u for w in [*words, *extra] for u in (w, w + "(", w + " ", w + "_", w + ".")]


def worst(rx: re.Pattern[str], units: list[str], n: int) -> tuple[float, str]:
    slowest, which = 0.0, ""
    for unit in units:
        line = (unit * (n // len(unit) + 1))[:n]
        start = time.perf_counter()
        rx.search(line)
        took = time.perf_counter() - start
        if took > slowest:
            slowest, which = took, unit
    return slowest, which


def main() -> None:
    pack = load_pack(PACK)
    rows = []
    base = re.compile(r"^[^#\n]*?\bnever_there\b", re.MULTILINE)
    for rule in pack.rules:
        m = rule.match
        patterns = m.content.patterns if m.content else (m.ci_step.pattern,) if m.ci_step else ()
        for i, pattern in enumerate(patterns):
            rx = re.compile(pattern, re.MULTILINE)
            units = pieces(pattern)
            short, unit = worst(rx, units, SHORT)
            long, _ = worst(rx, [unit], LONG)
            b_long, _ = worst(base, [unit], LONG)
            rows.append((long, short, b_long, rule.id + (f" also[{i - 1}]" if i else ""), unit))
    rows.sort(reverse=True)
    print(f"{len(rows)} rule patterns; worst adversarial line of {LONG:,} characters")
    print(f"{'rule':45} {'ms':>8} {'growth x4':>10} {'vs baseline':>12}  piece")
    for long, short, b_long, rid, unit in rows[:12]:
        growth = long / short if short else 0.0
        print(f"{rid:45} {long * 1e3:8.1f} {growth:10.1f} {long / b_long:12.1f}  {unit!r}")
    worst_growth = max(long / short for long, short, *_ in rows if short)
    print(f"largest growth from {SHORT:,} to {LONG:,} characters: x{worst_growth:.1f} (linear: x4)")


if __name__ == "__main__":
    main()
