"""How much the scan shortens the interview: the default pack on the sample client, driven in a
pseudo-terminal with and without ``--evidence``.

The sample project (``samples/build-repo.sh``) is scanned into an evidence file; the interview
starts from the sample engagement's context with no answers. A scripted interviewer answers every
question, in two scenarios:

- accept: where the scan suggests a level it accepts it (Enter); elsewhere it gives the sample
  engagement's recorded answer (its level digit, or d / n).
- client: the sample engagement's answers are what the client says; the suggestion is accepted
  only where it agrees with them, else overridden with the client's answer.

Each run prints the questions asked, the keystrokes sent (a key, Enter, an arrow: one each; no
note is typed) and the questions that needed discussion: no suggestion, or a suggestion
overridden. The same script without ``--evidence`` is the baseline; the ratios compare them.

    .venv/bin/python benchmarks/bench_interview_evidence.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pexpect
import yaml
from bench_interview import ENTER, ENV  # benchmarks/ is on the path when run as a script

from assess.engagement import load_engagement
from assess.evidence import load_evidence
from assess.interview.engine import next_question, prune, set_answer, suggested_choice
from assess.model.engagement import Answer, AnswerStatus, Engagement
from assess.model.evidence import Finding
from assess.model.pack import Pack, Question
from assess.packs import load_pack
from assess.reconcile import suggest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "engagement.yaml"


@dataclass
class Run:
    questions: int = 0
    keys: int = 0
    one_key: int = 0  # confirmed with Enter alone
    confirmed: int = 0  # confirmed, then the note prompt (findings differ)
    overridden: int = 0
    no_suggestion: int = 0
    seconds: float = 0.0

    @property
    def discussed(self) -> int:
        return self.no_suggestion + self.overridden


def client_answer(q: Question, sample: Engagement) -> Answer:
    """The sample engagement's (first respondent's) answer to ``q``, without respondent."""
    a = sample.answers[q.id][0]
    return Answer(status=a.status, choice=a.choice, reason=a.reason or q.not_applicable)


def keys_for(q: Question, a: Answer) -> list[str]:
    """The keystrokes that give answer ``a`` from the menu (note prompt left empty)."""
    if a.status is AnswerStatus.dont_know:
        return ["d", ENTER, ENTER]
    if a.status is AnswerStatus.not_applicable:
        return ["n", ENTER, ENTER, ENTER]  # the pack's reason is the default
    c = q.choice(a.choice or "")
    assert c is not None
    return [str(c.level), ENTER, ENTER]


def interview(
    eng: Path,
    pack: Pack,
    sample: Engagement,
    findings: list[Finding],
    evidence: Path | None,
    scenario: str,
) -> Run:
    start = load_engagement(eng, pack, complete=False).engagement
    args = ["-m", "assess", "interview", str(eng)]
    if evidence:
        args += ["--evidence", str(evidence)]
    run, state, t0 = Run(), start, time.perf_counter()
    child = pexpect.spawn(
        sys.executable, args, env=ENV, encoding="utf-8", timeout=60, dimensions=(40, 120)
    )
    child.expect_exact("Save and quit")
    while (q := next_question(pack, state, None)) is not None:
        first = " ".join(q.text.split()[:4])
        assert first in " ".join(child.before.split()), f"expected {q.id} on screen"
        run.questions += 1
        hint = suggest(q, pack.rules, findings) if evidence else None
        choice = suggested_choice(q, hint.level) if hint else None
        wanted = client_answer(q, sample)
        accept = choice is not None and (scenario == "accept" or wanted.choice == choice.id)
        if accept and hint and choice:
            wanted = Answer(choice=choice.id)
            keys = [ENTER] if hint.unambiguous else [ENTER, ENTER]
            run.one_key += hint.unambiguous
            run.confirmed += not hint.unambiguous
        else:
            keys = keys_for(q, wanted)
            run.overridden += choice is not None
            run.no_suggestion += choice is None
        for k in keys:
            child.send(k)
            run.keys += 1
        state = prune(pack, set_answer(state, q.id, wanted))[0]
        child.expect_exact(["Save and quit", "questions answered"])
    child.expect(pexpect.EOF)
    run.seconds = time.perf_counter() - t0
    saved = load_engagement(eng, pack, complete=False).engagement
    assert {k: [a.choice for a in v] for k, v in saved.answers.items()} == {
        k: [a.choice for a in v] for k, v in state.answers.items()
    }, "the file holds other answers than the script gave"
    from_scan = sum(1 for v in saved.answers.values() for a in v if a.from_evidence)
    assert from_scan == run.one_key + run.confirmed, (from_scan, run)
    return run


def main() -> None:
    pack = load_pack(None)
    sample = load_engagement(SAMPLE, pack).engagement
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "lakeside-churn"
        evidence = Path(tmp) / "evidence.json"
        subprocess.run(["bash", str(ROOT / "samples" / "build-repo.sh"), str(repo)], check=True,
                       capture_output=True)  # fmt: skip
        subprocess.run(
            [sys.executable, "-m", "assess", "scan", str(repo), "--format", "json", "-o",
             str(evidence)],
            check=True, capture_output=True,
        )  # fmt: skip
        ev = load_evidence(evidence, pack)
        findings = [f for r in ev.repos for fs in r.areas.values() for f in fs]
        print(
            f"{sample.context['client_name']}: pack {pack.id} {pack.version}, "
            f"{len(pack.questions)} questions; sample repository scanned: {len(findings)} findings"
        )

        def fresh(name: str) -> Path:
            eng = Path(tmp) / f"{name}.yaml"
            data = {"pack": sample.pack.model_dump(mode="json"), "context": sample.context}
            eng.write_text(yaml.safe_dump(data))
            return eng

        # without evidence both scenarios are the same script: the client's answers
        base = interview(fresh("baseline"), pack, sample, findings, None, "client")
        print(
            f"  without --evidence: {base.questions} questions, {base.keys} keystrokes, "
            f"{base.discussed} needed discussion; {base.seconds:.1f} s"
        )
        for scenario, title in (
            ("accept", "every suggestion accepted, the client's recorded answer elsewhere"),
            ("client", "the client's recorded answers, a suggestion accepted where it agrees"),
        ):
            r = interview(fresh(scenario), pack, sample, findings, evidence, scenario)
            print(
                f"  with --evidence, {title}:\n"
                f"    {r.questions} questions, {r.keys} keystrokes, {r.discussed} needed "
                f"discussion ({r.no_suggestion} without a suggestion, {r.overridden} "
                f"overridden); {r.one_key} confirmed in one key, {r.confirmed} after a look "
                f"at differing findings; {r.seconds:.1f} s\n"
                f"    ratio with/without: keystrokes {r.keys / base.keys:.2f}x, questions "
                f"needing discussion {r.discussed / base.discussed:.2f}x"
            )


if __name__ == "__main__":
    main()
