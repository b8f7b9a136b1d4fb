"""Run the rule catalog over one repository and gather history signals.

Pure over the ``RepoView`` (files at one commit) and the commit stream; ``scan_repo`` wires
them to a ``GitRepo``. Findings are capped per rule and repository so a monorepo with ten
thousand notebooks does not drown the report; the cap is noted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import signal
import threading
from collections.abc import Callable, Iterable, Iterator

from assess.model.evidence import Finding, History, RepoScan
from assess.model.rules import CiSystem, Rule, RuleKind, Strength
from assess.scan.checks import CHECKS, Hit
from assess.scan.ci import (
    CI_GLOB,
    CiFile,
    line_of,
    repo_ci_files,
    repo_commands,
    shaped_docs,
    values_at,
)
from assess.scan.deps import (
    DEPENDENCY_FILES,
    IMPORT_FILES,
    USE_STRENGTH,
    DependencyUse,
    dependencies,
    normalise,
    notebook_code,
)
from assess.scan.redact import clean_scan, redact
from assess.scan.repo import Entry, GitRepo, LogCommit, ScanTimeout
from assess.scan.view import Corpus, RepoView, matches
from assess.yamlio import load_all_untrusted

MAX_FINDINGS_PER_RULE = 20
DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024

Progress = Callable[[str], None]


def _snippet(line: str) -> str:
    line = redact(" ".join(line[:1000].split())[:400])  # before the cut: no half a key
    return line if len(line) <= 120 else line[:119] + "…"


class Matcher:
    """Runs rules against one view; what several rules share (CI files, their commands,
    dependencies) is computed once per view (``RepoView.memo``)."""

    def __init__(self, view: RepoView) -> None:
        self.view = view

    @property
    def deps(self) -> dict[str, DependencyUse]:
        return dependencies(self.view)

    @property
    def ci_files(self) -> list[CiFile]:
        return repo_ci_files(self.view)

    @property
    def ci(self) -> list[tuple[str, int | None, str]]:
        return repo_commands(self.view)

    def _corpus(self, globs: tuple[str, ...]) -> Corpus:
        """The corpus of ``globs``, where ``@ci`` stands for the CI files."""
        if CI_GLOB not in globs:
            return self.view.corpus(globs, notebook_code)
        rest = tuple(g for g in globs if g != CI_GLOB)
        entries = {e.path: e for e in self.view.files(rest)} if rest else {}
        entries.update((f.path, f.entry) for f in self.ci_files)
        return self.view.corpus_of(globs, [entries[p] for p in sorted(entries)], notebook_code)

    def hits(self, rule: Rule) -> tuple[list[Hit], Strength]:
        m, view = rule.match, self.view
        if m.paths:
            return [Hit(e.path) for e in view.files(m.paths)], Strength.file
        if m.dependencies:
            wanted = {normalise(d) for d in m.dependencies}
            return [
                Hit(use.path, use.line, use.snippet, USE_STRENGTH[use.how])
                for name, use in self.deps.items()
                if name in wanted
            ], Strength.dependency
        if m.content:
            corpus = self._corpus(m.content.files)
            if not corpus.may_match(m.content.pattern, re.MULTILINE):
                return [], Strength.code  # no file can match: the regex is never compiled
            rx = re.compile(m.content.pattern, re.MULTILINE)  # ^ and $ per line, as per-line
            also = [re.compile(p, re.MULTILINE) for p in m.content.also]
            out = []
            for e, matched in corpus.search(rx):
                if m.content.exclude and matches(e.path, m.content.exclude):
                    continue
                if not all(a.search(matched) for a in also):
                    continue
                for n, line in enumerate(matched.splitlines(), 1):
                    if rx.search(line):
                        out.append(Hit(e.path, n, _snippet(line)))
                        break
            return out, Strength.code
        if m.yaml_key:
            yk = m.yaml_key
            out = []
            for e in view.files(yk.files):
                text = view.text(e)
                docs = view.parse(e, load_all_untrusted, "YAML file") if text else None
                if not text or docs is None:
                    continue
                for doc in docs:
                    values = values_at(doc, yk.key)
                    good = [v for v in values if not yk.equals or str(v) in yk.equals]
                    if good:
                        leaf = yk.key.rsplit(".", 1)[-1]
                        shown = (
                            f"{yk.key}: {good[0]}"
                            if not isinstance(good[0], dict | list)
                            else yk.key
                        )
                        out.append(Hit(e.path, line_of(text, f"{leaf}:"), _snippet(shown)))
                        break
            return out, Strength.file
        if m.ci_step:
            if not self.ci:
                return [], Strength.ci  # no CI command: the regex is never compiled
            rx = re.compile(m.ci_step.pattern, re.MULTILINE)
            seen: set[str] = set()
            out = []
            for ci_path, ci_line, cmd in self.ci:
                if ci_path not in seen and rx.search(cmd):
                    seen.add(ci_path)
                    out.append(Hit(ci_path, ci_line, _snippet(cmd)))
            return out, Strength.ci
        if m.ci_config:
            return [Hit(f.path, None, f.system.title) for f in self.ci_files], Strength.file
        if m.shape:
            return [
                Hit(e.path)
                for e in view.files(m.shape.files)
                if not (m.shape.exclude and matches(e.path, m.shape.exclude))
                and shaped_docs(view, e, m.shape)
            ], Strength.file
        assert m.check is not None
        return CHECKS[m.check](view), Strength.file


def files_read_by(rules: Iterable[Rule], ci_systems: tuple[CiSystem, ...] = ()) -> tuple[str, ...]:
    """Globs of every file some rule will read, so they can be read in one batch."""
    from assess.scan.checks import README_FILES, TEXT_FILES, USE_FILES

    ci_globs = [
        g
        for s in ci_systems
        for g in (
            *s.paths,
            *(s.shape.files if s.shape else ()),
            *(s.content.files if s.content else ()),
        )
    ]
    globs: list[str] = []
    for r in rules:
        m = r.match
        if m.content:
            globs += [g for g in m.content.files if g != CI_GLOB]
            if CI_GLOB in m.content.files:
                globs += ci_globs
        elif m.yaml_key:
            globs += m.yaml_key.files
        elif m.shape:
            globs += m.shape.files
        elif m.dependencies:
            globs += [*DEPENDENCY_FILES, *IMPORT_FILES, *ci_globs]
        elif m.ci_step or m.ci_config:
            globs += ci_globs
        elif m.check == "secrets":
            globs += TEXT_FILES
        elif m.check == "readme_only_tools":
            globs += [*README_FILES, *DEPENDENCY_FILES, *USE_FILES]
    return tuple(dict.fromkeys(globs))


def _finding(rule: Rule, hit: Hit, strength: Strength, repo: GitRepo) -> Finding:
    return Finding(
        repo=repo.source,
        rule=rule.id,
        area=rule.area,
        title=rule.title,
        kind=rule.kind,
        strength=strength,
        level=rule.level,
        questions=rule.questions,
        path=hit.path,
        line=hit.line,
        commit=repo.commit,
        snippet=hit.snippet,
        remediation=rule.remediation,
    )


# --------------------------------------------------------------------------- history


DAYS_90 = dt.timedelta(days=90)
DAYS_365 = dt.timedelta(days=365)
RELEASE_TAG = re.compile(r"^(?:[\w.-]+@)?v?\d+\.\d+(?:\.\d+)?(?:[-+][\w.]+)?$")


def history(
    commits: Iterable[LogCommit],
    tags: list[str],
    evidence_paths: set[str],
    absent_path_rules: list[Rule],
    head_paths: set[str],
    now: dt.datetime,
    progress: Progress | None = None,
    notes: list[str] | None = None,
) -> History:
    """History signals from the commit stream. ``absent_path_rules`` are the path rules that
    found nothing at the scanned commit: those matching a file that once existed are reported
    as tools used in history but removed."""
    count = 0
    authors: set[str] = set()
    last90 = last365 = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    first_seen: dict[str, str] = {}
    ever: set[str] = set()
    undated = 0
    for c in commits:
        count += 1
        authors.add(c.author)
        if c.time is None:
            undated += 1
        else:
            last = last or c.time
            first = c.time
            age = now - c.time
            last90 += age <= DAYS_90
            last365 += age <= DAYS_365
        for status, path in c.changes:
            if status == "A":
                ever.add(path)
                if path in evidence_paths and c.time is not None:
                    first_seen[path] = c.time.date().isoformat()  # oldest wins: newest first
        if progress and count % 2000 == 0:
            progress(f"{count} commits walked")
    gone = ever - head_paths
    removed = sorted(
        r.id for r in absent_path_rules if any(matches(p, r.match.paths) for p in gone)
    )
    if undated and notes is not None:
        notes.append(f"{undated} commits carry a date no calendar holds; left out of the dates")
    return History(
        commits=count,
        contributors=len(authors),
        commits_last_90_days=last90,
        commits_last_365_days=last365,
        first_commit=first,
        last_commit=last,
        tags=tuple(sorted(tags)),
        release_tags=tuple(sorted(t for t in tags if RELEASE_TAG.match(t))),
        first_seen=dict(sorted(first_seen.items())),
        removed_tools=tuple(removed),
    )


# --------------------------------------------------------------------------- scan


def default_ci_systems() -> tuple[CiSystem, ...]:
    """The default pack's CI systems, for callers that pass rules without their pack."""
    from assess.scan.rules import load_ci_systems

    return load_ci_systems(None)


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Raise ``ScanTimeout`` in this thread after ``seconds``, even inside one long regex search
    (``re`` checks for signals as it runs). Only the main thread can take signals: elsewhere
    the budget is checked between rules."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        raise ScanTimeout("stopped by its time budget")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def scan_repo(
    repo: GitRepo,
    rules: Iterable[Rule],
    *,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    with_history: bool = True,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
    ci_systems: tuple[CiSystem, ...] | None = None,
) -> RepoScan:
    """Run ``rules`` over the repository's commit, then walk its history. When the repository's
    time budget runs out (``GitRepo(budget=...)``) the scan stops where it is and the result
    says so (``incomplete``): the rules that ran keep their findings."""
    rules = list(rules)
    now = now or dt.datetime.now(dt.UTC)
    entries: list[Entry] = []
    areas: dict[str, list[Finding]] = {}
    notes: list[str] = list(repo.notes)
    view = RepoView(repo, entries, max_file_size, notes=notes)
    hist = None
    ran = 0
    log = None
    try:
        with _alarm(repo.remaining()):
            log = repo.log() if with_history else None  # git walks history while the rules run
            entries[:] = repo.tree()
            notes[:] = list(repo.notes)
            if progress:
                progress(f"{len(entries)} files at {repo.commit[:12]}")
            if ci_systems is None:
                ci_systems = default_ci_systems()
            view.ci_systems = ci_systems
            view.prefetch(view.files(files_read_by(rules, ci_systems)))
            matcher = Matcher(view)
            for rule in rules:
                if repo.expired():
                    break
                hits, strength = matcher.hits(rule)
                ran += 1
                for hit in hits[:MAX_FINDINGS_PER_RULE]:
                    areas.setdefault(rule.area, []).append(
                        _finding(rule, hit, hit.strength or strength, repo)
                    )
                if len(hits) > MAX_FINDINGS_PER_RULE:
                    notes.append(
                        f"{rule.id}: {len(hits)} matches, first {MAX_FINDINGS_PER_RULE} kept"
                    )
            if progress:
                progress(f"{view.files_read} files read ({view.bytes_read / 1e6:.1f} MB)")
            if log is not None and not repo.expired():
                evidence_paths = {
                    f.path for fs in areas.values() for f in fs if f.kind is RuleKind.positive
                }
                fired = {f.rule for fs in areas.values() for f in fs}
                hist = history(
                    log,
                    repo.tags(),
                    evidence_paths,
                    [r for r in rules if r.match.paths and r.id not in fired],
                    {e.path for e in entries},
                    now,
                    progress,
                    notes,
                )
                if repo.shallow:
                    notes.append("shallow clone: history is truncated, counts are lower bounds")
                if log.failure:
                    notes.append(f"{log.failure}; history counts are lower bounds")
    except ScanTimeout:
        pass
    finally:
        if log is not None:
            log.close()
    notes += repo.notes  # what git could not read along the way (tags), once each below
    incomplete = None
    if repo.stopped:
        incomplete = f"{repo.stopped}: {ran} of {len(rules)} rules ran" + (
            ", history not read" if with_history else ""
        )
        hist = None  # a walk cut short would undercount
    scan = RepoScan(
        source=repo.source,
        ref=repo.ref,
        commit=repo.commit,
        scanned_at=now.replace(microsecond=0),
        files=len(entries),
        bytes_read=view.bytes_read,
        history=hist,
        notes=tuple(dict.fromkeys(notes)),  # a file parsed by two rules is noted once
        incomplete=incomplete,
        areas={k: tuple(v) for k, v in areas.items()},
    )
    return clean_scan(scan)  # no secret or control character leaves the scanner
