"""One call from an engagement file to its Assessment, for every front end.

``assess_file`` loads the engagement and its pack, checks the ``targets`` it is given, reads
and merges the evidence files, scores (``assess.scoring``), and adds the progress since the
milestones given. What a front end should tell the user but that does not stop the run (evidence
scanned with another pack version, a milestone of another client) comes back as ``warnings``,
one sentence each, never printed here: the CLI prints them as ``assess: warning: ...``; a
notebook or a CI step can show or fail on them as it likes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from assess import __version__
from assess.compare import load_result, progress
from assess.engagement import LoadedEngagement, load_with_pack
from assess.errors import InputError
from assess.evidence import load_evidence, merge_evidence
from assess.model.evidence import Evidence
from assess.model.pack import EvidencePolicy, Pack, RespondentRule
from assess.model.result import Assessment
from assess.scoring import assess


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
        for path, old in zip(milestones, history, strict=True):
            if old.client.name != result.client.name or old.source.pack_id != result.source.pack_id:
                warnings.append(
                    f"{path}: a milestone of {old.client.name!r} ({old.source.pack_id}), "
                    f"compared with {result.client.name!r} ({result.source.pack_id})"
                )
        result = result.model_copy(update={"progress": progress(history, result)})
    return Run(the_pack, loaded, result, tuple(warnings))


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
