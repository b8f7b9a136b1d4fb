"""Which files of a repository are CI configuration, and what commands they run.

A file is CI configuration when a CI system of the pack's ``ci.yaml`` recognises it: by its name
(``.github/workflows/*.yml``, a ``Jenkinsfile`` in any folder), by its shape (an Azure Pipelines
file is a YAML whose ``steps`` hold ``task:``/``script:`` items, whatever its folder or name; a
Cloud Build file's steps name ``gcr.io/...`` images), by code that defines a pipeline
(CodePipeline in CloudFormation, CDK or Terraform), or because a CI file includes it (Azure
``template:``, GitLab ``include: local``). Every CI rule reads the same set: ``ci_config`` lists
it, ``ci_step`` rules match the commands it runs, and content rules name it ``@ci``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from assess.model.rules import CiSystem, CommandStyle, ShapeMatch, YamlShape
from assess.scan.repo import Entry
from assess.scan.view import RepoView
from assess.yamlio import load_all_untrusted

CI_GLOB = "@ci"
"""In a content rule's ``files``: the repository's CI files, wherever they are."""

CI_COMMAND_KEYS = {
    "run", "script", "before_script", "after_script", "bash", "pwsh", "powershell",
    "inlineScript", "command", "commands", "args", "steps", "entrypoint", "source",
    "install", "before_install", "after_success", "scriptContent",
}  # fmt: skip


@dataclass(frozen=True)
class CiFile:
    entry: Entry
    system: CiSystem
    docs: tuple[Any, ...] | None  # parsed YAML, when it was read as YAML

    @property
    def path(self) -> str:
        return self.entry.path


# --------------------------------------------------------------------------- shapes


def values_at(doc: Any, path: str) -> list[Any]:
    """Every value at a dotted ``path`` (lists are looked through); ``**.key`` at any depth."""
    if path.startswith("**."):
        key, _, rest = path[3:].partition(".")
        found = [v for k, v in _walk_items(doc) if k == key]
        return [x for v in found for x in (values_at(v, rest) if rest else [v])]
    nodes = [doc]
    for part in path.split("."):
        nxt: list[Any] = []
        for n in nodes:
            if isinstance(n, dict) and part in n:
                nxt.append(n[part])
            elif isinstance(n, list):
                nxt += [x[part] for x in n if isinstance(x, dict) and part in x]
        nodes = nxt
    return nodes


def _walk_items(node: Any) -> Iterator[tuple[str, Any]]:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            for k, v in n.items():
                yield str(k), v
                stack.append(v)
        elif isinstance(n, list):
            stack.extend(n)


@lru_cache(maxsize=256)
def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def shape_holds(doc: Any, shape: YamlShape) -> bool:
    if not isinstance(doc, dict):
        return False
    if any(not values_at(doc, p) for p in shape.has):
        return False
    if shape.has_any and not any(values_at(doc, p) for p in shape.has_any):
        return False
    if shape.items is not None:
        keys = set(shape.items.keys)
        lists = [v for v in values_at(doc, shape.items.under) if isinstance(v, list)]
        if not any(isinstance(i, dict) and keys & set(i) for lst in lists for i in lst):
            return False
    for path, pattern in shape.values.items():
        found = [  # a list of scalars is looked through (GitLab's "stages: [build, test]")
            x
            for v in values_at(doc, path)
            for x in (v if isinstance(v, list) else [v])
            if isinstance(x, str | int | float)
        ]
        if not any(_rx(pattern).search(str(v)) for v in found):
            return False
    return True


def _top_keys(shape: YamlShape) -> set[str]:
    """Keys one of which must appear in the text for the shape to hold (a cheap prefilter)."""
    paths = [
        *shape.has[:1],
        *shape.has_any,
        *shape.values,
        *([shape.items.under] if shape.items else []),
    ]
    return {p.removeprefix("**.").split(".", 1)[0] for p in paths}


def shaped_docs(view: RepoView, entry: Entry, match: ShapeMatch) -> tuple[Any, ...] | None:
    """The file's YAML documents when one of them has one of the shapes, else None."""
    text = view.text(entry)
    if not text:
        return None
    needles = set().union(*(_top_keys(s) for s in match.any_of))
    if needles and not any(f"{k}:" in text for k in needles):
        return None
    docs = view.parse(entry, load_all_untrusted, "YAML file")
    if docs and any(shape_holds(d, s) for d in docs for s in match.any_of):
        return tuple(docs)
    return None


# --------------------------------------------------------------------------- CI files


def repo_ci_files(view: RepoView) -> list[CiFile]:
    """``ci_files`` of the view's CI systems, computed once per view."""
    if "ci_files" not in view.memo:
        view.memo["ci_files"] = ci_files(view, view.ci_systems)
    files: list[CiFile] = view.memo["ci_files"]
    return files


def repo_commands(view: RepoView) -> list[tuple[str, int | None, str]]:
    """``commands`` of the view's CI files, computed once per view."""
    if "ci_commands" not in view.memo:
        view.memo["ci_commands"] = commands(view, repo_ci_files(view))
    found: list[tuple[str, int | None, str]] = view.memo["ci_commands"]
    return found


def ci_files(view: RepoView, systems: tuple[CiSystem, ...]) -> list[CiFile]:
    """The repository's CI files, each with the first system (in ``ci.yaml`` order) that
    recognises it, in path order."""
    found: dict[str, CiFile] = {}
    for system in systems:
        for e in view.files(system.paths):
            if e.size != 0:  # an empty file configures nothing
                found.setdefault(e.path, CiFile(e, system, None))
    for system in systems:
        if system.shape is not None:
            for e in view.files(system.shape.files):
                if e.path not in found and (docs := shaped_docs(view, e, system.shape)):
                    found[e.path] = CiFile(e, system, docs)
        if system.content is not None:
            corpus = view.corpus(system.content.files)
            if not corpus.may_match(system.content.pattern, re.M):
                continue  # no file can match: the regex is never compiled
            for e, _text in corpus.search(re.compile(system.content.pattern, re.M)):
                found.setdefault(e.path, CiFile(e, system, None))
    pending = [f for f in found.values() if f.system.includes]
    while pending:
        f = pending.pop()
        for path in _included(view, f):
            if path not in found and (entry := view.file_at(path)) is not None:
                found[path] = CiFile(entry, f.system, None)
                pending.append(found[path])
    return [found[p] for p in sorted(found)]


def _docs(view: RepoView, f: CiFile) -> tuple[Any, ...]:
    if f.docs is not None:
        return f.docs
    docs = view.parse(f.entry, load_all_untrusted, "CI file")
    return tuple(docs or ())


def _included(view: RepoView, f: CiFile) -> list[str]:
    """Repository paths a CI YAML includes: Azure ``template: path`` (relative to the file, or
    to the root with a leading /; ``path@repo`` is another repository's), GitLab
    ``include: local`` or a plain path (from the root)."""
    here = posixpath.dirname(f.path)
    out = []
    for doc in _docs(view, f):
        for key, value in _walk_items(doc):
            if key == "template" and isinstance(value, str) and "@" not in value:
                base = "" if value.startswith("/") else here
                out.append(posixpath.normpath(posixpath.join(base, value.lstrip("/"))))
        includes = doc.get("include") if isinstance(doc, dict) else None
        for item in includes if isinstance(includes, list) else [includes]:
            local = item.get("local") if isinstance(item, dict) else item
            if isinstance(local, str) and "://" not in local and "$" not in local:
                out.append(posixpath.normpath(local.lstrip("/")))
    return out


# --------------------------------------------------------------------------- commands

_JENKINS_STEP = re.compile(
    r"\b(?:sh|bat|powershell)\s*\(?\s*(?:script\s*:\s*)?(?:'''|\"\"\"|'|\")(.*?)(?:'''|\"\"\"|'|\")",
    re.S,
)


def _walk_commands(node: Any, out: list[str], key: str | None = None) -> None:
    stack: list[tuple[Any, str | None]] = [(node, key)]
    while stack:
        n, k = stack.pop()
        if isinstance(n, dict):
            joined = _joined_step(n)
            if joined:
                out.append(joined)
            items = [(v, str(kk)) for kk, v in n.items() if not (joined and kk in _JOINED)]
            stack.extend(reversed(items))
        elif isinstance(n, list):
            stack.extend((x, k) for x in reversed(n))
        elif isinstance(n, str) and k in CI_COMMAND_KEYS:
            out.extend(n.splitlines())


_JOINED = ("args", "entrypoint", "command")


def _joined_step(step: dict[Any, Any]) -> str | None:
    """A container step whose command is split over keys (Cloud Build ``entrypoint: pytest``
    with ``args: [-q]``; ``name: gcr.io/cloud-builders/docker`` with ``args: [build, .]``;
    Tekton or Argo ``command: [python]`` with ``args: [train.py]``), as one command line."""
    args = step.get("args")
    if not (
        isinstance(args, list) and args and all(isinstance(a, str | int | float) for a in args)
    ):
        return None
    head = step.get("entrypoint") or step.get("command")
    if isinstance(head, list):
        head = " ".join(map(str, head))
    if not isinstance(head, str) or not head:
        image = step.get("name") or step.get("image")
        head = str(image).rsplit("/", 1)[-1].split(":", 1)[0] if image else ""
    if head in ("bash", "sh") and len(args) >= 2 and args[0] == "-c":
        return " ".join(map(str, args[1:]))
    return " ".join([head, *map(str, args)]).strip()


def commands(view: RepoView, files: list[CiFile]) -> list[tuple[str, int | None, str]]:
    """(file, line, command) for every command line the CI files run. YAML comments are
    dropped by the parser; shell comment lines and Groovy comments are dropped here."""
    out: list[tuple[str, int | None, str]] = []
    for f in files:
        style = f.system.commands
        if style is CommandStyle.none:
            continue
        text = view.text(f.entry)
        if not text:
            continue
        lines: list[str] = []
        if style is CommandStyle.groovy:
            code = "\n".join(x for x in text.splitlines() if not x.strip().startswith("//"))
            for body in _JENKINS_STEP.findall(code):
                lines.extend(body.splitlines())
        else:
            for doc in _docs(view, f):
                _walk_commands(doc, lines)
        for cmd in lines:
            cmd = cmd.strip()
            if cmd and not cmd.startswith("#"):
                out.append((f.path, line_of(text, cmd[:60]), cmd))
    return out


def line_of(text: str, needle: str) -> int | None:
    low = needle.lower()
    for n, line in enumerate(text.splitlines(), 1):
        if low in line.lower():
            return n
    return None
