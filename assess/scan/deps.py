"""The packages a repository uses, wherever a team declares them: requirements files of any name
and folder, pyproject, setup.cfg/setup.py, Pipfile, poetry/uv/pdm locks (skipped beside their
manifest), conda environments recognised by content, ``pip install`` in Dockerfiles, shell
scripts and CI steps, and imports in code (an import is use too). ``dependencies`` computes it
once per ``RepoView``, for the dependency rules and the checks that ask "does anything show X".
"""

from __future__ import annotations

import configparser
import functools
import json
import re
from collections.abc import Iterable
from typing import Any, Literal, NamedTuple

from assess.model.rules import ShapeMatch, Strength, YamlShape
from assess.scan.ci import (
    line_of,
    repo_commands,
    shaped_docs,
)
from assess.scan.view import RepoView
from assess.yamlio import load_all_untrusted

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
