"""Catalog references in plan texts: ``{tools:<kind>}`` names the tools of one kind of the
catalog (``tools.yaml`` ``kinds``), fitted to the client.

A plan text says what to do; where a kind of tool does it, the text names the kind through a
reference instead of naming products ("Define the steps as a pipeline in {tools:orchestrator},
logging each run"). When the result is built (``assess.scoring.assess``), every reference
becomes, for this client:

- "the Apache Airflow orchestrator you already run" when the client runs a tool of that kind
  (the best-fitting one, if it runs several; "the GitLab CI/CD you already run" when the name
  says the kind already);
- else "an orchestrator such as Kubeflow Pipelines or Prefect": the best-fitting tools of the
  kind it can run, at most ``NAMED`` (the successor of a retired tool it runs first);
- else, when none fits, "an orchestrator".

So a reference stands where a noun phrase does, and the sentence reads right either way. Who
may be named and in which order is ``assess.recommend.Fit``, the recommendations' own rules:
active tools only (never deprecated or retired), never a managed service of a cloud the client
does not use, self-hostable tools only for a client on premises only, tools in use first, then
the expertise fit and the tools that work with what the client runs or is advised to adopt.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from assess.model.pack import Pack, Tool, ToolKind
from assess.validation import did_you_mean

if TYPE_CHECKING:  # loading a pack checks references without the result models
    from assess.model.result import Recommendation
    from assess.recommend import Fit

REFERENCE = re.compile(r"\{tools:([a-z][a-z0-9_]*)\}")
BRACES = re.compile(r"[{}]")
NAMED = 2
"""How many tools a reference names when the client runs none of its kind."""


def check_references(text: str, kinds: Sequence[ToolKind]) -> str | None:
    """What is wrong with the references of a plan text (None when nothing): a kind the
    catalog does not have, or a brace that is not part of a reference."""
    known = {k.id for k in kinds}
    for m in REFERENCE.finditer(text):
        if m.group(1) not in known:
            hint = did_you_mean(m.group(1), known) or (
                f" (tools.yaml kinds: {', '.join(sorted(known)) or 'none'})"
            )
            return f"{m.group(0)}: no kind of tool {m.group(1)!r} in tools.yaml{hint}"
    if BRACES.search(REFERENCE.sub("", text)):
        return "a brace that is not a catalog reference {tools:<kind>}"
    return None


def short_name(tool: Tool) -> str:
    """The name to use inside a sentence: without its parenthesis ("Azure DevOps (Azure
    Pipelines)" -> "Azure DevOps")."""
    return tool.name.split(" (", 1)[0]


PLATFORM_KINDS = 3
"""A tool listed under this many kinds of tool or more is a platform: a plan names the part it
needs "the model monitor in Azure Machine Learning, which you already use", not "the Azure
Machine Learning model monitor you already run", which would claim the part is in use."""


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def fitted(
    pack: Pack, fit: Fit, recommendations: Sequence[Recommendation] = ()
) -> Callable[[str], str]:
    """A function that resolves the references of a text for the client ``fit`` describes.
    The best fits the recommendations advise adopting count as tools the client will run next
    (a tool that works with them fits better), as they do in the recommendations."""
    from assess.recommend import join_names  # loaded with the result; a pack load needs none

    stack: list[Tool] = []
    for r in recommendations:  # the best fits to adopt: not in use, nor migrated to
        tool = pack.tool(r.tool)
        if r.rank == 1 and r.tool not in fit.in_use and tool and tool not in stack:
            stack.append(tool)
    said: dict[str, str] = {}
    # a tool of many kinds (Azure Machine Learning: registry, serving, monitoring, ...) is a
    # platform: that the client runs it says nothing of whether it uses the part a plan needs
    platforms: Counter[str] = Counter(t for k in pack.tool_kinds for t in k.tools)

    def phrase(kind: ToolKind) -> str:
        ours, others = fit.ranked(kind.area, among=kind.tools, stack=stack)
        running = [t for t in ours if fit.runs(t)]
        if running:
            tool = running[0]
            name = short_name(tool)
            if platforms[tool.id] >= PLATFORM_KINDS:  # it runs the platform, maybe not this part
                return f"the {kind.name} in {name}, which you already use"
            # "the GitLab CI/CD you already run", not "the GitLab CI/CD CI service ..."
            said_already = _words(name) & _words(kind.name)
            return f"the {name}{'' if said_already else ' ' + kind.name} you already run"
        names = [short_name(t) for t in [*ours, *others][:NAMED]]
        if not names:
            return kind.indefinite
        return f"{kind.indefinite} such as {join_names(names, 'or')}"

    def resolve(text: str) -> str:
        def one(m: re.Match[str]) -> str:
            kind_id = m.group(1)
            if kind_id not in said:
                kind = pack.tool_kind(kind_id)
                said[kind_id] = phrase(kind) if kind else m.group(0)
            words = said[kind_id]
            opens = not text[: m.start()].strip() or text[: m.start()].rstrip().endswith(".")
            return words[:1].upper() + words[1:] if opens else words

        return REFERENCE.sub(one, text)

    return resolve
