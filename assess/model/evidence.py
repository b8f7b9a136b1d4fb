"""What a scan writes: findings per repository and commit, history, failures (the evidence
file ``assess scan`` writes and ``assess evidence merge`` combines).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from assess.model.base import Frozen
from assess.model.rules import RuleKind, Strength


class Finding(Frozen):
    repo: str = Field(description="the repository scanned (path or URL as given)")
    rule: str
    area: str
    title: str
    kind: RuleKind
    strength: Strength
    level: int
    questions: tuple[str, ...]
    path: str
    line: int | None = None
    commit: str
    snippet: str | None = Field(default=None, description="never a secret's value")
    remediation: str = ""


class History(Frozen):
    commits: int
    contributors: int
    commits_last_90_days: int
    commits_last_365_days: int
    first_commit: dt.datetime | None
    last_commit: dt.datetime | None
    tags: tuple[str, ...]
    release_tags: tuple[str, ...] = Field(description="tags named like name@v1.2.3 or v1.2.3")
    first_seen: dict[str, str] = Field(description="evidence path -> date it first appeared")
    removed_tools: tuple[str, ...] = Field(
        description="rules matched by paths in history but not at the scanned commit"
    )


class RepoScan(Frozen):
    source: str
    ref: str
    commit: str
    scanned_at: dt.datetime
    files: int
    bytes_read: int
    history: History | None
    notes: tuple[str, ...] = ()
    incomplete: str | None = Field(
        default=None,
        description="why the scan stopped before every rule ran (its time budget); what it "
        "did not reach is unknown, not absent",
    )
    areas: dict[str, tuple[Finding, ...]]


class ScanFailure(Frozen):
    """A repository that could not be scanned (the others still are)."""

    source: str = Field(description="the repository as given (path or URL)")
    message: str = Field(description="why, in one line")


class PortfolioRow(Frozen):
    """One area across every scanned repository (``assess.scan.portfolio``)."""

    area: str
    title: str
    repos: int = Field(description="repositories scanned")
    repos_with_practice: int = Field(description="repos with at least one positive finding")
    repos_with_problems: int = Field(description="repos with at least one negative finding")
    share: float = Field(description="repos_with_practice / repos, 0-1 (0 with no repos)")
    top_rules: tuple[tuple[str, int], ...] = Field(
        description="the 3 positive rules found in most repos: (rule id, repos), most first"
    )


class Evidence(Frozen):
    """The evidence file ``assess scan --format json`` writes and score/report read."""

    schema_version: Literal[1] = 1
    tool_version: str
    pack_id: str
    pack_version: str
    repos: tuple[RepoScan, ...]
    failed: tuple[ScanFailure, ...] = Field(
        default=(), description="repositories that could not be scanned, in input order"
    )
