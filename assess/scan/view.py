"""What rules and checks see of a repository: the files at one commit, read at most once."""

from __future__ import annotations

import bisect
import configparser
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Any, TypeVar

import yaml

from assess.model.rules import CiSystem
from assess.scan.literals import required_literals
from assess.scan.repo import Blob, Entry, GitRepo

T = TypeVar("T")

MALFORMED = (
    ValueError,  # JSON, TOML, dates, numbers
    TypeError,
    AttributeError,
    KeyError,
    IndexError,
    RecursionError,  # nesting deeper than the parser's stack
    yaml.YAMLError,  # syntax, alias bombs (assess.yamlio.load_all_untrusted)
    configparser.Error,
)
"""What a parser raises on a file shaped against expectations (a notebook whose ``cells`` is a
number, a list where text belongs, nesting past the stack): that file is skipped with a note,
the repository's other evidence stands."""


def decode(data: bytes) -> str | None:
    """A file's text: UTF-16 or UTF-8 by its byte-order mark (Windows editors write both), else
    UTF-8 (undecodable bytes become U+FFFD); None for a binary file (a NUL in its first 8 KB)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace").removeprefix("\ufeff")
    if b"\0" in data[:8192]:
        return None
    return data.decode("utf-8", errors="replace").removeprefix("\ufeff")


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


def literal_tail(glob: str) -> str:
    """The literal end of a glob (after its last wildcard), lower case: every path it matches
    ends with it. Empty when the glob ends in a wildcard."""
    cut = max(glob.rfind("*"), glob.rfind("?"))
    return glob[cut + 1 :].lower()


@lru_cache(maxsize=256)
def globs_regex(globs: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a set of globs, so each path is matched once."""
    if not globs:
        return re.compile(r"(?!)")  # matches nothing
    parts = [glob_regex(g).pattern for g in globs]
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


def matches(path: str, globs: Iterable[str]) -> bool:
    return globs_regex(tuple(globs)).match(path) is not None


class Corpus:
    """The texts of a set of files joined into one string, so a rule's regex runs at C speed
    and Python only looks at the files that match. Files are separated by a NUL line, which no
    line-based pattern can cross.

    ``search`` runs the regex only on the files that hold one of the literals every match of
    it needs (``assess.scan.literals.required_literals``), found with ``str.find``: the regex
    runs on each such file's span of the joined text (``rx.search(text, start, end)``: ``^``
    holds at a file's start, which follows a newline, and lookbehinds see the separator, as in
    one search over everything). A literal a match needs lies in the text the match examines,
    lookaheads included; a line-based match examines only its own file's span, so a file with
    none of the literals cannot match and the files searched are all that can. Literals
    compared in lower case are found in the UTF-8 bytes lowered by ``bytes.lower``, which
    folds ASCII letters exactly as ``re`` does, unless the text holds one of the few other
    characters ``re`` folds onto an ASCII letter (``FOLDS_TO_ASCII``): then, as when a pattern
    has no literal set or its literals are in most files, the regex runs over the whole text."""

    SEP = "\n\0\n"
    FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"
    """Characters other than ASCII letters that ``re.IGNORECASE`` matches to an ASCII letter:
    capital I with a dot, dotless i, long s and the Kelvin sign."""

    def __init__(self, items: list[tuple[Entry, str]]) -> None:
        self.items = items
        texts = [t for _, t in items]
        lengths = (len(t) + len(self.SEP) for t in texts[:-1])
        self.starts = list(accumulate(lengths, initial=0)) if texts else []
        self.text = self.SEP.join(texts)
        self._folded: tuple[bytes, list[int]] | None = None
        self._foldable: bool | None = None
        self._picked: dict[tuple[tuple[str, ...], bool], list[int] | None] = {}

    def may_match(self, pattern: str, flags: int = 0) -> bool:
        """False when no file can match ``pattern``: there are none, or none holds a literal
        every match needs. The scan compiles a rule's regex only when this is True."""
        if not self.items:
            return False
        need = required_literals(pattern, flags & re.IGNORECASE)
        return need is None or self._candidates(*need) != []

    def search(self, rx: re.Pattern[str], *, prefilter: bool = True) -> Iterator[tuple[Entry, str]]:
        """Each file in which ``rx`` matches, once, in order. ``prefilter=False`` runs the regex
        over the whole text (the same files for every line-based pattern; for tests)."""
        need = required_literals(rx.pattern, rx.flags & re.IGNORECASE) if prefilter else None
        picked = self._candidates(*need) if need is not None else None
        if picked is None:
            yield from self._search_all(rx)
            return
        text, starts = self.text, self.starts
        for i in picked:
            end = starts[i + 1] if i + 1 < len(starts) else len(text)
            if rx.search(text, starts[i], end) is not None:
                yield self.items[i]

    def _search_all(self, rx: re.Pattern[str]) -> Iterator[tuple[Entry, str]]:
        pos = 0
        while pos <= len(self.text) and (found := rx.search(self.text, pos)) is not None:
            i = bisect.bisect_right(self.starts, found.start()) - 1
            if i < 0 or not self.items:
                return
            entry, text = self.items[i]
            yield entry, text
            pos = self.starts[i] + len(text) + len(self.SEP)  # go on with the next file

    def _candidates(self, literals: tuple[str, ...], ignore_case: bool) -> list[int] | None:
        """Indexes of the files holding one of ``literals``, in order; None when the literals
        cannot be placed (see the class docstring) or are in so many files that one search
        over everything is cheaper. Kept per literal set (``may_match`` asks first)."""
        key = (literals, ignore_case)
        if key not in self._picked:
            self._picked[key] = self._find(literals, ignore_case)
        return self._picked[key]

    def _find(self, literals: tuple[str, ...], ignore_case: bool) -> list[int] | None:
        haystack: str | bytes
        if ignore_case:
            if self._foldable is None:
                self._foldable = not any(ch in self.text for ch in self.FOLDS_TO_ASCII)
            if not self._foldable:
                return None
            if self._folded is None:
                encoded = [t.encode() for _, t in self.items]
                starts, pos = [], 0
                for data in encoded:
                    starts.append(pos)
                    pos += len(data) + len(self.SEP)
                self._folded = self.SEP.encode().join(encoded).lower(), starts
            haystack, starts = self._folded
            needles: list[str] | list[bytes] = [lit.encode() for lit in literals]
        else:
            haystack, starts, needles = self.text, self.starts, list(literals)
        limit = max(64, len(starts) // 4)
        picked: set[int] = set()
        for needle in needles:
            at = haystack.find(needle)  # type: ignore[arg-type]
            while at >= 0:
                i = bisect.bisect_right(starts, at) - 1
                picked.add(i)
                if len(picked) > limit:
                    return None
                if i + 1 >= len(starts):
                    break
                at = haystack.find(needle, starts[i + 1])  # type: ignore[arg-type]
        return sorted(picked)


class _Index:
    """The files of a tree by lower-case name and extension, for fast glob lookups, and what
    each glob matched (``glob``): rules share globs (``**/*.py`` is in dozens of them), so each
    is answered once per tree."""

    SEP = "\0"  # no path holds a NUL

    def __init__(self, entries: list[Entry]) -> None:
        self.files = [e for e in entries if e.is_file]
        self.lowered: list[tuple[str, str]] = []
        self.by_name: dict[str, list[int]] = {}
        self.by_ext: dict[str, list[int]] = {}
        self.by_path: dict[str, Entry] | None = None  # made on first use (RepoView.file_at)
        self._globs: dict[str, list[int]] = {}
        self._blobs: dict[bool, tuple[str, list[int]] | None] = {}
        lows = [e.path.lower() for e in self.files]
        self.lowered = [(low, low[low.rfind("/") + 1 :]) for low in lows]
        by_name, by_ext = self.by_name, self.by_ext
        for n, (_low, base) in enumerate(self.lowered):
            by_name.setdefault(base, []).append(n)
            dot = base.rfind(".")
            if dot >= 0:  # ".env" matches "*.env", as the glob regex agrees
                by_ext.setdefault(base[dot + 1 :], []).append(n)

    def glob(self, glob: str) -> list[int]:
        """Indexes of the files ``glob`` matches, in order. Globs of the common shapes
        ``*.ext`` and ``name`` are answered from the indexes; the rest by the longest literal
        part of the glob (``dpia`` in ``*dpia*``, ``_test.py`` in ``*_test.py``,
        ``.github/workflows/`` in ``.github/workflows/*.yml``) found with ``str.find`` in all
        the names (or paths) joined, each hit checked by the glob's regex."""
        if glob in self._globs:
            return self._globs[glob]
        name = glob.removeprefix("**/").lower()
        hits: list[int]
        if "/" in name:
            hits = self._search(glob, names=False)
        elif not any(ch in name for ch in "*?["):
            hits = self.by_name.get(name, [])
        elif name.startswith("*.") and not any(ch in name[2:] for ch in "*?[."):
            hits = self.by_ext.get(name[2:], [])
        else:
            hits = self._search(name, names=True)
        self._globs[glob] = hits
        return hits

    def _search(self, glob: str, *, names: bool) -> list[int]:
        """Files whose lower-case name (or path) ``glob``'s regex matches. Every match holds
        the glob's literal parts, and in lower case as ``str.lower`` gives them unless the text
        holds a dotless i or a long s (which the regex also takes for i and s): then, as when
        the glob has no literal part of three characters, the names with the glob's extension
        (``*env*.yml``) or else all names are matched."""
        part = max(_literal_parts(glob.lower()), key=len, default="")
        blob = self._blob(names) if len(part) >= 3 and part.isascii() else None
        if blob is None:
            rx = glob_regex(glob)
            tail = literal_tail(glob)
            if names and "." in tail and not any(ch in tail for ch in "[]"):
                ext = tail.rsplit(".", 1)[1]  # only names with that extension can match
                return [n for n in self.by_ext.get(ext, ()) if rx.match(self.lowered[n][1])]
            return [
                n
                for n, (low, base) in enumerate(self.lowered)
                if (not tail or low.endswith(tail)) and rx.match(base if names else low)
            ]
        text, starts = blob
        hits: set[int] = set()
        at = text.find(part)
        while at >= 0:
            n = bisect.bisect_right(starts, at) - 1
            low, base = self.lowered[n]
            if glob_regex(glob).match(base if names else low):  # compiled once, on a hit
                hits.add(n)
            if n + 1 >= len(starts):
                break
            at = text.find(part, starts[n + 1])
        return sorted(hits)

    def _blob(self, names: bool) -> tuple[str, list[int]] | None:
        """All the lower-case names (or paths) joined, with where each starts; None when
        they hold a character the glob regexes fold onto an ASCII letter (see ``_search``)."""
        if names not in self._blobs:
            parts = [base if names else low for low, base in self.lowered]
            starts, pos = [], 0
            for p in parts:
                starts.append(pos)
                pos += len(p) + len(self.SEP)
            text = self.SEP.join(parts)
            folds = any(ch in text for ch in "\u0131\u017f")  # the others lower to ASCII
            self._blobs[names] = None if folds else (text, starts)
        return self._blobs[names]


def _literal_parts(glob: str) -> list[str]:
    """The literal runs between a glob's wildcards (``**/`` takes its slash with it: it may
    match nothing)."""
    parts, run, i = [], "", 0
    while i < len(glob):
        if glob.startswith("**", i):
            parts.append(run)
            run = ""
            i += 3 if glob.startswith("**/", i) else 2
        elif glob[i] in "*?":
            parts.append(run)
            run = ""
            i += 1
        else:
            run += glob[i]
            i += 1
    return [p for p in (*parts, run) if p]


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
    _files: dict[tuple[str, ...], list[Entry]] = field(default_factory=dict)
    _raw: dict[str, Blob] = field(default_factory=dict)
    _index: _Index | None = None
    _corpora: dict[tuple[str, ...], Corpus] = field(default_factory=dict)
    _corpora_by_files: dict[tuple[bool, Any], Corpus] = field(default_factory=dict)
    _listed: dict[Any, tuple[list[int], list[Entry]]] = field(default_factory=dict)
    ci_systems: tuple[CiSystem, ...] = ()
    memo: dict[str, Any] = field(default_factory=dict)
    """Inputs several rules and checks share (CI files, their commands, dependencies), computed
    once per view by the function that owns each."""

    def corpus(self, globs: Iterable[str], transform: Callable[[str], str] | None = None) -> Corpus:
        """The texts of the files matching ``globs`` as one searchable corpus (notebooks go
        through ``transform`` when given: e.g. only their code cells)."""
        key = tuple(globs)
        return self.corpus_of(key, self.files(key), transform)

    def corpus_of(
        self,
        key: tuple[str, ...],
        entries: list[Entry],
        transform: Callable[[str], str] | None = None,
    ) -> Corpus:
        """The corpus of ``entries``, kept under ``key``; rules whose globs differ but pick the
        same files (``**/*.py`` and ``**/*.py`` + ``**/*.py.tmpl`` without templates) share
        one corpus."""
        if key not in self._corpora:
            # the same Entry objects (the tree's): compared by identity, not path by path; a
            # list ``files`` returned stands for one set of files, so its identity will do
            same: tuple[bool, Any] = (
                transform is not None,
                id(entries) if self._files.get(key) is entries else tuple(map(id, entries)),
            )
            if same in self._corpora_by_files:
                self._corpora[key] = self._corpora_by_files[same]
                return self._corpora[key]
            texts = self._texts
            for e in entries:
                if e.path not in texts:
                    self.text(e)
            # comprehensions: a corpus may hold 20,000 files, and rules ask for several
            items = [(e, t) for e in entries if (t := texts[e.path]) is not None]
            if transform and any(e.path.endswith(".ipynb") for e, _ in items):
                parsed = [
                    (
                        e,
                        self._parse(e, t, transform, "notebook")
                        if e.path.endswith(".ipynb")
                        else t,
                    )
                    for e, t in items
                ]
                items = [(e, t) for e, t in parsed if t is not None]
            self._corpora[key] = self._corpora_by_files[same] = Corpus(items)
        return self._corpora[key]

    @property
    def commit(self) -> str:
        return self.repo.commit

    def parse(self, entry: Entry, parse: Callable[[str], T], what: str) -> T | None:
        """``parse`` of the file's text, or None when it is not text or is malformed (noted)."""
        text = self.text(entry)
        return None if text is None else self._parse(entry, text, parse, what)

    def _parse(self, entry: Entry, text: str, parse: Callable[[str], T], what: str) -> T | None:
        try:
            return parse(text)
        except MALFORMED as exc:
            # long enough that a key in it is whole when the scan's redaction sees it
            reason = " ".join(str(exc)[:1000].split())[:400] or type(exc).__name__
            self.notes.append(f"{entry.path}: {what} not read ({reason}); skipped")
            return None

    def _tree(self) -> _Index:
        if self._index is None:
            self._index = _Index(self.entries)
        return self._index

    @property
    def all_files(self) -> list[Entry]:
        """Every file of the tree (no folder, symlink or submodule), in tree order."""
        return self._tree().files

    def file_at(self, path: str) -> Entry | None:
        """The file at ``path``, or None."""
        idx = self._tree()
        if idx.by_path is None:
            idx.by_path = {e.path: e for e in idx.files}
        return idx.by_path.get(path)

    def files(self, globs: Iterable[str]) -> list[Entry]:
        """Files matching any of ``globs``, in tree order (``_Index.glob``)."""
        key = tuple(globs)
        if key in self._files:
            return self._files[key]
        idx = self._tree()
        # the globs that match anything, each once (*.py and **/*.py share a list); then one
        # entry list per set of files, so ``corpus_of`` can tell equal sets by the list's
        # identity: a glob's own list stands for itself (also when the others add nothing to
        # it: ``*.py`` with ``b/*.py``), any other union for its indexes
        found = [h for h in {id(h): h for h in map(idx.glob, key)}.values() if h]
        biggest = max(found, key=len, default=[])
        union = set().union(*found) if len(found) > 1 else None
        own = union is None or len(union) == len(biggest)
        picked = biggest if own else sorted(union or ())
        sig: Any = id(picked) if own else tuple(picked)
        if sig not in self._listed:
            self._listed[sig] = (picked, [idx.files[n] for n in picked])
        self._files[key] = self._listed[sig][1]  # alive while the view is: its id stays its own
        return self._files[key]

    def prefetch(self, entries: Iterable[Entry]) -> None:
        """Read many blobs through one streaming ``cat-file --batch`` (the rules ask for them
        one by one later, from this cache)."""
        wanted = []
        for e in entries:
            if e.path in self._texts or e.path in self._raw:
                continue
            if e.size is not None and e.size > self.max_file_size:
                continue
            wanted.append(e)
        self._raw.update(self.repo.read_many(wanted, self.max_file_size))

    def text(self, entry: Entry) -> str | None:
        """The file as text, or None: too big (noted), binary, or missing (noted)."""
        if entry.path in self._texts:
            cached: str | None = self._texts[entry.path]
            return cached
        text: str | None = None
        if entry.size is not None and entry.size > self.max_file_size:
            self._too_big(entry.path, entry.size)
        else:
            data = (
                self._raw.pop(entry.path)
                if entry.path in self._raw
                else self.repo.read(entry, self.max_file_size)
            )
            if isinstance(data, int):  # the tree did not say its size (a partial clone)
                self._too_big(entry.path, data)
            elif data is None and not self.repo.expired():
                self.notes.append(
                    f"{entry.path}: object missing locally (partial clone?); not read"
                )
            elif data is None:
                pass  # the time budget ran out; the scan says it is incomplete
            else:
                self.bytes_read += len(data)
                self.files_read += 1
                text = decode(data)
        self._texts[entry.path] = text
        return text

    def _too_big(self, path: str, size: int) -> None:
        if path not in self._too_big_noted:
            self._too_big_noted.add(path)
            self.notes.append(
                f"{path}: {size / 1e6:.1f} MB, over the "
                f"{self.max_file_size / 1e6:.1f} MB read limit; not read"
            )
