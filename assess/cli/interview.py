"""interview, answer and review: the commands that write answers and decisions into an
engagement, each saved at once through ``assess.interview.session``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assess.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    Subparsers,
    emit,
    err,
    read_evidence,
)

if TYPE_CHECKING:
    from assess.model.evidence import Evidence
    from assess.model.pack import Pack
    from assess.model.result import Assessment


def add_interview(sub: Subparsers) -> None:
    p = sub.add_parser(
        "interview",
        help="interview stakeholders in the terminal; every answer is saved at once",
        description=(
            "Ask the context section, then the questions area by area, saving each answer "
            "to ENGAGEMENT at once (created if missing). Run it again to resume at the first "
            "unanswered question. Needs a terminal; scripts use 'assess answer'."
        ),
    )
    p.add_argument("engagement", type=Path, metavar="ENGAGEMENT", help="engagement YAML file")
    p.add_argument(
        "--pack",
        metavar="PATH_OR_ID",
        help="questionnaire pack for a new engagement (default mlops), or a newer version of "
        "the engagement's pack to migrate to",
    )
    p.add_argument(
        "--respondent",
        metavar="NAME",
        help="who is answering; answers are recorded per respondent",
    )
    p.add_argument("--area", metavar="AREA", help="only this area (e.g. cicd)")
    p.add_argument(
        "--module",
        action="append",
        default=[],
        metavar="NAME",
        help="also run this deep-dive module of the pack (repeatable); recorded in the "
        "engagement, so later sittings, score and report include it",
    )
    p.add_argument(
        "--role",
        metavar="ROLE",
        help="with --respondent: ask only the questions this pack role owns (e.g. dpo), and "
        "record the respondent's role; later sittings of the respondent reuse it",
    )
    p.add_argument("--review", action="store_true", help="pick any question and change its answer")
    p.add_argument(
        "--evidence",
        type=Path,
        nargs="+",
        action="extend",
        default=[],
        metavar="FILE",
        help="evidence JSON (assess scan --format json, or assess evidence merge): before each "
        "question the scanned repositories speak to, show their findings and preselect the "
        "level they suggest",
    )
    p.add_argument(
        "--respondents",
        action="store_true",
        help="list who answered what, and where respondents disagree, then exit",
    )
    p.set_defaults(func=cmd_interview)


def add_review(sub: Subparsers) -> None:
    p = sub.add_parser(
        "review",
        help="review the claims the repositories disagree with; every decision is saved at once",
        description=(
            "Walk, one at a time, the claims the scanned repositories disagree with "
            "(contradicted, not evidenced, understated, evidence only), area by area, and "
            "decide each: accept the evidence, uphold the claim with a justification, request "
            "evidence from the client, or waive a finding as a false positive. Decisions are "
            "saved at once in the engagement's 'review:' section; run it again to resume with "
            "the claims not decided yet. Needs a terminal, unless one of the decision flags or "
            "--list is given."
        ),
    )
    p.add_argument("engagement", type=Path, metavar="ENGAGEMENT", help="engagement YAML file")
    p.add_argument(
        "--evidence",
        type=Path,
        nargs="+",
        required=True,
        metavar="EV",
        help="evidence files written by 'assess scan --format json' (several are merged)",
    )
    p.add_argument("--pack", metavar="PATH_OR_ID", help="pack (default: the engagement's)")
    act = p.add_mutually_exclusive_group()
    act.add_argument("--accept", metavar="QID", help="accept the evidence: score its level")
    act.add_argument("--uphold", metavar="QID", help="uphold the claim (needs --reason)")
    act.add_argument(
        "--request", metavar="QID", help="request evidence (needs --who and --due; --what)"
    )
    act.add_argument(
        "--waive", metavar="RULE:REPO:PATH", help="waive a finding as a false positive (--reason)"
    )
    act.add_argument(
        "--clear", metavar="QID_OR_KEY", help="remove the decision on a question or finding"
    )
    act.add_argument(
        "--list", action="store_true", help="list the claims, decisions and stale decisions"
    )
    p.add_argument("--reason", metavar="TEXT", help="the justification or waiver reason")
    p.add_argument("--who", metavar="NAME", help="--request: who should provide the evidence")
    p.add_argument(
        "--what", metavar="TEXT", help="--request: what to show (default: the question's evidence)"
    )
    p.add_argument("--due", metavar="YYYY-MM-DD", help="--request: by when")
    p.add_argument(
        "--by",
        metavar="NAME",
        help="who decides (default: the engagement's assessor, else $USER)",
    )
    p.add_argument(
        "--format", choices=["table", "json"], default="table", help="--list: table or json"
    )
    p.set_defaults(func=cmd_review)


def add_answer(sub: Subparsers) -> None:
    p = sub.add_parser(
        "answer",
        help="set one answer from a script",
        description=(
            "Set one answer without a terminal. CHOICE is a choice id of the question or its "
            "level number, 'dont_know' (--reason may say why), or 'not_applicable' (with "
            "--reason). Once a question has named respondents, --respondent is required."
        ),
    )
    p.add_argument("engagement", type=Path, metavar="ENGAGEMENT", help="engagement YAML file")
    p.add_argument("question", metavar="QUESTION_ID", help="e.g. cicd.merge_request_ci")
    p.add_argument(
        "choice", metavar="CHOICE", help="choice id or level number, dont_know or not_applicable"
    )
    p.add_argument("--note", help="free-text note kept with the answer")
    p.add_argument(
        "--reason",
        help="why the question does not apply (needed with not_applicable) or is not known",
    )
    p.add_argument("--respondent", metavar="NAME", help="who gave the answer")
    p.add_argument("--pack", metavar="PATH_OR_ID", help="pack for a new engagement")
    p.set_defaults(func=cmd_answer)


def cmd_interview(args: argparse.Namespace) -> int:
    from assess.errors import InputError
    from assess.interview.session import open_session

    if not args.respondents and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InputError(
            "the interview needs a terminal; from a script or pipe use "
            "'assess answer ENGAGEMENT QUESTION_ID CHOICE'"
        )
    from assess.interview.engine import check_modules, check_role, choose, role_of

    if args.role and not args.respondent:
        raise InputError(
            "--role needs --respondent NAME: the role is recorded per respondent", field="--role"
        )
    evidence: list[Evidence] = []

    def check(pack: Pack) -> None:  # before the session writes anything (a migration)
        if args.area and pack.area(args.area) is None:
            known = ", ".join(a.id for a in pack.areas)
            raise InputError(f"unknown area {args.area!r} (areas: {known})", field="--area")
        check_modules(pack, args.module)
        if args.role:
            check_role(pack, args.role)
        if args.evidence:
            evidence.append(read_evidence(args.evidence, pack, "interviewing"))

    session = open_session(args.engagement, args.pack, check=check)
    pack = session.pack
    _say_migration(args.engagement, session)
    if args.respondents:
        print(_respondents_report(session))
        return EXIT_OK

    from assess.interview.prompt import run

    eng = choose(
        pack, session.engagement, modules=args.module, respondent=args.respondent, role=args.role
    )
    role = args.role or role_of(eng, args.respondent)
    _check_role_in_scope(pack, eng, role)
    if session.created or eng != session.engagement:  # the interview creates its file at once
        session.save(eng)
    _say_scope(pack, eng, role)
    try:
        ui = run(
            session,
            respondent=args.respondent,
            area=args.area,
            review=args.review,
            say=_say,
            findings=[
                f for ev in evidence for r in ev.repos for fs in r.areas.values() for f in fs
            ],
            role=role,
        )
    except KeyboardInterrupt:
        err(
            f"\nInterrupted. Every answer given is saved in {args.engagement}; "
            f"run the same command to resume."
        )
        return EXIT_INTERRUPTED
    from assess.interview.engine import progress

    done, total = progress(pack, session.engagement, args.respondent, role=role)
    print(f"Saved {args.engagement}: {done} of {total} questions answered ({ui.answered_now} now).")
    if done == total:
        print(f"Next: assess report {args.engagement} -o report.pdf")
    return EXIT_OK


def _say_migration(path: Path, session: Any) -> None:
    """What a move to a new pack version did with the answers, when it happened."""
    m = session.migration
    if m is None:
        return
    pack = session.pack
    lines = [
        f"{path} was started on {pack.id} {m.old_version}; moved to {pack.version} "
        f"(backup: {session.backup})."
    ]
    if m.carried or m.reconfirm:
        lines.append(
            f"Carried over: {len(m.carried)} questions as they were, {len(m.reconfirm)} to "
            f"re-confirm (asked first: {', '.join(m.reconfirm) or 'none'})."
        )
    for qid, why in m.dropped:
        lines.append(f"Dropped: {qid}: {' '.join(why.split())}")
    lines.append(
        f"Removed or changed: {', '.join(m.removed) or 'none'}. New questions: {len(m.added)}."
    )
    print("\n".join(lines))


def _check_role_in_scope(pack: Pack, eng: Any, role: str | None) -> None:
    """A role whose questions all sit in modules this engagement does not run gets nothing
    to answer: say which modules would give it some."""
    from assess.conditions import modules_run
    from assess.errors import InputError
    from assess.interview.engine import applicable_questions

    if role is None or applicable_questions(pack, eng, role=role):
        return
    run = modules_run(pack, eng)
    idle = sorted(
        {q.module for q in pack.questions if q.module and q.module not in run}
        & {q.module for q in pack.questions if pack.owner_of(q) == role}
    )
    if idle:
        raise InputError(
            f"role {role!r} owns questions only in modules this engagement does not run "
            f"({', '.join(idle)}); add --module {idle[0]}",
            field="--role",
        )


def _say_scope(pack: Pack, eng: Any, role: str | None) -> None:
    """One line on the modules that run (and why) and the role asked, when the pack has any."""
    from assess.conditions import modules_run

    if not pack.modules:
        return
    run = modules_run(pack, eng)
    shown = [f"{m} ({why})" for m, why in run.items()]
    rest = [m.id for m in pack.modules if m.id not in run]
    line = "Modules: " + ("; ".join(shown) if shown else "core only")
    if rest:
        line += f"; not run: {', '.join(rest)} (--module NAME adds one)"
    if role:
        line += f". Asking the questions {pack.role_title(role)} owns."
    _say(line)


def _say(text: str) -> None:
    """Print what the interview says, fitted to the terminal (``prompt.fit``)."""
    from assess.interview.prompt import fit

    print(fit(text))


def _respondents_report(session: Any) -> str:
    from assess.interview.engine import respondents_summary

    summary = respondents_summary(session.engagement, session.pack)
    lines = []
    for who, count in summary.counts.items():
        scan = summary.confirmed.get(who)
        info = session.engagement.respondents.get(who)
        role = f" (as {session.pack.role_title(info.role)})" if info and info.role else ""
        lines.append(
            f"{who}{role}: {count} answers" + (f", {scan} confirmed from the scan" if scan else "")
        )
    if not lines:
        return "No answers yet."
    if summary.disagreements:
        lines.append("")
        lines.append("Where respondents disagree:")
        for qid, views in summary.disagreements.items():
            lines.append(f"  {qid}: " + "; ".join(f"{w}: {v}" for w, v in views))
    return "\n".join(lines)


REVIEW_ACTIONS = ("accept", "uphold", "request", "waive", "clear")


def cmd_review(args: argparse.Namespace) -> int:
    from assess.errors import InputError

    acting = args.list or any(getattr(args, a) for a in REVIEW_ACTIONS)
    if not acting and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InputError(
            "the review needs a terminal; from a script or pipe use 'assess review ENGAGEMENT "
            "--evidence EV --accept QID' (or --uphold, --request, --waive, --clear, --list)"
        )
    try:
        return _review(args)
    except InputError as err:
        if err.file is None:  # a flag's error: name the engagement it was about
            err.file = str(args.engagement)
        raise


def _review(args: argparse.Namespace) -> int:
    import datetime as dt
    import os

    from assess.engagement import LoadedEngagement, load_with_pack
    from assess.errors import InputError
    from assess.model.engagement import Engagement
    from assess.pipeline import assess

    action = next((a for a in REVIEW_ACTIONS if getattr(args, a)), None)
    for flag in ("who", "what", "due"):
        if getattr(args, flag) is not None and action != "request":
            raise InputError(f"--{flag} goes with --request", field=f"--{flag}")
    if args.reason is not None and action not in ("accept", "uphold", "waive"):
        raise InputError("--reason goes with --uphold, --waive or --accept", field="--reason")
    if args.format != "table" and not args.list:
        raise InputError("--format goes with --list", field="--format")
    if not args.engagement.exists():
        raise InputError("engagement file not found", file=args.engagement)
    if args.list:  # reads only
        from assess.report.data import review_json
        from assess.report.terminal import review_table

        pack, loaded = load_with_pack(args.engagement, args.pack)
        result = assess(pack, loaded, evidence=read_evidence(args.evidence, pack, "reviewing"))
        render = review_json if args.format == "json" else review_table
        emit(render(result, args.engagement, args.evidence), None)
        return EXIT_OK

    from assess.interview.session import open_session

    session = open_session(args.engagement, args.pack)
    pack = session.pack
    evidence = read_evidence(args.evidence, pack, "reviewing")

    def evaluate(eng: Engagement) -> Assessment:
        return assess(pack, LoadedEngagement(eng, args.engagement, ""), evidence=evidence)

    by = (
        args.by
        or session.engagement.assessment.assessor
        or os.environ.get("USER")
        or os.environ.get("LOGNAME")
    )
    if not (by or "").strip():
        raise InputError("who decides? give --by NAME", field="--by")
    assert by is not None
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    if action is not None:
        from assess.model.result import ReviewSummary
        from assess.review import all_findings, decide

        eng, said = decide(
            pack,
            session.engagement,
            evaluate(session.engagement).review or ReviewSummary(),
            all_findings(evidence.repos),
            action=action,
            target=getattr(args, action),
            reason=args.reason,
            who=args.who,
            what=args.what,
            due=args.due,
            by=by,
            now=now,
        )
        session.save(eng)
        print(f"saved in {args.engagement}: {said}")
        return EXIT_OK

    from assess.interview.review_prompt import run

    try:
        ui = run(session, evaluate, by=by, say=print)
    except KeyboardInterrupt:
        err(
            f"\nInterrupted. Every decision made is saved in {args.engagement}; "
            "run the same command to resume."
        )
        return EXIT_INTERRUPTED
    items = ui.items
    done = sum(1 for i in items if i.decision)
    waived = len(ui.result.review.waived) if ui.result.review else 0
    print(
        f"Saved {args.engagement}: {done} of {len(items)} claims decided ({ui.decided_now} "
        f"changes now), {waived} finding(s) waived."
    )
    if done == len(items):
        ev = args.evidence[0] if len(args.evidence) == 1 else "MERGED.json"
        print(f"Next: assess report {args.engagement} --evidence {ev} -o report.pdf")
    return EXIT_OK


def cmd_answer(args: argparse.Namespace) -> int:
    import datetime as dt

    from assess.errors import InputError
    from assess.interview.engine import prune, set_answer
    from assess.interview.session import open_session
    from assess.model.engagement import Answer, AnswerStatus

    session = open_session(args.engagement, args.pack)
    _say_migration(args.engagement, session)
    pack = session.pack
    q = pack.question(args.question)
    if q is None:
        import difflib

        close = difflib.get_close_matches(args.question, [x.id for x in pack.questions], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InputError(
            f"no question {args.question!r} in pack {pack.id}{hint}", field="QUESTION_ID"
        )
    if args.choice == "dont_know":
        status, choice = AnswerStatus.dont_know, None
    elif args.choice == "not_applicable":
        if q.not_applicable is None:
            raise InputError(f"{q.id} cannot be answered not_applicable", field="CHOICE")
        if not (args.reason or "").strip():
            raise InputError("not_applicable needs --reason", field="--reason")
        status, choice = AnswerStatus.not_applicable, None
    else:
        status, choice = AnswerStatus.answered, _answer_choice(q, args.choice)
    if args.reason is not None and status is AnswerStatus.answered:
        raise InputError(
            "--reason says why a question does not apply or is not known; for a choice use --note",
            field="--reason",
        )
    named = sorted({a.respondent for a in session.engagement.answers.get(q.id, []) if a.respondent})
    if named and not args.respondent:
        raise InputError(
            f"{q.id} already has answers from {', '.join(named)}: say whose this one is with "
            "--respondent NAME",
            field="--respondent",
        )
    answer = Answer(
        status=status,
        choice=choice,
        reason=args.reason if status is not AnswerStatus.answered else None,
        note=args.note,
        respondent=args.respondent,
        answered_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
    )
    eng, cleared = prune(pack, set_answer(session.engagement, q.id, answer))
    session.save(eng)
    shown = choice or status.value
    level = f" (level {c.level})" if choice and (c := q.choice(choice)) else ""
    print(f"saved {q.id} = {shown}{level} in {args.engagement}")
    if cleared:
        print("cleared answers that no longer apply: " + ", ".join(cleared))
    return EXIT_OK


def _answer_choice(q: Any, given: str) -> str:
    """The choice id ``assess answer`` was given: a choice id or a level number; a typo gets
    the closest id suggested."""
    import difflib

    from assess.errors import InputError

    if given.isdigit():
        by_level = next((c for c in q.choices if c.level == int(given)), None)
        if by_level is None:
            levels = ", ".join(str(c.level) for c in q.choices)
            raise InputError(f"no level {given} in {q.id} (levels: {levels})", field="CHOICE")
        return str(by_level.id)
    if q.choice(given) is not None:
        return given
    ids = [c.id for c in q.choices] + ["dont_know"]
    ids += ["not_applicable"] if q.not_applicable is not None else []
    close = difflib.get_close_matches(given, ids, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise InputError(
        f"no choice {given!r} in {q.id} (choices: {', '.join(ids)}; or a level number){hint}",
        field="CHOICE",
    )
