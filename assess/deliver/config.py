"""SMTP settings for ``assess send``: a YAML file and ``ASSESS_SMTP_*`` environment variables.

The file is ``--config FILE``, else ``~/.config/assess/smtp.yaml`` when it exists::

    host: smtp.example.com
    port: 587                  # default: 587 starttls, 465 tls, 25 none
    security: starttls         # starttls | tls (implicit TLS) | none (a local relay)
    username: dana@northbeam.example
    sender: "Dana Reyes <dana@northbeam.example>"
    max_attachment_mb: 10
    timeout: 30                # seconds, per network operation
    ca_file: corp-ca.pem       # extra CA to trust (relative to this file)

Each key can also come from the environment, which wins over the file: ``ASSESS_SMTP_HOST``,
``ASSESS_SMTP_PORT``, ``ASSESS_SMTP_SECURITY``, ``ASSESS_SMTP_USER``, ``ASSESS_SMTP_FROM``,
``ASSESS_SMTP_MAX_MB``, ``ASSESS_SMTP_TIMEOUT``, ``ASSESS_SMTP_CA_FILE``. The password is never
part of the settings: a ``password`` key is refused, and the CLI reads ``ASSESS_SMTP_PASSWORD``
or asks on a terminal. Problems name the file, field and line, or the variable.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assess.deliver.message import parse_address
from assess.errors import InputError
from assess.validation import _message, validate
from assess.yamlio import load_yaml

Security = Literal["starttls", "tls", "none"]

DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "tls": 465, "none": 25}
DEFAULT_MAX_MB = 10.0
DEFAULT_TIMEOUT = 30.0
PASSWORD_ENV = "ASSESS_SMTP_PASSWORD"

ENV: dict[str, str] = {
    "host": "ASSESS_SMTP_HOST",
    "port": "ASSESS_SMTP_PORT",
    "security": "ASSESS_SMTP_SECURITY",
    "username": "ASSESS_SMTP_USER",
    "sender": "ASSESS_SMTP_FROM",
    "max_attachment_mb": "ASSESS_SMTP_MAX_MB",
    "timeout": "ASSESS_SMTP_TIMEOUT",
    "ca_file": "ASSESS_SMTP_CA_FILE",
}


class SmtpFile(BaseModel):
    """What an SMTP config file (or the environment) may set; every key optional."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    host: str | None = Field(default=None, min_length=1, description="SMTP server name")
    port: int | None = Field(default=None, ge=1, le=65535)
    security: Security | None = Field(
        default=None, description="starttls (default), tls (implicit TLS) or none (local relay)"
    )
    username: str | None = Field(default=None, min_length=1, description="login, if any")
    sender: str | None = Field(default=None, description="the From address")
    max_attachment_mb: float | None = Field(default=None, gt=0)
    timeout: float | None = Field(default=None, gt=0, description="seconds per network step")
    ca_file: str | None = Field(default=None, min_length=1, description="extra CA certificates")

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return parse_address(value, field="sender")
        except InputError as exc:
            raise ValueError(exc.message) from None


@dataclass(frozen=True)
class SmtpConfig:
    host: str | None
    port: int
    security: Security
    username: str | None
    sender: str | None
    max_mb: float  # largest attachment, in MiB
    timeout: float
    ca_file: Path | None
    source: str  # where the settings came from, for messages

    def check_sendable(self) -> None:
        """What sending needs beyond a dry run: a server and a sender, and never a password
        in clear text across a network."""
        if self.source == "environment":
            where = f"in {default_config_path()} (or --config FILE)"
        else:
            where = f"in {self.source}"
        if not self.host:
            raise InputError(f"no SMTP server: set ASSESS_SMTP_HOST, or 'host' {where}")
        if not self.sender:
            raise InputError(f"no sender address: set ASSESS_SMTP_FROM, or 'sender' {where}")
        if self.security == "none" and self.username and not _is_loopback(self.host):
            raise InputError(
                f"security 'none' would send the password for {self.username} unencrypted to "
                f"{self.host}: use starttls or tls (plain SMTP with a login is for a relay on "
                "this machine only)",
                file=None if self.source == "environment" else self.source,
                field="security",
            )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_config_path() -> Path:
    return Path.home() / ".config" / "assess" / "smtp.yaml"


def _read_file(path: Path) -> SmtpFile:
    data, loc = load_yaml(path, "SMTP config file")
    if data is None:
        return SmtpFile()
    if isinstance(data, dict) and "password" in data:
        raise InputError(
            f"passwords are never read from a file: remove it and set {PASSWORD_ENV}, or type "
            "it when asked",
            file=path,
            field="password",
            line=loc.line(("password",)),
        )
    return validate(SmtpFile, data, file=path, locator=loc, error=InputError)


def _read_env(env: Mapping[str, str]) -> SmtpFile:
    data = {key: env[var].strip() for key, var in ENV.items() if env.get(var, "").strip()}
    try:
        return SmtpFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][0]) if err["loc"] else ""
        raise InputError(_message(err), field=ENV.get(key, key)) from None


def load_config(path: Path | None, env: Mapping[str, str]) -> SmtpConfig:
    """Settings from ``path`` (if any), overridden by ``env``; defaults for the rest."""
    file = _read_file(path) if path is not None else SmtpFile()
    over = _read_env(env)
    merged = file.model_copy(update=over.model_dump(exclude_none=True))
    ca_file: Path | None = None
    if merged.ca_file:
        from_env = over.ca_file is not None
        base = Path.cwd() if from_env or path is None else path.parent
        ca_file = base / Path(merged.ca_file).expanduser()
        if not ca_file.is_file():
            raise InputError(
                f"no such CA file: {merged.ca_file}",
                file=None if from_env else path,
                field=ENV["ca_file"] if from_env else "ca_file",
            )
    security: Security = merged.security or "starttls"
    return SmtpConfig(
        host=merged.host,
        port=merged.port or DEFAULT_PORTS[security],
        security=security,
        username=merged.username,
        sender=merged.sender,
        max_mb=merged.max_attachment_mb or DEFAULT_MAX_MB,
        timeout=merged.timeout or DEFAULT_TIMEOUT,
        ca_file=ca_file,
        source=str(path) if path is not None else "environment",
    )
