"""Click through a full default interview in a pseudo-terminal and time it.

Answers every question of the default pack (two respondents: one answers all, one ten), then
renders the report. Prints the total, the latency from the last key of an answer to the next
question's menu (save included), and the same latency for a bare questionary loop that renders
the same menu without the engine or a save: the ratio is our overhead per question.

    .venv/bin/python benchmarks/bench_interview.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pexpect
import yaml

ENTER = "\r"
# No cursor-position requests: pexpect is not a terminal that answers them (prompt_toolkit
# would wait a second for each reply that a real terminal sends at once).
ENV = {**os.environ, "TERM": "xterm", "COLUMNS": "120", "LINES": "40", "PROMPT_TOOLKIT_NO_CPR": "1"}

BARE = textwrap.dedent(
    """
    import questionary
    from questionary import Choice, Separator
    nav = [("Don't know", "d"), ("Not applicable", "n"), ("Show help", "h"), ("Skip", "s"),
           ("Back", "b"), ("Jump", "j"), ("Save and quit", "q")]
    for i in range({n}):
        print(f"Area, question {{i}}", flush=True)
        choices = [Choice("x" * 100, str(k), shortcut_key=str(k)) for k in range(5)]
        choices += [Separator()] + [Choice(t, t, shortcut_key=k) for t, k in nav]
        questionary.select("Answer", choices=choices, use_shortcuts=True,
                           use_jk_keys=False).unsafe_ask()
        questionary.text("Note (optional, Enter to skip):").unsafe_ask()
    """
)


def drive(child: pexpect.spawn, count: int, key: str) -> list[float]:
    """Answer ``count`` questions with ``key``; return next-question latencies."""
    latencies = []
    child.expect_exact("Save and quit")
    for _ in range(count):
        child.send(key + ENTER)
        child.expect_exact("Note (optional")
        t0 = time.perf_counter()
        child.send(ENTER)
        i = child.expect_exact(["Save and quit", "questions answered"])
        latencies.append(time.perf_counter() - t0)
        if i == 1:
            break
    return latencies


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        eng = Path(tmp) / "engagement.yaml"
        eng.write_text(
            yaml.safe_dump(
                {
                    "pack": {"id": "mlops", "version": "1.1.0"},
                    "context": {
                        "client_name": "Benchmark Ltd",
                        "targets": {},
                        **{k: [] for k in ("clouds", "tools", "jurisdictions")},
                        "industry": "other",
                        "team_size": "s",
                        "models_in_production": 3,
                        "business_goal": "scale",
                        "expertise": "managed",
                        "decisions_about_people": False,
                    },
                }
            )
        )
        args = ["-m", "assess", "interview", str(eng)]
        t_start = time.perf_counter()
        a = pexpect.spawn(
            sys.executable,
            [*args, "--respondent", "A"],
            env=ENV,
            encoding="utf-8",
            timeout=60,
            dimensions=(40, 120),
        )
        lat = drive(a, 200, "2")
        a.expect(pexpect.EOF)
        b = pexpect.spawn(
            sys.executable,
            [*args, "--respondent", "B"],
            env=ENV,
            encoding="utf-8",
            timeout=60,
            dimensions=(40, 120),
        )
        lat += drive(b, 10, "1")
        b.send("q" + ENTER)
        b.expect(pexpect.EOF)
        total = time.perf_counter() - t_start
        answered = sum(
            len(v) if isinstance(v, list) else 1
            for v in yaml.safe_load(eng.read_text())["answers"].values()
        )
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "assess", "report", str(eng), "-o", str(Path(tmp) / "r.pdf")],
            check=True,
            capture_output=True,
        )
        report = time.perf_counter() - t0

        script = Path(tmp) / "bare.py"
        script.write_text(BARE.format(n=30))
        bare = pexpect.spawn(
            sys.executable,
            [str(script)],
            env=ENV,
            encoding="utf-8",
            timeout=60,
            dimensions=(40, 120),
        )
        base = drive(bare, 29, "2")
        bare.close()

    ours, theirs = statistics.median(lat), statistics.median(base)
    p95 = sorted(lat)[int(len(lat) * 0.95) - 1]
    print(
        f"full default interview: {answered} answers (2 respondents) in {total:.1f} s "
        f"of key presses by a script"
    )
    print(
        f"next question after an answer (save included): median {ours * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms"
    )
    print(f"bare questionary menu, same size, no engine or save: median {theirs * 1000:.0f} ms")
    print(f"ratio {ours / theirs:.2f}x")
    print(f"assess report on the interviewed engagement: {report:.1f} s")


if __name__ == "__main__":
    main()
