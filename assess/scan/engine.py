"""Run the rule catalog over one repository and gather history signals.

Pure over the ``RepoView`` (files at one commit) and the commit stream; ``scan_repo`` wires
them to a ``GitRepo``. Findings are capped per rule and repository so a monorepo with ten
thousand notebooks does not drown the report; the cap is noted.
"""

from __future__ import annotations

import configparser
import contextlib
import datetime as dt
import functools
import json
import re
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal, NamedTuple

from assess.model.evidence import Finding, History, RepoScan
from assess.model.rules import CiSystem, Rule, RuleKind, ShapeMatch, Strength, YamlShape
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
from assess.scan.redact import clean_scan, redact
from assess.scan.repo import Entry, GitRepo, LogCommit, ScanTimeout
from assess.scan.view import Corpus, RepoView, matches
from assess.yamlio import load_all_untrusted

MAX_FINDINGS_PER_RULE = 20
DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024

Progress = Callable[[str], None]

DEPENDENCY_FILES = (
    "*requirements*.txt", "**/requirements/*.txt", "*requirements*.in", "*.requirements",
    "pyproject.toml", "setup.cfg", "setup.py", "environment*.yml", "environment*.yaml",
    "*env*.yml", "*env*.yaml", "conda*.yml", "conda*.yaml", "Pipfile", "Pipfile.lock",
    "poetry.lock", "uv.lock", "pdm.lock", "*.txt.tmpl", "Dockerfile*", "*.Dockerfile",
    "Containerfile", "*.sh",
)  # fmt: skip
"""Where a team declares what it installs: requirements of any name (``dev-requirements.txt``),
pyproject and setup files, conda environments (any ``*env*.yml`` that holds a conda
``dependencies`` list), lock files, and ``pip install`` lines in Dockerfiles and shell scripts
(CI steps and imports in code are added by ``dependencies``)."""
LOCK_FILES = ("poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock")
"""Read only without a pyproject.toml or Pipfile beside them: a lock lists every transitive
package, which would credit a team with tools it never chose."""
IMPORT_FILES = ("*.py", "*.ipynb")
IMPORTED_AS = {
    "sklearn": "scikit-learn", "cv2": "opencv-python", "yaml": "pyyaml", "PIL": "pillow",
    "azureml": "azureml-core", "azure.ai.ml": "azure-ai-ml",
    "google.cloud.aiplatform": "google-cloud-aiplatform", "databricks.feature_store":
    "databricks-feature-store", "databricks.feature_engineering":
    "databricks-feature-engineering", "tensorflow_data_validation": "tensorflow-data-validation",
    "tensorflow_model_analysis": "tensorflow-model-analysis", "gx": "great-expectations",
}  # fmt: skip
_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import\b|import[ \t]+([\w.]+))", re.M)
_PIP_INSTALL = re.compile(
    r"\b(?:pip3?|uv[ \t]+pip|python3?[ \t]+-m[ \t]+pip)[ \t]+install[ \t]+([^\n&|;#]*)"
)


USE_STRENGTH: dict[str, Strength] = {
    "declared": Strength.dependency,
    "installed": Strength.dependency,
    "imported": Strength.code,
}
"""An import is code that uses the package; a declaration or an install line only names it."""


def normalise(name: str) -> str:
    """PEP 503 name: lower case, runs of -_. become -, extras and versions dropped."""
    name = re.split(r"[\s\[<>=!~;@(]", name.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


# --------------------------------------------------------------------------- dependencies


def _requirement_names(items: Iterable[Any]) -> list[str]:
    return [
        normalise(x) for x in items if isinstance(x, str) and x.strip() and not x.startswith("-")
    ]


def _names_in(path: str, text: str) -> list[str]:
    """Package names a dependency file declares; a malformed file raises (``RepoView.parse``
    notes and skips it)."""
    base = path.rsplit("/", 1)[-1].lower()
    names: list[str] = []
    if base.startswith(("dockerfile", "containerfile")) or base.endswith((".dockerfile", ".sh")):
        names = pip_installed(text)
    elif base.endswith((".txt", ".in", ".requirements", ".tmpl")):
        names = _requirement_names(line.split("#", 1)[0] for line in text.splitlines())
    elif base in ("poetry.lock", "uv.lock", "pdm.lock"):
        import tomllib  # imported when a TOML file is read

        packages = tomllib.loads(text).get("package", [])
        names = [normalise(p["name"]) for p in packages if isinstance(p, dict) and "name" in p]
    elif base == "pipfile.lock":
        data = json.loads(text)
        for section in ("default", "develop"):
            names += [normalise(k) for k in data.get(section, {})]
    elif base == "pyproject.toml" or base == "pipfile":
        import tomllib

        data = tomllib.loads(text)
        project = data.get("project", {})
        names += _requirement_names(project.get("dependencies", []))
        for extra in project.get("optional-dependencies", {}).values():
            names += _requirement_names(extra)
        poetry = data.get("tool", {}).get("poetry", {})
        names += [normalise(k) for k in poetry.get("dependencies", {})]
        for group in poetry.get("group", {}).values():
            names += [normalise(k) for k in group.get("dependencies", {})]
        for section in ("packages", "dev-packages"):
            names += [normalise(k) for k in data.get(section, {})]
    elif base == "setup.cfg":
        cp = configparser.ConfigParser(interpolation=None)
        cp.read_string(text)
        if cp.has_option("options", "install_requires"):
            names += _requirement_names(cp.get("options", "install_requires").splitlines())
        if cp.has_section("options.extras_require"):
            for _, value in cp.items("options.extras_require"):
                names += _requirement_names(value.splitlines())
    elif base == "setup.py":
        # never executed: quoted requirement strings inside install_requires/extras
        block = re.search(r"(?:install_requires|extras_require)\s*=\s*[\[{](.*?)[\]}]", text, re.S)
        if block:
            names += _requirement_names(re.findall(r"['\"]([^'\"]+)['\"]", block.group(1)))
    else:  # a conda environment: a YAML whose dependencies list packages
        docs = load_all_untrusted(text)
        names = _conda_names(docs[0] if docs else {})
    return [n for n in names if n]


CONDA_SHAPE = ShapeMatch(
    files=("*.yml", "*.yaml"),
    any_of=(YamlShape(has=("dependencies",), has_any=("channels", "name", "dependencies.pip")),),
)


def _conda_names(data: Any) -> list[str]:
    names: list[str] = []
    deps = data.get("dependencies") if isinstance(data, dict) else None
    for dep in deps if isinstance(deps, list) else []:
        if isinstance(dep, str):
            names.append(normalise(dep.split("::")[-1]))
        elif isinstance(dep, dict):
            names += _requirement_names(dep.get("pip", []))
    return [n for n in names if n]


def pip_installed(text: str) -> list[str]:
    """Packages named by the ``pip install`` lines of a script, Dockerfile or CI step."""
    names = []
    for m in _PIP_INSTALL.finditer(text):
        words = m.group(1).replace("\\", " ").split()
        skip = False
        for w in words:
            if skip:
                skip = False
                continue
            if w in (
                "-r",
                "-c",
                "-e",
                "--requirement",
                "--constraint",
                "-i",
                "--index-url",
                "--extra-index-url",
                "-f",
                "--find-links",
                "--target",
                "-t",
            ):
                skip = True
                continue
            w = w.strip("'\"")
            if w and not w.startswith(("-", ".", "/", "$", "git+", "http")):
                names.append(normalise(w))
    return [n for n in names if re.fullmatch(r"[a-z0-9][a-z0-9-]*", n)]


def imported(text: str) -> list[str]:
    """Packages a module imports, by their install names where they differ."""
    out = []
    for m in _IMPORT.finditer(text):
        module = m.group(1) or m.group(2)
        for prefix, package in IMPORTED_AS.items():
            if module == prefix or module.startswith(prefix + "."):
                out.append(package)
                break
        else:
            out.append(normalise(module.split(".", 1)[0]))
    return out


How = Literal["declared", "installed", "imported"]


class DependencyUse(NamedTuple):
    """Where a package was first found and how: ``declared`` in a dependency file (a
    requirements, pyproject, setup, conda or lock file), ``installed`` by a ``pip install`` line
    (a Dockerfile, a shell script, a CI step) or ``imported`` by code (a module or a notebook's
    code cells). ``text`` is that line."""

    path: str
    line: int | None
    how: How
    text: str = ""

    @property
    def snippet(self) -> str:
        return f"{self.how}: {self.text}" if self.text else self.how


_INSTALLED_BY = ("dockerfile", "containerfile")


def dependencies(view: RepoView) -> dict[str, DependencyUse]:
    """Package name -> where it is first found: dependency files first, then ``pip install``
    steps in CI, then imports in code (an import is use too). Computed once per view."""
    if "dependencies" in view.memo:
        known: dict[str, DependencyUse] = view.memo["dependencies"]
        return known
    found: dict[str, DependencyUse] = {}

    def add(name: str, path: str, text: str, how: How) -> None:
        if name in found:
            return
        line = line_of(text, name.replace("-", "")) or line_of(text, name)
        if how == "imported":  # the import line itself, not a first mention in a comment
            line = _import_line(text, name) or line
        shown = text.splitlines()[line - 1].strip() if line else ""
        found[name] = DependencyUse(path, line, how, shown)

    found_files = {e.path for e in view.files(DEPENDENCY_FILES)}
    manifests = {p.rsplit("/", 1)[0] if "/" in p else "" for p in found_files
                 if p.rsplit("/", 1)[-1] in ("pyproject.toml", "Pipfile")}  # fmt: skip
    for e in view.files(DEPENDENCY_FILES):
        folder, _, base = e.path.rpartition("/")
        if base in LOCK_FILES and folder in manifests:
            continue  # the manifest beside it names the direct dependencies; a lock adds all
        names = view.parse(e, functools.partial(_names_in, e.path), "dependency file")
        text = view.text(e)
        low = base.lower()
        how: How = (
            "installed"
            if low.startswith(_INSTALLED_BY) or low.endswith((".dockerfile", ".sh"))
            else "declared"
        )
        for name in names or () if text is not None else ():
            add(name, e.path, text or "", how)
    for e in view.files(("*.yml", "*.yaml")):  # a conda environment of any name, by content
        if e.path not in found_files and (docs := shaped_docs(view, e, CONDA_SHAPE)):
            for name in _conda_names(docs[0]):
                add(name, e.path, view.text(e) or "", "declared")
    for path, line, cmd in repo_commands(view):
        for name in pip_installed(cmd):
            if name not in found:
                found[name] = DependencyUse(path, line, "installed", " ".join(cmd.split()))
    for e, code in view.corpus(IMPORT_FILES, notebook_code).search(_IMPORT):
        for name in imported(code):
            add(name, e.path, code, "imported")
    view.memo["dependencies"] = found
    return found


def _import_line(code: str, package: str) -> int | None:
    """The line of the first import of ``package`` (by its install name) in ``code``."""
    for n, line in enumerate(code.splitlines(), 1):
        if (m := _IMPORT.match(line)) and package in imported(m.group(0)):
            return n
    return None


# --------------------------------------------------------------------------- matchers


def notebook_code(text: str) -> str:
    """The code cells of a notebook; markdown and outputs are not evidence of running code.
    A file that is not a notebook raises (``RepoView`` notes and skips it)."""
    nb = json.loads(text)
    cells = nb.get("cells", []) if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise ValueError("no list of cells")
    out = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            src = cell.get("source", "")
            out.append("".join(map(str, src)) if isinstance(src, list) else str(src))
    return "\n".join(out)


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
