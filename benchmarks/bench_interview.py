"""Click through the default pack's core interview in a pseudo-terminal and time it.

The engagement starts with the whole context filled in (the interview goes straight to the
questions) and the module questions already answered by respondent A, so what A is asked is the
core interview, whichever modules the context selects. A answers the whole core, then respondent
B answers ten questions; then the report is rendered. Prints the total, the latency from the last
key of an answer to the next question's menu (the autosave included), and the same latency for a
bare questionary loop that renders a menu of the same size without the engine or a save: the
ratio is our overhead per question. The pack's own estimate of the core's length for a person
(2 minutes a question plus reading aloud) is printed for scale.

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

from assess.model.pack import Pack
from assess.packs import estimated_minutes, load_pack

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
    """Answer ``count`` questions with ``key`` (or all, until the closing count); return the
    next-question latencies."""
    latencies: list[float] = []
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


CONTEXT = {
    "client_name": "Benchmark Ltd",
    "industry": "other",
    "team_size": "s",
    "models_in_production": 3,
    "business_goal": "scale",
    "targets": {},
    "clouds": ["aws"],
    "tools": ["mlflow"],
    "expertise": "managed",
    "jurisdictions": ["eu"],
    "decisions_about_people": False,
    "ai_act_role": "not_high_risk",
}


def engagement(pack: Pack) -> dict[str, object]:
    """The whole context and every module question answered by A: A's interview is the core."""
    missing = {f.id for f in pack.context} - set(CONTEXT)
    assert not missing, f"the benchmark's context lacks {sorted(missing)}"
    answers = {
        q.id: {"choice": q.choices[1].id, "respondent": "A"}
        for q in pack.questions
        if q.module is not None
    }
    return {
        "pack": {"id": pack.id, "version": pack.version},
        "context": CONTEXT,
        "answers": answers,
    }


def main() -> None:
    pack = load_pack("mlops")
    core = [q for q in pack.questions if q.module is None]
    with tempfile.TemporaryDirectory() as tmp:
        eng = Path(tmp) / "engagement.yaml"
        eng.write_text(yaml.safe_dump(engagement(pack), sort_keys=False))
        prefilled = len(pack.questions) - len(core)
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
        lat = drive(a, len(core) + 1, "2")
        a.expect(pexpect.EOF)
        core_answers = len(lat)
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
        answered = (
            sum(
                len(v) if isinstance(v, list) else 1
                for v in yaml.safe_load(eng.read_text())["answers"].values()
            )
            - prefilled
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
        f"core interview of pack {pack.id} {pack.version}: {len(core)} questions "
        f"(a person: about {estimated_minutes(core):.0f} min at 2 min a question plus reading)"
    )
    print(
        f"respondent A answered {core_answers} questions, B {len(lat) - core_answers}: "
        f"{answered} answers in {total:.1f} s of key presses by a script"
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
