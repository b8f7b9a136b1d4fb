"""Compare assessments over time: what improved, regressed or stayed, per area and question.

Pure functions over two (or more) Assessment results of the same client. A level that rose is
improved, one that fell regressed; a question or area scored in only one of the two is new or
dropped. Levels are compared as the results show them (one decimal), so a change the reports
cannot show is never claimed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assess.errors import InputError
from assess.model.result import Assessment, Change, ChangeStatus, Comparison, Milestone, Progress
from assess.validation import load_json


def load_result(path: Path) -> Assessment:
    """An Assessment result written by ``assess score --format json``."""
    return load_json(
        Assessment,
        path,
        "result file",
        not_a="not an assess result (write one with 'assess score --format json')",
    )


def label(result: Assessment) -> str:
    date = result.info.date or result.generated_at.date()
    return date.isoformat()


def _change(ident: str, title: str, old: float | None, new: float | None) -> Change:
    if old is None and new is None:
        status, delta = ChangeStatus.same, None
    elif old is None:
        status, delta = ChangeStatus.new, None
    elif new is None:
        status, delta = ChangeStatus.dropped, None
    else:
        delta = round(new - old, 1)
        status = (
            ChangeStatus.improved
            if delta > 0
            else ChangeStatus.regressed
            if delta < 0
            else ChangeStatus.same
        )
    return Change(id=ident, title=title, old=old, new=new, delta=delta, status=status)


def compare(old: Assessment, new: Assessment) -> Comparison:
    old_areas = {a.id: a for a in old.areas}
    new_areas = {a.id: a for a in new.areas}
    area_ids = [*new_areas, *(a for a in old_areas if a not in new_areas)]
    old_q = {q.id: q for q in old.questions}
    new_q = {q.id: q for q in new.questions}
    q_ids = [*new_q, *(q for q in old_q if q not in new_q)]
    return Comparison(
        old_label=label(old),
        new_label=label(new),
        old_pack=f"{old.source.pack_id} {old.source.pack_version}",
        new_pack=f"{new.source.pack_id} {new.source.pack_version}",
        overall=_change("overall", "Overall", old.overall.level, new.overall.level),
        areas=tuple(
            _change(
                a,
                (new_areas.get(a) or old_areas[a]).title,
                old_areas[a].level if a in old_areas else None,
                new_areas[a].level if a in new_areas else None,
            )
            for a in area_ids
        ),
        questions=tuple(
            _change(
                q,
                (new_q.get(q) or old_q[q]).text,
                old_q[q].level if q in old_q else None,
                new_q[q].level if q in new_q else None,
            )
            for q in q_ids
        ),
    )


def progress(history: Sequence[Assessment], current: Assessment) -> Progress:
    """Milestones oldest first (sorted by date), the current result last, and the change since
    the most recent earlier one."""
    earlier = sorted(history, key=label)
    if label(earlier[-1]) > label(current):
        raise InputError(
            f"a milestone dated {label(earlier[-1])} is later than this assessment "
            f"({label(current)}); milestones are earlier results",
            field="--milestone",
        )
    return Progress(
        milestones=tuple(
            Milestone(
                label=label(r),
                level=r.overall.level,
                stage=r.overall.stage,
                areas={a.id: a.level for a in r.areas},
            )
            for r in (*earlier, current)
        ),
        since_last=compare(earlier[-1], current),
    )
