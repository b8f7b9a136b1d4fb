"""What rules and checks see of a repository: the files at one commit, read at most once."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from assess.scan.repo import Entry, GitRepo


@lru_cache(maxsize=512)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """gitignore-like globs: ``**/`` any folders (or none), ``*`` within one name, ``?`` one
    character; a pattern without ``/`` matches a file name in any folder."""
    if "/" not in pattern:
        pattern = "**/" + pattern
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out + r"\Z", re.IGNORECASE)


def matches(path: str, globs: Iterable[str]) -> bool:
    return any(glob_regex(g).match(path) for g in globs)


@dataclass
class RepoView:
    repo: GitRepo
    entries: list[Entry]
    max_file_size: int
    notes: list[str] = field(default_factory=list)
    bytes_read: int = 0
    files_read: int = 0
    _texts: dict[str, str | None] = field(default_factory=dict)
    _too_big_noted: set[str] = field(default_factory=set)

    @property
    def commit(self) -> str:
        return self.repo.commit

    def files(self, globs: Iterable[str]) -> list[Entry]:
        globs = tuple(globs)
        return [e for e in self.entries if e.is_file and matches(e.path, globs)]

    def text(self, entry: Entry) -> str | None:
        """The file as text, or None: too big (noted), binary, or missing (noted)."""
        if entry.path in self._texts:
            cached: str | None = self._texts[entry.path]
            return cached
        text: str | None = None
        if entry.size is not None and entry.size > self.max_file_size:
            if entry.path not in self._too_big_noted:
                self._too_big_noted.add(entry.path)
                self.notes.append(
                    f"{entry.path}: {entry.size / 1e6:.1f} MB, over the "
                    f"{self.max_file_size / 1e6:.1f} MB read limit; not read"
                )
        else:
            data = self.repo.read(entry)
            if data is None:
                self.notes.append(
                    f"{entry.path}: object missing locally (partial clone?); not read"
                )
            else:
                self.bytes_read += len(data)
                self.files_read += 1
                if b"\0" not in data[:8192]:
                    text = data.decode("utf-8", errors="replace")
        self._texts[entry.path] = text
        return text
