"""A broken pack is refused with one message naming the file, the field and the line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assess.errors import AssessError, PackError
from assess.packs import load_pack
from tests.conftest import dump, tiny_pack_data, write_pack

Head = dict[str, Any]
Questions = dict[str, dict[str, Any]]


def _unknown_key(h: Head, q: Questions) -> None:
    q["alpha"]["questions"][1]["colour"] = "red"


def _choice_without_level(h: Head, q: Questions) -> None:
    del q["alpha"]["questions"][1]["choices"][2]["level"]


def _level_out_of_range(h: Head, q: Questions) -> None:
    q["beta"]["questions"][0]["choices"][4]["level"] = 5


def _levels_not_ordered(h: Head, q: Questions) -> None:
    ch = q["alpha"]["questions"][0]["choices"]
    ch[1]["level"], ch[2]["level"] = 2, 1


def _duplicate_question_id(h: Head, q: Questions) -> None:
    q["beta"]["questions"][1]["id"] = "beta.one"


def _duplicate_choice_id(h: Head, q: Questions) -> None:
    q["alpha"]["questions"][0]["choices"][3]["id"] = "a0"


def _duplicate_area_id(h: Head, q: Questions) -> None:
    h["areas"][1]["id"] = "alpha"


def _question_in_wrong_area(h: Head, q: Questions) -> None:
    q["beta"]["questions"][0]["id"] = "alpha.stray"


def _unknown_area_file(h: Head, q: Questions) -> None:
    q["beta"]["area"] = "gamma"


def _missing_plan(h: Head, q: Questions) -> None:
    del q["alpha"]["questions"][2]["choices"][0]["plan"]


def _ladder_gap(h: Head, q: Questions) -> None:
    del h["ladder"][2]


def _choice_field_without_options(h: Head, q: Questions) -> None:
    h["context"].append({"id": "industry", "prompt": "Industry", "type": "choice"})


def _roles_and_modules(h: Head, q: Questions) -> None:
    """The tiny pack with roles, owners that are role ids and one module (valid as it is)."""
    h["roles"] = [{"id": "lead", "title": "ML lead"}, {"id": "dpo", "title": "DPO"}]
    for area in h["areas"]:
        area["owner"] = "lead"
    h["modules"] = [
        {
            "id": "deep",
            "title": "Deep dive",
            "when": [{"question": "alpha.one", "min_level": 2}],
        }
    ]
    q["beta"]["questions"][1]["module"] = "deep"
    q["beta"]["questions"][1]["owner"] = "dpo"


def _owner_not_a_role(h: Head, q: Questions) -> None:
    _roles_and_modules(h, q)
    q["alpha"]["questions"][0]["owner"] = "Head of data"


def _area_owner_not_a_role(h: Head, q: Questions) -> None:
    _roles_and_modules(h, q)
    h["areas"][1]["owner"] = "leads"


def _duplicate_role(h: Head, q: Questions) -> None:
    _roles_and_modules(h, q)
    h["roles"][1]["id"] = "lead"


def _unknown_module(h: Head, q: Questions) -> None:
    _roles_and_modules(h, q)
    q["alpha"]["questions"][1]["module"] = "dep"


def _module_without_questions(h: Head, q: Questions) -> None:
    _roles_and_modules(h, q)
    h["modules"].insert(0, {"id": "empty", "title": "Empty"})


def _module_two_conditions(h: Head, q: Questions) -> None:
    _roles_and_modules(h, q)
    h["modules"][0]["when"][0]["context"] = "clouds"


def _module_unknown_context(h: Head, q: Questions) -> None:
    _roles_and_modules(h, q)
    h["modules"][0]["when"] = [{"context": "cloud", "values": ["aws"]}]


def _module_unknown_value(h: Head, q: Questions) -> None:
    _roles_and_modules(h, q)
    h["modules"][0]["when"] = [{"context": "clouds", "values": ["azure"]}]


def _module_screened_by_itself(h: Head, q: Questions) -> None:
    _roles_and_modules(h, q)
    h["modules"][0]["when"] = [{"question": "beta.two", "min_level": 1}]


def _module_second_condition_bad(h: Head, q: Questions) -> None:
    _roles_and_modules(h, q)
    h["modules"][0]["when"] = [
        {"question": "alpha.one", "min_level": 2},
        {"context": "clouds", "values": ["gpc"]},
    ]


def _module_unknown_screening_question(h: Head, q: Questions) -> None:
    _roles_and_modules(h, q)
    h["modules"][0]["when"] = [{"question": "alpha.once", "min_level": 1}]


def _unknown_tool_kind(h: Head, q: Questions) -> None:
    q["alpha"]["questions"][1]["choices"][2]["plan"] = "Run the steps in {tools:orchestrator}."


def _brace_not_a_reference(h: Head, q: Questions) -> None:
    q["beta"]["questions"][0]["choices"][1]["plan"] = "Run the steps in {tool:orchestrator}."


def _reference_outside_a_plan(h: Head, q: Questions) -> None:
    q["alpha"]["questions"][0]["choices"][3]["text"] = "Runs in {tools:orchestrator}."


def _stage_share_too_low(h: Head, q: Questions) -> None:
    h["scoring"] = {"stage_share": 0.4}  # a stage must describe more than half of an area


def _consequence_unknown_field(h: Head, q: Questions) -> None:
    q["beta"]["questions"][1]["consequence"] = "Until it is done, {company} cannot show it."


def _consequence_field_with_format(h: Head, q: Questions) -> None:
    q["alpha"]["questions"][0]["consequence"] = "Until it is done, {client!r} cannot show it."


def _consequence_unclosed_brace(h: Head, q: Questions) -> None:
    q["alpha"]["questions"][2]["consequence"] = "Until it is done, {client cannot show it."


def _high_risk_unknown_field(h: Head, q: Questions) -> None:
    h["risks"] = {"high_risk_when": [{"cloud": ["aws"]}]}


def _hosting(**extra: Any) -> dict[str, Any]:
    """A choice field asked after ``clouds``."""
    options = [{"id": "own", "label": "Own servers"}, {"id": "cloud", "label": "A cloud"}]
    return {"id": "hosting", "prompt": "Where?", "type": "choice", "options": options, **extra}


def _asked_when_a_later_field(h: Head, q: Questions) -> None:
    h["context"].insert(2, _hosting(asked_when=[{"clouds": ["aws"]}], otherwise="own"))


def _asked_when_unknown_value(h: Head, q: Questions) -> None:
    h["context"].append(_hosting(asked_when=[{"clouds": ["azure"]}], otherwise="own"))


def _otherwise_not_an_answer(h: Head, q: Questions) -> None:
    h["context"].append(_hosting(asked_when=[{"clouds": ["aws"]}], otherwise="rented"))


def _asked_when_without_otherwise(h: Head, q: Questions) -> None:
    h["context"].append(_hosting(asked_when=[{"clouds": ["aws"]}]))


def _high_risk_unknown_value(h: Head, q: Questions) -> None:
    h["risks"] = {"high_risk_when": [{"clouds": ["azure"]}]}


def _risks_per_area_zero(h: Head, q: Questions) -> None:
    h["risks"] = {"per_area": 0}


CASES: list[tuple[Callable[[Head, Questions], None], str, str, str]] = [
    # mutation, file, field, words in the message
    (_unknown_key, "alpha.yaml", "questions[1].colour", "unknown key"),
    (_choice_without_level, "alpha.yaml", "questions[1].choices[2].level", "required"),
    (_level_out_of_range, "beta.yaml", "questions[0].choices[4].level", "less than or equal to 4"),
    (_levels_not_ordered, "alpha.yaml", "questions[0].choices", "increase strictly"),
    (_duplicate_question_id, "beta.yaml", "questions[1].id", "duplicate question id 'beta.one'"),
    (_duplicate_choice_id, "alpha.yaml", "questions[0].choices", "duplicate choice id 'a0'"),
    (_duplicate_area_id, "pack.yaml", "areas[1].id", "duplicate id 'alpha'"),
    (_question_in_wrong_area, "beta.yaml", "questions[0].id", "must start with its file's area"),
    (_unknown_area_file, "beta.yaml", "area", "unknown area 'gamma'"),
    (_missing_plan, "alpha.yaml", "questions[2].choices[0].plan", "required"),
    (_ladder_gap, "pack.yaml", "ladder", "levels 0 to 4"),
    (_choice_field_without_options, "pack.yaml", "context[3]", "needs options"),
    (
        _owner_not_a_role,
        "alpha.yaml",
        "questions[0].owner",
        "'Head of data' is not one of the roles",
    ),
    (_area_owner_not_a_role, "pack.yaml", "areas[1].owner", "did you mean 'lead'?"),
    (_duplicate_role, "pack.yaml", "roles[1].id", "duplicate id 'lead'"),
    (_unknown_module, "alpha.yaml", "questions[1].module", "'dep' is not one of the modules"),
    (_module_without_questions, "pack.yaml", "modules[0].id", "module 'empty' has no questions"),
    (_module_unknown_context, "pack.yaml", "modules[0].when[0].context", "did you mean 'clouds'?"),
    (_module_unknown_value, "pack.yaml", "modules[0].when[0].values", "no option 'azure'"),
    (_module_screened_by_itself, "pack.yaml", "modules[0].when[0].question", "asked before"),
    (
        _module_second_condition_bad,
        "pack.yaml",
        "modules[0].when[1].values",
        "'clouds' has no option 'gpc' (options: aws, gcp)",
    ),
    (
        _module_unknown_screening_question,
        "pack.yaml",
        "modules[0].when[0].question",
        "no question 'alpha.once'",
    ),
    (_stage_share_too_low, "pack.yaml", "scoring.stage_share", "greater than 0.5"),
    (
        _consequence_unknown_field,
        "beta.yaml",
        "questions[1].consequence",
        "unknown field {company} in the consequence (fields: {client})",
    ),
    (_consequence_field_with_format, "alpha.yaml", "questions[0].consequence", "{client}"),
    (_consequence_unclosed_brace, "alpha.yaml", "questions[2].consequence", "bad braces"),
    (
        _asked_when_a_later_field,
        "pack.yaml",
        "context[2].asked_when",
        "no context field asked before it 'clouds'",
    ),
    (_asked_when_unknown_value, "pack.yaml", "context[3].asked_when", "has no value 'azure'"),
    (
        _otherwise_not_an_answer,
        "pack.yaml",
        "context[3].otherwise",
        "'rented' is not one of its answers (own, cloud)",
    ),
    (_asked_when_without_otherwise, "pack.yaml", "context[3]", "'otherwise' go together"),
    (_high_risk_unknown_field, "pack.yaml", "risks.high_risk_when", "did you mean 'clouds'?"),
    (_high_risk_unknown_value, "pack.yaml", "risks.high_risk_when", "has no value 'azure'"),
    (_risks_per_area_zero, "pack.yaml", "risks.per_area", "greater than 0"),
    (
        _unknown_tool_kind,
        "alpha.yaml",
        "questions[1].choices[2].plan",
        "{tools:orchestrator}: no kind of tool 'orchestrator' in tools.yaml (tools.yaml kinds: "
        "none)",
    ),
    (
        _reference_outside_a_plan,
        "alpha.yaml",
        "questions[0].choices[3].text",
        "a catalog reference works in plan texts only",
    ),
    (
        _brace_not_a_reference,
        "beta.yaml",
        "questions[0].choices[1].plan",
        "a brace that is not a catalog reference {tools:<kind>}",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "file", "field", "words"), CASES, ids=lambda c: getattr(c, "__name__", None)
)
def test_broken_pack_names_file_field_and_line(
    tmp_path: Path, mutate: Callable[[Head, Questions], None], file: str, field: str, words: str
) -> None:
    head, questions = tiny_pack_data()
    mutate(head, questions)
    folder = write_pack(tmp_path / "p", head, questions)
    with pytest.raises(PackError) as info:
        load_pack(folder)
    err = info.value
    assert err.file is not None and Path(err.file).name == file
    assert err.field == field
    assert words in str(err)
    assert err.line is not None and err.line >= 1
    text = (Path(err.file)).read_text().splitlines()
    # the line points at the offending field (or its enclosing item)
    last_key = field.rsplit(".", 1)[-1].split("[")[0]
    assert last_key in text[err.line - 1] or "- " in text[err.line - 1]


def test_roles_and_modules_load(tmp_path: Path) -> None:
    head, questions = tiny_pack_data()
    _roles_and_modules(head, questions)
    pack = load_pack(write_pack(tmp_path / "p", head, questions))
    two = pack.question("beta.two")
    assert two is not None and two.module == "deep"
    assert pack.role_title(pack.owner_of(two)) == "DPO"
    one = pack.question("alpha.one")
    assert one is not None and one.module is None
    assert pack.role_title(pack.owner_of(one)) == "ML lead"
    deep = pack.module("deep")
    assert deep is not None and [c.min_level for c in deep.when] == [2]


def test_module_runs_on_any_of_several_conditions(tmp_path: Path) -> None:
    head, questions = tiny_pack_data()
    _roles_and_modules(head, questions)
    head["modules"][0]["when"] = [
        {"question": "alpha.one", "min_level": 2},
        {"context": "clouds", "values": ["gcp"]},
    ]
    head["modules"].append({"id": "chosen", "title": "Only when chosen"})
    questions["beta"]["questions"][0]["module"] = "chosen"
    pack = load_pack(write_pack(tmp_path / "p", head, questions))
    deep, chosen = pack.modules
    assert [(c.question, c.context) for c in deep.when] == [("alpha.one", None), (None, "clouds")]
    assert chosen.when == ()


def test_pack_without_roles_keeps_free_text_owners(tiny_pack: Path) -> None:
    pack = load_pack(tiny_pack)
    assert pack.roles == () and pack.modules == ()
    one = pack.question("alpha.one")
    assert one is not None and pack.role_title(pack.owner_of(one)) == "ML lead"


def test_module_condition_of_two_forms(tmp_path: Path) -> None:
    head, questions = tiny_pack_data()
    _module_two_conditions(head, questions)
    folder = write_pack(tmp_path / "p", head, questions)
    with pytest.raises(PackError, match="exactly one of 'context' with 'values'") as info:
        load_pack(folder)
    err = info.value
    assert err.file is not None and Path(err.file).name == "pack.yaml"
    assert err.field == "modules[0].when[0]" and err.line is not None
    lines = Path(err.file).read_text().splitlines()
    # the line is the condition's first line, an item of the module's 'when' list
    assert lines[err.line - 1].strip().startswith("- question:")
    assert lines[err.line - 2].strip() == "when:"


def test_broken_module_fails_the_cli_in_one_line(tmp_path: Path) -> None:
    from tests.conftest import run_assess
    from tests.test_cli import assert_clean_failure

    head, questions = tiny_pack_data()
    _unknown_module(head, questions)
    folder = write_pack(tmp_path / "p", head, questions)
    proc = run_assess("validate", "--pack", folder)
    assert_clean_failure(
        proc, "alpha.yaml:", "questions[1].module", "'dep' is not one of the modules"
    )


def test_bad_consequence_field_fails_the_cli_in_one_line(tmp_path: Path) -> None:
    from tests.conftest import run_assess
    from tests.test_cli import assert_clean_failure

    head, questions = tiny_pack_data()
    _consequence_unknown_field(head, questions)
    folder = write_pack(tmp_path / "p", head, questions)
    proc = run_assess("validate", "--pack", folder)
    assert_clean_failure(proc, "beta.yaml:", "questions[1].consequence", "unknown field {company}")


@pytest.mark.parametrize(
    ("basis", "words"),
    [
        ("[CL-99]", "no control 'CL-99' in compliance/controls.yaml"),
        ("[CL-04]", "control 'CL-04' does not list compliance.erasure_propagation"),
    ],
)
def test_legal_basis_names_a_control_of_the_question(
    bundled_pack_copy: Path, basis: str, words: str
) -> None:
    path = bundled_pack_copy / "questions" / "compliance.yaml"
    text = path.read_text()
    assert text.count("legal_basis: [CL-05]") == 1
    path.write_text(text.replace("legal_basis: [CL-05]", f"legal_basis: {basis}"))
    with pytest.raises(PackError) as info:
        load_pack(bundled_pack_copy)
    err = info.value
    assert err.file is not None and Path(err.file).name == "compliance.yaml"
    assert err.field is not None and err.field.endswith(".legal_basis[0]")
    assert words in str(err)
    assert err.line is not None and "legal_basis" in text.splitlines()[err.line - 1]


def test_malformed_yaml_names_line(tiny_pack: Path) -> None:
    path = tiny_pack / "questions" / "beta.yaml"
    lines = path.read_text().splitlines()
    lines[3] = lines[3] + ": : ["
    path.write_text("\n".join(lines))
    with pytest.raises(AssessError) as info:
        load_pack(tiny_pack)
    assert "beta.yaml:" in str(info.value) and "malformed YAML" in str(info.value)


def test_duplicate_yaml_key_is_an_error(tiny_pack: Path) -> None:
    path = tiny_pack / "pack.yaml"
    path.write_text(path.read_text() + "title: Again\n")
    with pytest.raises(AssessError, match=r"pack\.yaml:\d+: title: duplicate key 'title'"):
        load_pack(tiny_pack)


def test_unknown_pack_reference(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="no such pack"):
        load_pack("no-such-pack")
    (tmp_path / "empty").mkdir()
    with pytest.raises(PackError, match=r"no pack\.yaml"):
        load_pack(tmp_path / "empty")


# --------------------------------------------------------------------------- kinds of tool

TINY_TOOLS: dict[str, Any] = {
    "tools": [
        {
            "id": "runner",
            "name": "Runner (the pipeline runner)",
            "vendor": "Tests",
            "licence": "open_source",
            "clouds": ["aws", "gcp"],
            "expertise": "medium",
            "capabilities": {"alpha": "Run the alpha steps with Runner."},
            "last_reviewed": "2026-12-01",
        }
    ],
    "kinds": [{"id": "orchestrator", "name": "orchestrator", "area": "alpha", "tools": ["runner"]}],
}


def _tiny_pack_with_kinds(folder: Path, kind: dict[str, Any] | None = None) -> Path:
    """The tiny pack with a one-tool catalog, one kind (or ``kind`` added as a second) and a
    plan that refers to the kind."""
    head, questions = tiny_pack_data()
    questions["alpha"]["questions"][0]["choices"][1]["plan"] = (
        "Run the steps in {tools:orchestrator}."
    )
    write_pack(folder, head, questions)
    tools = {**TINY_TOOLS, "kinds": [*TINY_TOOLS["kinds"], *([kind] if kind else [])]}
    dump(folder / "tools.yaml", tools)
    return folder


def test_a_plan_refers_to_a_kind_of_the_catalog(tmp_path: Path) -> None:
    pack = load_pack(_tiny_pack_with_kinds(tmp_path / "p"))
    kind = pack.tool_kind("orchestrator")
    assert kind is not None and kind.tools == ("runner",) and kind.indefinite == "an orchestrator"


@pytest.mark.parametrize(
    ("kind", "field", "words"),
    [
        (
            {"id": "orchestrator", "name": "runner", "area": "alpha", "tools": ["runner"]},
            "kinds[1].id",
            "duplicate kind id 'orchestrator'",
        ),
        (
            {"id": "tracker", "name": "tracker", "area": "alpah", "tools": ["runner"]},
            "kinds[1].area",
            "unknown area 'alpah'; did you mean 'alpha'?",
        ),
        (
            {"id": "tracker", "name": "tracker", "area": "alpha", "tools": ["runer"]},
            "kinds[1].tools",
            "no tool 'runer' in the catalog; did you mean 'runner'?",
        ),
    ],
    ids=["duplicate", "area", "tool"],
)
def test_a_broken_kind_of_tool_names_file_field_and_line(
    tmp_path: Path, kind: dict[str, Any], field: str, words: str
) -> None:
    folder = _tiny_pack_with_kinds(tmp_path / "p", kind)
    with pytest.raises(PackError) as info:
        load_pack(folder)
    err = info.value
    assert err.file is not None and Path(err.file).name == "tools.yaml"
    assert err.field == field and words in str(err)
    assert err.line is not None
    line = Path(err.file).read_text().splitlines()[err.line - 1]
    assert field.rsplit(".", 1)[-1] in line or line.strip().startswith("- ")  # key or its list


def test_an_unknown_catalog_reference_fails_the_cli_in_one_line(tmp_path: Path) -> None:
    from tests.conftest import run_assess
    from tests.test_cli import assert_clean_failure

    folder = _tiny_pack_with_kinds(tmp_path / "p")
    path = folder / "questions" / "alpha.yaml"
    path.write_text(path.read_text().replace("{tools:orchestrator}", "{tools:orchestrater}"))
    proc = run_assess("validate", "--pack", folder)
    assert_clean_failure(
        proc,
        "alpha.yaml:",
        "questions[0].choices[1].plan",
        "no kind of tool 'orchestrater' in tools.yaml; did you mean 'orchestrator'?",
    )
