"""Typed scan rules: the pack's ``rules/<area>.yaml`` files. Results live in ``assess.model``."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from assess.model import Frozen, Level, NonEmpty, QuestionId, RuleKind, Slug

RuleId = Annotated[
    str, Field(pattern=r"^[a-z]+/[a-z0-9]+(-[a-z0-9]+)*$", description="<area>/<kebab-slug>")
]


class ContentMatch(Frozen):
    files: tuple[str, ...] = Field(min_length=1, description="globs of files to read")
    pattern: NonEmpty = Field(description="Python regex, matched per line")


class YamlKeyMatch(Frozen):
    files: tuple[str, ...] = Field(min_length=1)
    key: NonEmpty = Field(description="dotted key path, e.g. 'kind' or 'spec.predictor'")
    equals: tuple[str, ...] = Field(default=(), description="any of these values (empty: any)")


class CiStepMatch(Frozen):
    pattern: NonEmpty = Field(description="regex over the commands CI steps run")


class Match(Frozen):
    """Exactly one way of matching."""

    paths: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()
    content: ContentMatch | None = None
    yaml_key: YamlKeyMatch | None = None
    ci_step: CiStepMatch | None = None
    check: Slug | None = Field(default=None, description="a check written in Python")

    @model_validator(mode="after")
    def _exactly_one(self) -> Match:
        given = [
            k
            for k in ("paths", "dependencies", "content", "yaml_key", "ci_step", "check")
            if getattr(self, k)
        ]
        if len(given) != 1:
            raise ValueError(f"give exactly one matcher, got {given or 'none'}")
        return self

    @property
    def type(self) -> str:
        for k in ("paths", "dependencies", "content", "yaml_key", "ci_step", "check"):
            if getattr(self, k):
                return k
        raise AssertionError("validated to have one matcher")


class Examples(Frozen):
    """Fixture files (path -> content) on which the rule must fire, and must not. A content of
    ``@zeros:N`` stands for N zero bytes (to test size limits without huge YAML)."""

    match: dict[str, str] = Field(min_length=1)
    no_match: dict[str, str] = Field(min_length=1)


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


class RuleFile(Frozen):
    """``rules/<area>.yaml``: the scan rules of one area."""

    area: Slug
    rules: tuple[Rule, ...] = Field(min_length=1)
