"""One exception family for everything the user must fix.

The core raises these; only the CLI turns them into a one-line message and the error's exit
code (2, or 3 for an email that could not be delivered). Each error knows the file, the field
path inside it and, when known, the line.
"""

from __future__ import annotations

from pathlib import Path


class AssessError(Exception):
    """Something the user must fix. ``str(err)`` is the one-line message the CLI prints: any
    line break in it (a library's message, a file name) is joined into that one line."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.field = field
        self.line = line
        self.warnings: tuple[str, ...] = ()
        """What the run had found worth a warning before it failed (``pipeline.assess_file``):
        the CLI prints them before the error, as it would have after a success."""

    def __str__(self) -> str:
        where = self.file or ""
        if self.line is not None and where:
            where += f":{self.line}"
        if self.field:
            where = f"{where}: {self.field}" if where else self.field
        text = f"{where}: {self.message}" if where else self.message
        return " ".join(part.strip() for part in text.splitlines() if part.strip())


class InputError(AssessError):
    """A file or argument given by the user is missing, unreadable or malformed."""


class PackError(AssessError):
    """A questionnaire pack is invalid (schema, duplicate or dangling ids)."""


class EngagementError(AssessError):
    """An engagement file does not fit its pack."""


class OutputError(AssessError):
    """An output cannot be written where the user asked."""


class DeliveryError(AssessError):
    """An email could not be delivered: the server refused the connection, the login or a
    recipient, timed out, or TLS failed. The server did not accept the message."""

    exit_code = 3
