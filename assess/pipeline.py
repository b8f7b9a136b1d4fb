"""The pipeline: from an engagement (and its pack and evidence) to one Assessment result.

``assess`` builds the result from loaded inputs, pure: each question scored from its answers
(``scoring``), reconciled with the evidence (``reconcile``) and the assessor's review
(``review``), the areas scored (``scoring``), then gaps and the roadmap (``gaps``), compliance,
the biggest risks and the tool recommendations (``recommend``).

``assess_file`` is the one call every front end makes: it loads the engagement and its pack,
checks the ``targets`` it is given, reads and merges the evidence files, builds the result
(``assess``), and adds the progress since the milestones given. What a front end should tell the
user but that does not stop the run (evidence scanned with another pack version, a milestone of
another client) comes back as ``warnings``, one sentence each, never printed here: the CLI
prints them as ``assess: warning: ...``; a notebook or a CI step can show or fail on them as it
likes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from assess import __version__
from assess.compare import load_result, progress
from assess.compliance import assess_compliance
from assess.conditions import effective_context, modules_run
from assess.engagement import LoadedEngagement, load_with_pack
from assess.errors import AssessError, InputError
from assess.evidence import load_evidence, merge_evidence
from assess.gaps import capacity_for, key_risks, plan
from assess.model.base import LEVEL_MAX
from assess.model.evidence import Evidence
from assess.model.pack import EvidencePolicy, Pack, RespondentRule
from assess.model.result import Assessment, Client, ModuleScope, Source
from assess.recommend import Fit, recommend
from assess.reconcile import confidence, evidence_requests, reconcile, repos_in_scope
from assess.review import all_findings, apply_review, merge_requests, waive
from assess.scoring import context_labels, overall, question_results, score_areas, targets_for
from assess.toolref import fitted


@dataclass(frozen=True)
class Run:
    """An engagement scored: its pack, the engagement as loaded, the result, the warnings."""

    pack: Pack
    loaded: LoadedEngagement
    result: Assessment
    warnings: tuple[str, ...] = ()


def assess_file(
    engagement: Path,
    *,
    pack: str | Path | None = None,
    evidence: Sequence[Path] = (),
    milestones: Sequence[Path] = (),
    targets: Mapping[str, int] | None = None,
    respondents_rule: str | None = None,
    evidence_policy: str | None = None,
) -> Run:
    """Score ``engagement`` (with its own pack unless ``pack`` names one). ``evidence``: files
    written by ``assess scan`` (several are merged); ``milestones``: earlier results of the same
    client; ``targets``: per-area target overrides; ``respondents_rule`` and
    ``evidence_policy``: the pack's and the engagement's settings overridden by name."""
    the_pack, loaded = load_with_pack(engagement, pack)
    check_targets(the_pack, targets or {}, field="--target")
    warnings: list[str] = []
    try:
        ev = None
        if evidence:
            ev, said = read_evidence(evidence, the_pack, "scoring")
            warnings += said
        result = assess(
            the_pack,
            loaded,
            targets=dict(targets or {}),
            rule=RespondentRule(respondents_rule) if respondents_rule else None,
            evidence=ev,
            policy=EvidencePolicy(evidence_policy) if evidence_policy else None,
        )
        if milestones:
            history = [load_result(path) for path in milestones]
            now = (result.client.name, result.source.pack_id)
            for path, old in zip(milestones, history, strict=True):
                if (old.client.name, old.source.pack_id) != now:
                    warnings.append(
                        f"{path}: a milestone of {old.client.name!r} ({old.source.pack_id}), "
                        f"compared with {result.client.name!r} ({result.source.pack_id})"
                    )
            result = result.model_copy(update={"progress": progress(history, result)})
        return Run(the_pack, loaded, result, tuple(warnings))
    except AssessError as err:  # what was found before the failure is still worth saying
        err.warnings = (*warnings, *err.warnings)
        raise


def check_targets(pack: Pack, targets: Mapping[str, int], *, field: str) -> None:
    """Every area a target override names must be one of the pack's."""
    for area in targets:
        if pack.area(area) is None:
            known = ", ".join(a.id for a in pack.areas)
            raise InputError(f"unknown area {area!r} (areas: {known})", field=field)


def read_evidence(paths: Sequence[Path], pack: Pack, doing: str) -> tuple[Evidence, list[str]]:
    """The evidence files of a run, for ``pack`` (several are merged as ``assess evidence
    merge`` merges them), and a warning when they were scanned with another version of it;
    ``doing`` says what the evidence is read for ("scoring", "reviewing")."""
    files = [(path, load_evidence(path, pack)) for path in paths]
    evidence = files[0][1] if len(files) == 1 else merge_evidence(files, __version__)
    warnings = []
    if evidence.pack_version != pack.version:
        warnings.append(
            f"{', '.join(map(str, paths))}: scanned with pack {pack.id} "
            f"{evidence.pack_version}, {doing} with {pack.version}; rescan if the rules changed"
        )
    return evidence, warnings


def result_of(path: Path) -> Assessment:
    """A result written by ``assess score --format json`` (a ``.json`` file), or an engagement
    file scored now with its own pack and no evidence."""
    if path.suffix.lower() == ".json":
        return load_result(path)
    the_pack, loaded = load_with_pack(path, None)
    return assess(the_pack, loaded)


def assess(
    pack: Pack,
    loaded: LoadedEngagement,
    *,
    targets: dict[str, int] | None = None,
    rule: RespondentRule | None = None,
    evidence: Evidence | None = None,
    policy: EvidencePolicy | None = None,
    now: dt.datetime | None = None,
) -> Assessment:
    """The Assessment result of an engagement: each question scored from its answers
    (``scoring``), reconciled with the evidence (``reconcile``) and the assessor's review
    (``review``), the areas scored, then the roadmap and gaps (``gaps``), compliance, the
    biggest risks and the tool recommendations. ``targets`` overrides the engagement's per-area
    targets, ``rule`` the pack's way of combining several respondents' answers, ``policy`` the
    engagement's evidence policy; ``evidence`` (from ``assess scan``) is reconciled with the
    answers."""
    eng = loaded.engagement
    # a context field not asked (its asked_when matched none of the answers) has its otherwise
    eng = eng.model_copy(update={"context": effective_context(pack, eng.context)})
    rule = rule or pack.scoring.respondents
    policy = policy or eng.evidence_policy
    scanned = evidence.repos if evidence else ()
    repos = waive(scanned, eng.review)  # a waived finding counts nowhere in this engagement
    findings = all_findings(repos)
    run = modules_run(pack, eng)
    results = [
        r
        if r.status == "not_in_scope"
        else reconcile(
            q,
            r,
            pack.rules,
            findings,
            repos,
            policy=policy,
            in_scope=repos_in_scope(repos, eng.evidence_scope, q.area),
        )
        for q, r in zip(pack.questions, question_results(pack, eng, rule, run), strict=True)
    ]
    review = None
    requests = evidence_requests(pack, results)  # the ones derived from not-evidenced claims
    if evidence is not None:  # review decisions are about evidence: none without it
        reviewed = apply_review(pack, results, eng.review, all_findings(scanned))
        results, review = reviewed.results, reviewed.summary
        requests = merge_requests(pack, requests, reviewed)
    area_targets = targets_for(pack, eng.context, targets)

    areas = score_areas(pack, results, area_targets, repos, eng.observations)

    roadmap = plan(
        pack, results, areas, capacity_for(pack, eng.context, eng.capacity_weeks_per_quarter)
    )
    fit = Fit(pack, eng.context)
    recommendations = recommend(pack, eng.context, roadmap.gaps, fit)
    # the one place plan texts enter the result: their catalog references, fitted to the client
    say = fitted(pack, fit, recommendations)
    results = [r.model_copy(update={"plan": say(r.plan)}) if r.plan else r for r in results]
    gaps = tuple(g.model_copy(update={"plan": say(g.plan)}) for g in roadmap.gaps)
    items = tuple(i.model_copy(update={"action": say(i.action)}) for i in roadmap.items)
    total = overall(pack, areas)
    compliance = assess_compliance(
        pack,
        eng.context,
        results,
        # controls share the compliance area's ladder and target
        area_targets.get("compliance", (LEVEL_MAX - 1, ""))[0],
        repos,
    )
    return Assessment(
        tool_version=__version__,
        generated_at=(now or dt.datetime.now(dt.UTC)).replace(microsecond=0),
        source=Source(
            pack_id=pack.id,
            pack_version=pack.version,
            pack_title=pack.title,
            engagement_file=loaded.path.name,
            engagement_sha256=loaded.sha256,
            respondents_rule=rule,
            evidence_policy=policy,
            stage_share=pack.scoring.stage_share,
            risks=pack.risks,
        ),
        info=eng.assessment,
        client=Client(
            name=str(eng.context.get("client_name") or ""),
            context=dict(eng.context),
            context_labels=context_labels(pack, eng.context),
        ),
        ladder=pack.ladder,
        overall=total.model_copy(
            update={"confidence": confidence(results, total.coverage, scanned=bool(repos))}
        ),
        areas=tuple(areas),
        questions=tuple(results),
        modules=tuple(
            ModuleScope(
                id=m.id,
                title=m.title,
                run=m.id in run,
                reason=run.get(m.id)
                or ("only when chosen (--module)" if not m.when else "its conditions do not hold"),
                questions=sum(1 for q in pack.questions if q.module == m.id),
            )
            for m in pack.modules
        ),
        repos=tuple(r.model_copy(update={"areas": {}}) for r in repos),
        gaps=gaps,
        evidence_requests=requests,
        risks=key_risks(pack, gaps, compliance, eng.context),
        roadmap=roadmap.phases,
        roadmap_items=items,
        later=roadmap.later,
        capacity=roadmap.capacity,
        recommendations=recommendations,
        compliance=compliance,
        executive_summary=eng.executive_summary,
        review=review,
    )
