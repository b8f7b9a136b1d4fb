"""Modules and roles (issue 15.2): which questions an engagement runs, who is asked what, and
how answers combine by owner role. A test pack built here: the tiny pack with two roles, a
module the context selects and one only ``--module`` runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from assess.conditions import modules_run
from assess.engagement import LoadedEngagement
from assess.interview.engine import applicable_questions, next_question, progress
from assess.model.engagement import Answer, Engagement, PackRef, RespondentInfo
from assess.packs import load_pack
from assess.pipeline import assess
from tests.conftest import dump, run_assess, tiny_pack_data, write_pack
from tests.test_cli import assert_clean_failure
from tests.test_interview_tty import ENTER, answers, exit_status, menu, pick, spawn


def _q(qid: str, prefix: str, **extra: Any) -> dict[str, Any]:
    choices = [
        {"id": f"{prefix}{n}", "level": n, "text": f"{prefix} level {n}", "plan": f"go {n + 1}"}
        for n in range(5)
    ]
    return {"id": qid, "text": f"{qid}?", "choices": choices, **extra}


def module_pack_data() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    head, questions = tiny_pack_data()
    head["roles"] = [
        {"id": "ml_lead", "title": "ML lead"},
        {"id": "dpo", "title": "Data protection officer"},
        {"id": "cfo", "title": "Finance lead"},  # owns nothing
    ]
    for area in head["areas"]:
        area["owner"] = "ml_lead"
    head["modules"] = [
        {
            "id": "privacy",
            "title": "Privacy and security",
            "when": [{"context": "clouds", "values": ["gcp"]}],
        },
        {"id": "deep", "title": "Deep dive"},  # only with --module
    ]
    alpha, beta = questions["alpha"]["questions"], questions["beta"]["questions"]
    alpha[2]["owner"] = "dpo"  # alpha.three: a core question the DPO owns
    alpha.append(_q("alpha.p1", "p", module="privacy", owner="dpo"))
    beta.append(_q("beta.p2", "q", module="privacy", owner="dpo"))
    beta.append(_q("beta.d1", "r", module="deep"))
    return head, questions


@pytest.fixture
def module_pack(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "mods", *module_pack_data())


def engagement(tmp_path: Path, **fields: Any) -> Path:
    data = {
        "pack": {"id": "tiny", "version": "1.0", "path": "mods"},
        "context": {"client_name": "Acme", "targets": {}, "clouds": ["aws"]},
        **fields,
    }
    return dump(tmp_path / "eng.yaml", data)


def eng_of(**fields: Any) -> Engagement:
    base: dict[str, Any] = {"pack": PackRef(id="tiny", version="1.0")}
    return Engagement.model_validate({**base, **fields})


# --------------------------------------------------------------------------- scope (pure)


def test_modules_run_by_context_choice_answers_or_screening(module_pack: Path) -> None:
    pack = load_pack(module_pack)
    assert modules_run(pack, eng_of(context={"clouds": ["aws"]})) == {}
    assert modules_run(pack, eng_of(context={"clouds": ["aws", "gcp"]})) == {
        "privacy": "Clouds: GCP"
    }
    assert modules_run(pack, eng_of(modules=["deep"])) == {"deep": "chosen for this engagement"}
    answered = eng_of(answers={"beta.d1": {"choice": "r2"}})
    assert modules_run(pack, answered) == {"deep": "1 of its questions answered"}


def test_screening_question_runs_a_module(tmp_path: Path) -> None:
    head, questions = module_pack_data()
    head["modules"][1]["when"] = [{"question": "alpha.one", "min_level": 3}]
    pack = load_pack(write_pack(tmp_path / "p", head, questions))
    assert "deep" not in modules_run(pack, eng_of(answers={"alpha.one": {"choice": "a2"}}))
    ran = modules_run(pack, eng_of(answers={"alpha.one": {"choice": "a3"}}))
    assert ran == {"deep": "alpha.one answered at level 3"}


def test_core_first_then_modules_and_by_role(module_pack: Path) -> None:
    pack = load_pack(module_pack)
    eng = eng_of(context={"clouds": ["gcp"]}, modules=["deep"])
    ids = [q.id for q in applicable_questions(pack, eng)]
    assert ids == [
        "alpha.one",
        "alpha.two",
        "alpha.three",
        "beta.one",
        "beta.two",
        "alpha.p1",
        "beta.p2",
        "beta.d1",
    ]
    dpo = [q.id for q in applicable_questions(pack, eng, role="dpo")]
    assert dpo == ["alpha.three", "alpha.p1", "beta.p2"]
    assert progress(pack, eng, "Dana", role="dpo") == (0, 3)
    first = next_question(pack, eng, "Dana", role="dpo")
    assert first is not None and first.id == "alpha.three"


# --------------------------------------------------------------------------- scoring


def score(pack_dir: Path, eng: Engagement, tmp_path: Path) -> Any:
    pack = load_pack(pack_dir)
    return assess(pack, LoadedEngagement(eng, tmp_path / "e.yaml", "0" * 64))


def test_a_module_not_run_is_out_of_coverage_not_unanswered(
    module_pack: Path, tmp_path: Path
) -> None:
    answers_ = {q: {"choice": f"{p}2"} for q, p in [("alpha.one", "a"), ("alpha.two", "b")]}
    eng = eng_of(context={"client_name": "A", "clouds": ["aws"]}, answers=answers_)
    result = score(module_pack, eng, tmp_path)
    status = {q.id: q.status for q in result.questions}
    assert status["alpha.p1"] == status["beta.p2"] == status["beta.d1"] == "not_in_scope"
    alpha = next(a for a in result.areas if a.id == "alpha")
    # three core questions in scope, two answered; the privacy question counts nowhere
    assert (alpha.questions, alpha.answered, alpha.unanswered, alpha.not_in_scope) == (3, 2, 1, 1)
    assert alpha.coverage == round(2 / 3, 3)
    assert "2 of 3 answered" in alpha.confidence.reason
    scopes = {m.id: (m.run, m.reason, m.questions) for m in result.modules}
    assert scopes == {
        "privacy": (False, "its conditions do not hold", 2),
        "deep": (False, "only when chosen (--module)", 1),
    }
    # the same engagement with the module run: its questions count as unanswered
    ran = score(module_pack, eng.model_copy(update={"modules": ["deep", "privacy"]}), tmp_path)
    beta = next(a for a in ran.areas if a.id == "beta")
    assert (beta.questions, beta.unanswered, beta.not_in_scope) == (4, 4, 0)


def test_answers_of_the_owning_role_are_combined(module_pack: Path, tmp_path: Path) -> None:
    both = [
        Answer(choice="c3", respondent="Dana"),  # the DPO, who owns alpha.three
        Answer(choice="c1", respondent="Sam"),  # the ML lead
    ]
    roles = {"Dana": RespondentInfo(role="dpo"), "Sam": RespondentInfo(role="ml_lead")}
    eng = eng_of(context={"client_name": "A"}, answers={"alpha.three": both}, respondents=roles)
    q = next(q for q in score(module_pack, eng, tmp_path).questions if q.id == "alpha.three")
    assert q.level == 3.0  # lowest rule, but only the owner's answer is combined
    assert [(x.respondent, x.role, x.counted) for x in q.answers] == [
        ("Dana", "Data protection officer", True),
        ("Sam", "ML lead", False),
    ]
    # the owner does not know: every answer counts again
    dont = [Answer(status="dont_know", respondent="Dana"), both[1]]
    eng = eng.model_copy(update={"answers": {"alpha.three": dont}})
    q = next(q for q in score(module_pack, eng, tmp_path).questions if q.id == "alpha.three")
    assert q.level == 1.0 and all(x.counted for x in q.answers)


def test_outputs_say_not_in_scope(module_pack: Path, tmp_path: Path) -> None:
    eng = engagement(tmp_path, answers={"alpha.one": {"choice": "a2"}})
    table = run_assess("score", eng)
    assert table.returncode == 0, table.stderr
    assert "Module Privacy and security: not run, its 2 questions not in scope" in table.stdout
    data = json.loads(run_assess("score", eng, "--format", "json").stdout)
    assert {q["id"]: q["status"] for q in data["questions"]}["beta.d1"] == "not_in_scope"
    csv = run_assess("score", eng, "--format", "csv").stdout.splitlines()
    assert "not_in_scope" in csv[0].split(",")
    md = tmp_path / "r.md"
    assert run_assess("report", eng, "-o", md).returncode == 0
    text = md.read_text()
    assert "Module Deep dive: not run (only when chosen (--module)); its 1 questions" in text
    assert "| alpha.p1 |" not in text  # not listed as unanswered
    assert "| alpha.two | Not answered |" in text


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--module", "privcy"], ("--module", "unknown module 'privcy'", "did you mean 'privacy'")),
        (
            ["--respondent", "D", "--role", "dop"],
            ("--role", "unknown role 'dop'", "roles: ml_lead, dpo"),
        ),
        (["--respondent", "D", "--role", "cfo"], ("--role", "no question", "'cfo'")),
        (["--role", "dpo"], ("--role", "needs --respondent")),
    ],
)
def test_bad_module_or_role(
    module_pack: Path, tmp_path: Path, args: list[str], words: tuple[str, ...]
) -> None:
    eng = engagement(tmp_path)
    before = eng.read_text()
    assert_clean_failure(run_assess("interview", eng, "--respondents", *args), *words)
    assert eng.read_text() == before


def test_role_in_a_pack_without_roles(tiny_pack: Path, tmp_path: Path) -> None:
    eng = dump(tmp_path / "e.yaml", {"pack": {"id": "tiny", "version": "1.0", "path": "tiny"}})
    proc = run_assess("interview", eng, "--respondents", "--respondent", "D", "--role", "dpo")
    assert_clean_failure(proc, "--role", "defines no roles")


def test_engagement_naming_an_unknown_module_or_role(module_pack: Path, tmp_path: Path) -> None:
    eng = engagement(tmp_path, modules=["privacy", "depe"])
    assert_clean_failure(run_assess("score", eng), "eng.yaml:", "modules[1]", "'depe'", "'deep'")
    eng = engagement(tmp_path, respondents={"Dana": {"role": "dop"}})
    assert_clean_failure(run_assess("score", eng), "respondents.Dana.role", "no role 'dop'")


# --------------------------------------------------------------------------- the interview


def test_role_asks_only_its_questions_and_is_recorded(module_pack: Path, tmp_path: Path) -> None:
    eng = engagement(tmp_path, modules=["privacy"])
    child = spawn(module_pack, eng, "--respondent", "Dana", "--role", "dpo")
    child.expect(r"Asking\s+the\s+questions\s+Data\s+protection\s+officer\s+owns\.")  # wrapped
    menu(child, "Alpha, question 1 of 1  ·  0/3 answered overall")  # alpha.three: core, DPO's
    pick(child, "2")
    menu(child, "Privacy and security module: Alpha, question 1 of 1")
    pick(child, "1")
    menu(child, "Privacy and security module: Beta, question 1 of 1")
    pick(child, "3")
    child.expect_exact("3 of 3 questions answered (3 now)")
    assert exit_status(child) == 0
    data = yaml.safe_load(eng.read_text())
    assert data["respondents"] == {"Dana": {"role": "dpo"}}
    assert set(data["answers"]) == {"alpha.three", "alpha.p1", "beta.p2"}
    listing = run_assess("interview", eng, "--respondents")
    assert "Dana (as Data protection officer): 3 answers" in listing.stdout
    # a later sitting of the same respondent keeps to the recorded role
    child = spawn(module_pack, eng, "--respondent", "Dana")
    child.expect(r"Asking\s+the\s+questions\s+Data\s+protection\s+officer\s+owns\.")  # wrapped
    child.expect_exact("3 of 3 questions answered (0 now)")
    assert exit_status(child) == 0


def test_module_option_runs_it_after_the_core_and_records_it(
    module_pack: Path, tmp_path: Path
) -> None:
    eng = engagement(
        tmp_path,
        answers={
            q: {"choice": f"{p}1"}
            for q, p in [("alpha.one", "a"), ("alpha.two", "b"), ("alpha.three", "c")]
        },
    )
    child = spawn(module_pack, eng, "--module", "deep", "--area", "beta")
    child.expect_exact("Modules: deep (chosen for this engagement); not run: privacy")
    menu(child, "Beta, question 1 of 2")
    pick(child, "1")
    menu(child, "Beta, question 2 of 2")
    pick(child, "2")
    menu(child, "Deep dive module: Beta, question 1 of 1")
    child.send("q" + ENTER)
    assert exit_status(child) == 0
    data = yaml.safe_load(eng.read_text())
    assert data["modules"] == ["deep"]
    assert "beta.d1" not in answers(eng)


def test_two_writers_keep_each_others_modules_and_roles() -> None:
    from assess.interview.session import merge

    base = eng_of(modules=["deep"], respondents={"Sam": {"role": "ml_lead"}})
    mine = base.model_copy(
        update={
            "modules": ["deep", "privacy"],
            "respondents": {**base.respondents, "Dana": RespondentInfo(role="dpo")},
        }
    )
    disk = base.model_copy(
        update={"modules": [], "respondents": {"Sam": RespondentInfo(role="dpo")}}
    )
    merged = merge(base, mine, disk)
    assert merged.modules == ["privacy"]  # the other writer dropped deep; this one added privacy
    assert merged.respondents == {
        "Sam": RespondentInfo(role="dpo"),
        "Dana": RespondentInfo(role="dpo"),
    }
