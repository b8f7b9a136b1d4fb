"""Safe YAML reading that remembers where every value came from.

``load_yaml`` returns the plain data and a ``Locator`` that maps a field path such as
``("questions", 3, "choices", 0, "level")`` back to its line, so validation errors can name the
line. Duplicate mapping keys (which PyYAML silently overwrites) are reported as errors.

Every document is checked before it is built: a few aliases can stand for billions of nodes (an
"alias bomb": ``a: &a [x, x]``, ``b: &b [*a, *a]``, ...), and deep nesting exhausts the
stack. ``check_size`` measures the expanded size without expanding it; ``load_all_untrusted`` is
the loader for YAML from a scanned repository, which turns every such document into a
``yaml.YAMLError`` the caller skips with a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assess.errors import InputError
from assess.fsio import record_input

# libyaml's safe loader when PyYAML was built with it (it is in the wheels), else pure Python.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


MAX_NODES = 200_000
"""Nodes a document may stand for once its aliases are expanded (a large CI file has a few
thousand; a pack file about 20,000)."""
MAX_DEPTH = 100
"""Nesting levels a document may have."""


class YAMLTooLarge(yaml.YAMLError):
    """A document whose aliases expand past ``MAX_NODES``, nest past ``MAX_DEPTH`` or refer to
    themselves."""


def check_size(root: yaml.Node, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH) -> None:
    """Raise ``YAMLTooLarge`` when ``root`` expands past the limits. Aliases share one node
    object, so each node's expanded size is computed once (linear in the composed graph)."""
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children = _children(node)
            total = 1 + sum(size[id(c)] for c in children)
            if total > max_nodes:
                raise YAMLTooLarge(
                    f"the document expands to more than {max_nodes:,} values "
                    "(aliases repeated too often?)"
                )
            size[key] = total
            continue
        if key in size:
            continue
        if key in on_path:
            raise YAMLTooLarge("an alias refers to the value that contains it")
        if depth > max_depth:
            raise YAMLTooLarge(f"nested more than {max_depth} levels deep")
        on_path.add(key)
        stack.append((node, depth, True))
        for child in _children(node):
            if id(child) not in size:
                stack.append((child, depth + 1, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


class _BoundedLoader(_Loader):  # type: ignore[misc,valid-type]
    """The safe loader, with integers no longer than Python can print (a 5,000-digit or a
    ``0xfff...`` integer would break every later ``str()``): those stay the text they were."""


def _bounded_int(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    value = loader.construct_yaml_int(node)  # type: ignore[arg-type]
    return value if value.bit_length() <= 3000 else str(node.value)


_BoundedLoader.add_constructor("tag:yaml.org,2002:int", _bounded_int)


class _UntrustedLoader(_BoundedLoader):
    """The safe loader, reading application tags (CloudFormation's ``!Ref``, ``!Sub``,
    ``!GetAtt``; Home Assistant's ``!secret``...) as the plain value they tag."""


def _untagged(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_UntrustedLoader.add_multi_constructor("!", _untagged)


def load_all_untrusted(text: str) -> list[Any]:
    """Every document of a YAML text from a scanned repository, built with the safe loader once
    ``check_size`` accepts it. Any problem (syntax, an alias bomb, deep nesting, a bad date)
    raises ``yaml.YAMLError``."""
    loader = _UntrustedLoader(text)
    docs: list[Any] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            check_size(node)
            docs.append(loader.construct_document(node))
    except (ValueError, TypeError, RecursionError, OverflowError) as exc:
        raise yaml.YAMLError(f"cannot be read: {exc}") from exc
    finally:
        loader.dispose()
    return docs


@dataclass(frozen=True)
class Locator:
    """Finds the 1-based line of a field path inside a composed YAML document."""

    root: yaml.Node | None

    def line(self, path: Sequence[str | int]) -> int | None:
        node = self.root
        if node is None:
            return None
        best = node.start_mark.line + 1
        for key in path:
            child: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                for knode, vnode in node.value:
                    if knode.value == str(key):
                        child = vnode
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(key, int)
                and 0 <= key < len(node.value)
            ):
                child = node.value[key]
            if child is None:
                break
            node = child
            best = node.start_mark.line + 1
        return best


def format_path(path: Sequence[str | int]) -> str:
    """``("a", 0, "b")`` -> ``a[0].b``."""
    out = ""
    for key in path:
        if isinstance(key, int):
            out += f"[{key}]"
        else:
            out += f".{key}" if out else str(key)
    return out


def _check_duplicate_keys(node: yaml.Node, path: tuple[str | int, ...], file: Path) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for knode, vnode in node.value:
            key = str(knode.value)
            if key in seen:
                raise InputError(
                    f"duplicate key {key!r}",
                    file=file,
                    field=format_path((*path, key)),
                    line=knode.start_mark.line + 1,
                )
            seen.add(key)
            _check_duplicate_keys(vnode, (*path, key), file)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _check_duplicate_keys(item, (*path, i), file)


def read_text(path: Path, what: str = "file") -> str:
    """Read a UTF-8 text file, turning every OS problem into a one-line InputError."""
    if not path.exists():
        raise InputError(f"{what} not found", file=path)
    if path.is_dir():
        raise InputError(f"is a directory, expected a {what}", file=path)
    record_input(path)  # no output of this command may replace it
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=path) from exc
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=path) from exc


def load_yaml(path: Path, what: str = "YAML file") -> tuple[Any, Locator]:
    """Parse one YAML document with the safe loader; errors name the file and line."""
    text = read_text(path, what)
    try:
        loader = _BoundedLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None, Locator(None)
            check_size(node)
            _check_duplicate_keys(node, (), path)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:  # a character YAML cannot hold, e.g. NUL
        found = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
        line = text.count("\n", 0, found) + 1 if found >= 0 else None
        code = f" (U+{exc.character:04X})" if isinstance(exc.character, int) else ""
        raise InputError(f"malformed YAML: {exc.reason}{code}", file=path, line=line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"malformed YAML: {problem}", file=path, line=line) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"malformed YAML: {exc}", file=path) from exc
    except ValueError as exc:  # e.g. a date such as 2026-13-45
        raise InputError(f"invalid value: {exc}", file=path) from exc
    return data, Locator(node)
