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

from assess.model.evidence import RepoScan, ScanFailure
from assess.safetext import printable
from assess.scan.checks import SECRET_PATTERNS

MASK = "[redacted]"
MAX_TEXT = 20_000
"""Longest text cleaned whole; the rest of a longer one (only a hostile path or note is that
long) is cut, so cleaning stays fast whatever the repository holds."""
_KEYWORD = (
    r"(?:password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key"
    r"|private[_-]?key|credentials?|auth|sshpass)"
)
# a name holding the keyword: DB_PASSWORD, PGPASSWORD, api-key, _authToken; not tokenizer,
# max_tokens or author. Every repetition is bounded and starts at a name's first character,
# so the time is linear in the text's length.
_NAME = rf"(?<![a-z0-9_.-])[a-z0-9_.-]{{0,40}}?{_KEYWORD}(?:[_-][a-z0-9]{{1,30}}){{0,4}}"
# an option's name after its --: --password, --db-pass, --pw, --api_key
_OPTION = rf"[a-z0-9_-]{{0,40}}?(?:{_KEYWORD}|pw|pass)(?:[_-][a-z0-9]{{1,30}}){{0,4}}"
# what only refers to a secret kept elsewhere, or is no secret at all
_REFERENCE = (
    r"(?![$<{%(\[]|os\.|env\b|environ|getenv|process\.env|secrets?\.|vault[.:(]"
    r"|none\b|null\b|true\b|false\b|\*+|\[redacted\])"
)
_IN_PLAIN_SIGHT = [
    # scheme://user:password@host (the password may hold an @); a token as the user name
    re.compile(
        r"(?i)((?<![a-z0-9+.-])[a-z][a-z0-9+.-]{0,20}://[^/\s:@]{0,200}:)[^/\s]{1,200}?"
        r"(?=@[^/\s@]{0,200}(?:$|[/\s:?#]))"
    ),
    re.compile(r"(?i)(://)(?:gh[pousr]_|github_pat_|glpat-)?[A-Za-z0-9_-]{30,200}(?=@)"),
    # --password "two words", --token=VALUE, --api-key VALUE
    re.compile(rf"(?i)(--{_OPTION}(?:=|[ \t]+)(['\"])){_REFERENCE}[^'\"\n]{{1,200}}(?=\2)"),
    re.compile(rf"(?i)(--{_OPTION}(?:=|[ \t]+)){_REFERENCE}[^\s'\"]{{1,200}}"),
    # NAME='a value', name: "value", os.environ['API_KEY']='value'
    re.compile(
        rf"(?i)({_NAME}['\"]?\]?[ \t]*[:=][ \t]*(['\"])){_REFERENCE}[^'\"\n]{{2,200}}(?=\2)"
    ),
    # NAME=value, name: value
    re.compile(rf"(?i)({_NAME}['\"]?\]?[ \t]*[:=][ \t]*){_REFERENCE}[^\s'\"]{{2,200}}"),
    # curl -u user:password, docker login -p password, mysql -ppassword
    re.compile(r"(?i)((?<!\S)(?:-u|--user)[ \t]+[^\s:]{1,100}:)[^\s@]{1,200}"),
    re.compile(r"(?i)(\blogin\b[^\n]{0,200}?[ \t](?:-p|--password)(?:=|[ \t]+))[^\s]{1,200}"),
    re.compile(r"(?i)(\bmysql(?:dump)?\b[^\n]{0,200}?[ \t]-p)[^\s]{1,200}"),
    # a private key's body after its header
    re.compile(r"(-----BEGIN [A-Z ]{0,20}PRIVATE KEY-----)[^\n]{1,100000}"),
]
# the detector's patterns without their word boundaries: a key glued to a name
# (keys/ghp_..._backup.pkl, v1.0-AKIA...x) is still a key
_TOKENS = [re.compile(rx.pattern.replace(r"\b", "")) for _kind, rx in SECRET_PATTERNS]


def redact(text: str) -> str:
    """``text`` with every secret the detector knows masked."""
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + "…"
    for rx in _TOKENS:
        if rx.search(text):
            text = rx.sub(_mask_token, text)
    for rx in _IN_PLAIN_SIGHT:
        text = rx.sub(lambda m: m.group(1) + MASK, text)
    return text


_NAMED_VALUE = re.compile(r"^([^:=]{0,200}[:=][ \t]*['\"]?)")


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
