"""The scan rules of a pack (``rules/<area>.yaml``, ``ci.yaml``): what a rule matches, how
strong its finding is, and the CI systems; ``assess.scan.rules`` loads and checks them.
``ScanPack`` is what a scan needs of a pack (its identity, area titles, rules and CI systems):
``assess.model.pack.Pack`` extends it, and a scan loads only this part (``assess.packcache``).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from assess.model.base import Frozen, Level, NonEmpty, QuestionId, Slug


class RuleKind(StrEnum):
    positive = "positive"  # shows a practice exists
    negative = "negative"  # shows a problem (committed binaries, secrets, huge files)
    prompt = "prompt"  # something to ask in the interview: never evidence, never caps a level


class Strength(StrEnum):
    """How strong a finding is: a file that exists < a dependency < code using it < a CI step
    that runs it (ML Test Score: automated beats documented)."""

    file = "file"
    dependency = "dependency"
    code = "code"
    ci = "ci"


# The pack's ``rules/<area>.yaml`` files; ``assess.scan.rules`` loads and checks them.

RuleId = Annotated[
    str, Field(pattern=r"^[a-z]+/[a-z0-9]+(-[a-z0-9]+)*$", description="<area>/<kebab-slug>")
]


class ContentMatch(Frozen):
    """A regex over chosen files. The finding is the first line ``pattern`` matches, in a file
    none of the ``exclude`` globs names and in which every ``also`` regex matches some line
    (another section of a model card, the orchestrator decorator around an extraction)."""

    files: tuple[str, ...] = Field(min_length=1, description="globs of files to read")
    exclude: tuple[str, ...] = Field(
        default=(), description="globs of files not to count (tests, fixtures)"
    )
    pattern: NonEmpty = Field(description="Python regex, matched per line")
    also: tuple[NonEmpty, ...] = Field(
        default=(), description="regexes that must each match some line of the same file"
    )

    @property
    def patterns(self) -> tuple[str, ...]:
        return (self.pattern, *self.also)

    @field_validator("also")
    @classmethod
    def _also_compiles(cls, also: tuple[str, ...]) -> tuple[str, ...]:
        from assess.scan.literals import nested_repeat

        for pattern in also:
            try:
                compiled = re.compile(pattern, re.MULTILINE)
            except re.error as exc:
                raise ValueError(f"invalid regex {pattern!r}: {exc}") from None
            if compiled.fullmatch(""):
                raise ValueError(f"{pattern!r} matches an empty line, so every file has it")
            if nested_repeat(pattern):
                raise ValueError(f"{pattern!r} repeats a repetition (exponential on long lines)")
        return also


class YamlKeyMatch(Frozen):
    files: tuple[str, ...] = Field(min_length=1)
    key: NonEmpty = Field(description="dotted key path, e.g. 'kind' or 'spec.predictor'")
    equals: tuple[str, ...] = Field(default=(), description="any of these values (empty: any)")


class CiStepMatch(Frozen):
    pattern: NonEmpty = Field(description="regex over the commands CI steps run")


class ItemShape(Frozen):
    under: NonEmpty = Field(
        description="dotted path to a list ('steps', 'runs.steps'); '**.steps' at any depth"
    )
    keys: tuple[str, ...] = Field(min_length=1, description="an item of it has one of these keys")


class YamlShape(Frozen):
    """What a YAML document looks like: every condition given must hold."""

    has: tuple[str, ...] = Field(default=(), description="dotted paths that must all exist")
    has_any: tuple[str, ...] = Field(default=(), description="at least one of these must exist")
    items: ItemShape | None = None
    values: dict[str, str] = Field(
        default_factory=dict,
        description="dotted path -> regex one of its values (or list items) must match",
    )

    @model_validator(mode="after")
    def _not_empty(self) -> YamlShape:
        if not (self.has or self.has_any or self.items or self.values):
            raise ValueError("a shape needs has, has_any, items or values")
        return self


class ShapeMatch(Frozen):
    files: tuple[str, ...] = Field(min_length=1, description="globs of YAML files to look at")
    exclude: tuple[str, ...] = Field(
        default=(), description="globs of files not to count (another rule's files, tests)"
    )
    any_of: tuple[YamlShape, ...] = Field(min_length=1, description="the document has one of")


class Match(Frozen):
    """Exactly one way of matching."""

    paths: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()
    content: ContentMatch | None = None
    yaml_key: YamlKeyMatch | None = None
    ci_step: CiStepMatch | None = None
    ci_config: bool = Field(default=False, description="every CI file (the pack's ci.yaml)")
    shape: ShapeMatch | None = None
    check: Slug | None = Field(default=None, description="a check written in Python")

    @model_validator(mode="after")
    def _exactly_one(self) -> Match:
        given = [k for k in MATCH_TYPES if getattr(self, k)]
        if len(given) != 1:
            raise ValueError(f"give exactly one matcher, got {given or 'none'}")
        return self

    @property
    def type(self) -> str:
        for k in MATCH_TYPES:
            if getattr(self, k):
                return k
        raise AssertionError("validated to have one matcher")


MATCH_TYPES = (
    "paths", "dependencies", "content", "yaml_key", "ci_step", "ci_config", "shape", "check",
)  # fmt: skip


class Examples(Frozen):
    """Fixture files (path -> content) on which the rule must fire, and must not. A content of
    ``@zeros:N`` stands for N zero bytes (to test size limits without huge YAML)."""

    match: dict[str, str] = Field(min_length=1)
    no_match: dict[str, str] = Field(min_length=1)


class CommandStyle(StrEnum):
    yaml = "yaml"  # command lines under run/script/commands/... keys
    groovy = "groovy"  # sh/bat/powershell steps of a Jenkinsfile
    none = "none"  # recognised as CI; its commands are not read


class CiSystem(Frozen):
    """A CI system the scanner recognises, by file name or by what a file looks like. Files of
    any system are CI configuration for every CI rule (``ci_config``, ``ci_step``, and content
    rules reading the ``@ci`` files)."""

    id: Slug
    title: NonEmpty
    paths: tuple[str, ...] = Field(default=(), description="file globs that are this system's")
    shape: ShapeMatch | None = None
    content: ContentMatch | None = Field(
        default=None, description="code that defines a pipeline (CloudFormation, CDK, Terraform)"
    )
    commands: CommandStyle = CommandStyle.yaml
    includes: bool = Field(
        default=False,
        description="YAML files it includes (Azure 'template:', GitLab 'include: local') count "
        "as this system's files too",
    )
    examples: Examples

    @model_validator(mode="after")
    def _recognisable(self) -> CiSystem:
        if not (self.paths or self.shape or self.content):
            raise ValueError("give paths, shape or content")
        return self


class Rule(Frozen):
    id: RuleId
    title: NonEmpty
    kind: RuleKind = RuleKind.positive
    questions: tuple[QuestionId, ...] = ()
    level: Level = Field(description="level the evidence supports (negative: the level it caps)")
    remediation: str = ""
    match: Match
    examples: Examples | None = Field(
        default=None, description="test fixtures: every rule of a shipped pack has them"
    )

    @property
    def area(self) -> str:
        return self.id.split("/", 1)[0]


class CiSystemFile(Frozen):
    """``ci.yaml``: the CI systems a scan recognises, tried in this order."""

    systems: tuple[CiSystem, ...] = Field(min_length=1)


class RuleFile(Frozen):
    """``rules/<area>.yaml``: the scan rules of one area."""

    area: Slug
    rules: tuple[Rule, ...] = Field(min_length=1)


class AreaTitle(Frozen):
    """An area as a scan names it (``assess.model.pack.Area`` adds the rest)."""

    id: Slug
    title: NonEmpty


class ScanPack(Frozen):
    """What a scan needs of a pack: which pack it is, its areas' titles in pack order, its
    rules and the CI systems it recognises. A ``Pack`` is one, with everything else."""

    id: str
    version: str
    areas: tuple[AreaTitle, ...]
    rules: tuple[Rule, ...] = ()
    ci_systems: tuple[CiSystem, ...] = Field(
        default=(), description="CI systems the scan recognises (ci.yaml)"
    )
    source: str = Field(description="folder the pack was loaded from")
