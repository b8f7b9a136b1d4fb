"""Integrity of every pack shipped in questionnaires/ (Prowler-style data tests)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assess.gaps import establish_action
from assess.model.pack import ContextType, Pack, ToolStatus
from assess.model.rules import RuleKind
from assess.packs import estimated_minutes, load_pack, read_aloud_words
from assess.resources import available_packs
from assess.toolref import REFERENCE, short_name

PACKS = available_packs()


@pytest.fixture(params=PACKS, scope="module")
def pack(request: pytest.FixtureRequest) -> Pack:
    return load_pack(request.param)


def test_default_pack_is_bundled() -> None:
    assert "mlops" in PACKS


def test_every_area_has_enough_questions(pack: Pack) -> None:
    for area in pack.areas:
        assert len(pack.questions_of(area.id)) >= 6, area.id


def test_question_ids_unique_and_prefixed(pack: Pack) -> None:
    ids = [q.id for q in pack.questions]
    assert len(ids) == len(set(ids))
    area_ids = {a.id for a in pack.areas}
    assert {q.area for q in pack.questions} == area_ids


def test_choices_form_a_ladder_with_plans(pack: Pack) -> None:
    for q in pack.questions:
        levels = [c.level for c in q.choices]
        assert levels[0] == 0, q.id  # every question can record "not done at all"
        assert levels == sorted(set(levels)), q.id
        plans = [c.plan.strip() for c in q.choices]
        assert len(set(plans)) == len(plans), f"{q.id}: a plan repeats"
        for c in q.choices:
            assert c.plan.strip() != c.text.strip(), f"{q.id}.{c.id}: plan repeats the choice"


def test_questions_carry_guidance(pack: Pack) -> None:
    for q in pack.questions:
        assert q.text.rstrip().endswith("?"), q.id
        assert q.help.strip(), f"{q.id}: no help text"
        assert q.evidence, f"{q.id}: no evidence listed"
        if q.not_applicable is not None:
            assert q.not_applicable.strip(), q.id


def test_default_pack_context_and_areas_cover_the_brief() -> None:
    pack = load_pack("mlops")
    fields = {f.id: f for f in pack.context}
    expected = {
        "client_name": ContextType.text,
        "industry": ContextType.choice,
        "team_size": ContextType.choice,
        "targets": ContextType.targets,
        "clouds": ContextType.multi,
        "tools": ContextType.multi,
        "expertise": ContextType.choice,
        "jurisdictions": ContextType.multi,
        "decisions_about_people": ContextType.boolean,
    }
    for fid, ftype in expected.items():
        assert fid in fields and fields[fid].type is ftype, fid
    assert fields["client_name"].required
    assert {o.id for o in fields["clouds"].options} >= {"aws", "azure", "gcp", "on_prem"}
    assert {o.id for o in fields["jurisdictions"].options} >= {"eu", "california", "other"}
    assert [a.id for a in pack.areas] == [
        "data",
        "versioning",
        "training",
        "validation",
        "cicd",
        "monitoring",
        "compliance",
    ]


def test_pack_files_have_no_stray_files(pack: Pack) -> None:
    folder = Path(pack.source)
    for path in folder.rglob("*"):
        if path.is_file():
            assert path.suffix in {".yaml", ".md"}, path


# --------------------------------------------------------------------------- core, modules, owners

CORE_MAX_QUESTIONS = 30
CHOICE_MAX_WORDS = 20
CORE_MAX_MINUTES = 90
ROUTE = "If it has not happened yet, what is in place?"


def _words(text: str) -> int:
    return len(text.split())


def test_core_interview_fits_in_90_minutes() -> None:
    """Two minutes per core question plus its text and choices read aloud at 150 words a
    minute, computed from the pack so the core cannot silently grow past 90 minutes."""
    pack = load_pack("mlops")
    core = [q for q in pack.questions if q.module is None]
    assert 20 <= len(core) <= CORE_MAX_QUESTIONS
    words = sum(_words(q.text) + sum(_words(c.text) for c in q.choices) for q in core)
    assert [read_aloud_words(q) for q in core] == [
        _words(q.text) + sum(_words(c.text) for c in q.choices) for q in core
    ]
    minutes = 2 * len(core) + words / 150
    assert estimated_minutes(core) == pytest.approx(minutes)
    assert minutes <= CORE_MAX_MINUTES, f"{len(core)} questions, {words} words: {minutes:.0f} min"
    # every area keeps core questions, so an interview without modules scores every area
    assert {q.area for q in core} == {a.id for a in pack.areas}


def test_choices_are_short_complete_states(pack: Pack) -> None:
    for q in pack.questions:
        for c in q.choices:
            n = _words(c.text)
            assert n <= CHOICE_MAX_WORDS, f"{q.id}.{c.id}: {n} words"
            # each choice stands on its own: no "As at level 3, plus ..." telling the ideal answer
            assert not re.match(r"(?i)\s*as (?:at )?level", c.text), f"{q.id}.{c.id}"
            assert not re.search(r"(?i)\blevel\s*\d", c.text), f"{q.id}.{c.id} names a level"


def test_no_practice_is_asked_twice(pack: Pack) -> None:
    texts = [q.text.strip().lower() for q in pack.questions]
    assert len(texts) == len(set(texts))
    choices = [c.text.strip().lower() for q in pack.questions for c in q.choices]
    dup = sorted({t for t in choices if choices.count(t) > 1})
    assert not dup, dup


def test_every_question_has_an_owner_role_and_every_role_owns_one(pack: Pack) -> None:
    if not pack.roles:
        return
    role_ids = {r.id for r in pack.roles}
    assert {a.owner for a in pack.areas} <= role_ids
    owners = {q.owner for q in pack.questions}
    assert None not in owners, "every question names its owner"
    assert owners <= role_ids
    assert owners == role_ids, f"roles no question has: {sorted(role_ids - owners)}"
    for q in pack.questions:
        assert pack.role_title(pack.owner_of(q)) != pack.owner_of(q), q.id  # a title, not an id


def test_every_module_is_used_and_module_questions_name_one(pack: Pack) -> None:
    modules = {m.id for m in pack.modules}
    used = {q.module for q in pack.questions if q.module is not None}
    assert used == modules
    for m in pack.modules:
        assert len([q for q in pack.questions if q.module == m.id]) >= 3, m.id


def test_default_pack_modules_follow_the_issue() -> None:
    pack = load_pack("mlops")
    by_id = {m.id: m for m in pack.modules}
    assert set(by_id) == {"privacy_security", "engineering", "scale"}
    of = {m: [q for q in pack.questions if q.module == m] for m in by_id}
    # privacy and security: asked of the data protection officer and the security lead
    owners = {q.owner for q in of["privacy_security"]}
    assert {"dpo", "security"} <= owners <= {"dpo", "security", "business_owner"}
    # engineering: practices the scan can show, so the interview confirms them from evidence
    positive = {q for r in pack.rules if r.kind is RuleKind.positive for q in r.questions}
    for q in of["engineering"]:
        assert q.expected_in_repo_from is not None and q.id in positive, q.id
    # scale: the 'scale' goal or a large team
    conditions = {(c.context, v) for c in by_id["scale"].when for v in c.values}
    assert ("business_goal", "scale") in conditions
    assert {("team_size", "m"), ("team_size", "l")} <= conditions
    assert {q.id for q in of["scale"]} >= {"data.feature_management", "training.platform"}


def test_event_questions_ask_about_the_last_instance_with_a_route_for_none_yet(pack: Pack) -> None:
    """'When did X last happen' questions also say how to answer when it has not happened yet,
    and their help says how such an answer is scored."""
    events = [q for q in pack.questions if q.text.startswith("When")]
    assert len(events) >= 10
    for q in events:
        assert ROUTE in q.text, q.id
        assert "not happened yet" in q.help.lower(), q.id


def test_merged_questions_are_gone_and_new_themes_are_asked() -> None:
    pack = load_pack("mlops")
    ids = {q.id for q in pack.questions}
    merged_away = {
        "validation.online_offline_consistency",  # into data.train_serve_consistency
        "versioning.binary_storage",  # into versioning.model_registry
        "compliance.audit_trail",  # into validation.sign_off
        "validation.new_data_retest",  # into monitoring.ground_truth
        "monitoring.degradation_response",  # into training.retraining_trigger
        "cicd.environment_promotion",  # into training.release
        "cicd.artefact_build",  # into versioning.release_tags
    }
    assert not ids & merged_away
    themes = {
        "validation.business_impact",
        "cicd.infrastructure_as_code",
        "training.endpoint_security",
        "validation.load_tests",
        "monitoring.cost",
        "data.feature_management",
        "compliance.technical_documentation",
        "validation.explainability",
        "validation.robustness",
        "training.handover",
        "cicd.application_tests",
        "training.prediction_contract",
        "compliance.licences",
        "data.poisoning_protection",
        "monitoring.adversarial_inputs",
    }
    assert themes <= ids
    new_in_core = {q.id for q in pack.questions if q.id in themes and q.module is None}
    assert len(new_in_core) <= len(themes) // 3  # new themes mostly go to modules


DANGLING = {"they", "it", "this", "these", "that", "those", "its", "their", "he", "she", "such"}


def test_every_question_states_its_consequence(pack: Pack) -> None:
    """What happens to the client if the practice stays as it is: one or two complete sentences
    that read on their own in the summary and the email (no pronoun without its noun, no
    figures that would need a source), filled in with a client's name or the default."""
    for q in pack.questions:
        assert q.consequence, f"{q.id} has no consequence"
        for client in ("Harbour Retail Group", "the organisation"):
            text = " ".join(q.consequence.format(client=client).split())
            text = text[:1].upper() + text[1:]
            sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text)
            assert 1 <= len(sentences) <= 2, (q.id, sentences)
            for s in sentences:
                assert s[0].isupper() and s.endswith("."), (q.id, s)
            assert text.split()[0].strip(",").lower() not in DANGLING, q.id
            assert not re.search(r"\d|%", text), f"{q.id}: a figure in the consequence"
            assert 12 <= len(text.split()) <= 60, q.id
            assert q.text.strip() not in text, f"{q.id}: the consequence repeats the question"
        # the consequence is not the current answer: no choice text is reused as it
        assert all(" ".join(c.text.split()) not in text for c in q.choices), q.id


def test_questions_cite_every_control_they_back(pack: Pack) -> None:
    """A question's legal_basis is the controls that list it, both ways: the risk ranking
    weighs the controls the consequence cites, so a control left out would rank a risk by a
    provision it never names (or hide one it weighs)."""
    for q in pack.questions:
        backs = {c.id for c in pack.controls if q.id in c.questions}
        assert set(q.legal_basis) == backs, (q.id, sorted(backs), q.legal_basis)


# --------------------------------------------------------------------------- tool names


def tool_names(pack: Pack) -> re.Pattern[str]:
    """Every name the catalog gives a tool: its id (also with spaces), its name, and its name
    without the parenthesis ("DVC (Data Version Control)" -> "DVC"), case-insensitive and
    word-bounded."""
    names = set()
    for t in pack.tools:
        names |= {t.id, t.id.replace("_", " "), t.name, short_name(t)}
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def test_plan_texts_name_kinds_of_tool_never_products(pack: Pack) -> None:
    """Client-facing improvement texts (the plans, the "establish" actions) name no tool of
    the catalog: a plan refers to a kind of tool, resolved per client."""
    names = tool_names(pack)
    kinds = {k.id for k in pack.tool_kinds}
    used: set[str] = set()
    for q in pack.questions:
        for c in q.choices:
            hit = names.search(REFERENCE.sub("", c.plan))
            assert hit is None, f"{q.id}.{c.id}: names {hit.group(0)!r}, use {{tools:<kind>}}"
            refs = REFERENCE.findall(c.plan)
            assert set(refs) <= kinds, f"{q.id}.{c.id}: {refs}"
            used |= set(refs)
        hit = names.search(establish_action(q))
        assert hit is None, f"{q.id}: its establish action names {hit.group(0)!r}"
    assert used == kinds, f"kinds no plan refers to: {sorted(kinds - used)}"


def test_the_integrity_check_finds_a_tool_name() -> None:
    names = tool_names(load_pack("mlops"))
    for text in ("Track runs in mlflow.", "use GitHub Actions", "e.g. DVC", "weights_biases"):
        assert names.search(text), text
    assert not names.search("a data versioning tool such as one that runs on premises")


def test_every_kind_of_tool_lists_active_tools_of_its_area(pack: Pack) -> None:
    for kind in pack.tool_kinds:
        assert pack.area(kind.area) is not None, kind.id
        assert len(kind.tools) == len(set(kind.tools)), kind.id
        for tool_id in kind.tools:
            tool = pack.tool(tool_id)
            assert tool is not None and tool.status is ToolStatus.active, (kind.id, tool_id)
