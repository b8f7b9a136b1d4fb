"""Everything a scan reports passes through here before it leaves the scanner.

``clean_scan`` and ``clean_failure`` rewrite every string of a result (snippets, paths, notes,
tags, the source, failure messages), whatever finding carries it:
- secrets are masked with the secret detector's own patterns (``assess.scan.checks``) plus the
  places where a credential sits in plain sight (``https://user:pw@host``, ``--password=...``,
  ``API_TOKEN=...``): a CI line ``AWS_ACCESS_KEY_ID=AKIA... pytest`` is evidence that tests run,
  and shows as ``AWS_ACCESS_KEY_ID=[redacted] pytest``;
- control characters are shown as escapes (``assess.safetext.printable``), so a file name
  cannot act on a terminal or forge a line in any output.
A value that only refers to a secret (``${{ secrets.TOKEN }}``, ``$PASSWORD``, ``os.environ``)
is not one and stays as it is.
"""

from __future__ import annotations

import re
from typing import Any

from assess.model import RepoScan, ScanFailure
from assess.safetext import printable
from assess.scan.checks import SECRET_PATTERNS

MASK = "[redacted]"
_KEYWORD = (
    r"(?:password|passwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key"
    r"|credentials?|auth)"
)
# the keyword as a whole part of a name: db_password, API-KEY, oauth_token; not tokenizer
_NAME = rf"(?:[a-z0-9]++[_.-])*{_KEYWORD}(?:[_-][a-z0-9]++)*"
# what only refers to a secret kept elsewhere, or is no secret at all
_REFERENCE = (
    r"(?![$<{%(\[]|os\.|env\b|environ|getenv|process\.env|secrets?\.|vault"
    r"|none\b|null\b|true\b|false\b|\*+|\[redacted\])"
)
_IN_PLAIN_SIGHT = [
    # scheme://user:password@host
    re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+(?=@)"),
    # --password=VALUE, --api-key VALUE, -p... is too vague to guess
    re.compile(rf"(?i)(--{_NAME}(?:=|[ \t]+)['\"]?){_REFERENCE}[^\s'\"]+"),
    # NAME=VALUE, name: VALUE, "name": "VALUE" where the name says it is a secret
    re.compile(rf"(?i)(\b{_NAME}['\"]?[ \t]*[:=][ \t]*['\"]?){_REFERENCE}[^\s'\",;]{{4,}}"),
]


def redact(text: str) -> str:
    """``text`` with every secret the detector knows masked."""
    for _kind, rx in SECRET_PATTERNS:
        if rx.search(text):
            text = rx.sub(_mask_token, text)
    for rx in _IN_PLAIN_SIGHT:
        text = rx.sub(lambda m: m.group(1) + MASK, text)
    return text


_NAMED_VALUE = re.compile(r"^([^:=]*[:=][ \t]*['\"]?)")


def _mask_token(m: re.Match[str]) -> str:
    """Keep what names the kind of line (``AccountKey=``, ``password: "``, a key's header),
    mask the value."""
    token = m.group()
    if token.startswith("-----BEGIN"):
        return token
    named = _NAMED_VALUE.match(token)
    quote = token[-1] if named and token[-1] in "'\"" else ""
    return named.group(1) + MASK + quote if named else MASK


def clean(text: str) -> str:
    return printable(redact(text))


def _walk(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {_walk(k): _walk(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_walk(v) for v in value]
    return value


def clean_scan(scan: RepoScan) -> RepoScan:
    """The scan with every string cleaned (commit ids and dates are untouched by construction:
    no pattern matches them)."""
    return RepoScan.model_validate(_walk(scan.model_dump()))


def clean_failure(failure: ScanFailure) -> ScanFailure:
    return ScanFailure(source=clean(failure.source), message=clean(failure.message))
