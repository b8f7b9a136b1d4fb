"""Deliver one message over SMTP: STARTTLS (never downgraded), implicit TLS, or plain SMTP
for a relay; a login when a username is configured.

Every recipient is offered to the server before the message: if the server refuses any of
them, the transaction is reset and nobody gets the message, so a report never reaches half
of its recipients. Every failure (connection refused, unknown host, timeout, TLS, login,
refused sender or recipient) is one ``DeliveryError`` line; certificates are checked against
the system's CAs plus the configured ``ca_file``.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import getaddresses

from assess.deliver.config import SmtpConfig
from assess.deliver.message import bare_address, to_bytes
from assess.errors import DeliveryError, InputError


def tls_context(config: SmtpConfig) -> ssl.SSLContext:
    """Certificate and host name checked; the system's CAs plus ``config.ca_file``."""
    ctx = ssl.create_default_context()
    if config.ca_file is not None:
        try:
            ctx.load_verify_locations(cafile=str(config.ca_file))
        except (ssl.SSLError, OSError) as exc:
            raise InputError(
                f"cannot use as CA certificates: {getattr(exc, 'reason', None) or exc}",
                file=config.ca_file,
            ) from None
    return ctx


def recipients(message: EmailMessage) -> list[str]:
    """The envelope recipients: every To and Cc address."""
    headers = [str(h) for key in ("To", "Cc") for h in message.get_all(key, [])]
    return [addr for _, addr in getaddresses(headers) if addr]


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())


def _open(config: SmtpConfig, ctx: ssl.SSLContext) -> smtplib.SMTP:
    host = config.host or ""
    if config.security == "tls":
        return smtplib.SMTP_SSL(host, config.port, timeout=config.timeout, context=ctx)
    return smtplib.SMTP(host, config.port, timeout=config.timeout)


def _transact(
    conn: smtplib.SMTP,
    config: SmtpConfig,
    ctx: ssl.SSLContext,
    password: str | None,
    message: EmailMessage,
    data: bytes,
) -> list[str]:
    where = f"{config.host}:{config.port}"
    conn.ehlo()
    if config.security == "starttls":
        if not conn.has_extn("starttls"):
            raise DeliveryError(
                f"{where} does not offer STARTTLS; refusing to send in clear text (use "
                "security: tls for implicit TLS, or none for a local relay)"
            )
        conn.starttls(context=ctx)
        conn.ehlo()
    if config.username:
        if not conn.has_extn("auth"):
            raise DeliveryError(
                f"{where} offers no login (AUTH) here"
                + (" without TLS" if config.security == "none" else "")
                + f"; cannot log in as {config.username}"
            )
        conn.login(config.username, password or "")
    sender = bare_address(config.sender or "")
    options = [f"SIZE={len(data)}"] if conn.has_extn("size") else []
    code, reply = conn.mail(sender, options)
    if code != 250:
        conn.rset()
        raise DeliveryError(f"{where} refused the message from {sender}: {code} {_text(reply)}")
    to = recipients(message)
    refused = []
    for addr in to:
        code, reply = conn.rcpt(addr)
        if code not in (250, 251):
            refused.append(f"{addr} ({code} {_text(reply)})")
    if refused:
        conn.rset()
        raise DeliveryError(
            f"{where} refused recipient{'s' if len(refused) > 1 else ''} "
            f"{', '.join(refused)}; nothing was sent"
        )
    conn.data(data)
    return to


def send(message: EmailMessage, config: SmtpConfig, password: str | None) -> list[str]:
    """Deliver ``message`` to its To and Cc addresses; return them. ``password`` is needed
    when ``config.username`` is set."""
    config.check_sendable()
    if config.username and password is None:
        raise InputError(f"the SMTP login {config.username} needs a password")
    where = f"{config.host}:{config.port}"
    ctx = tls_context(config)
    data = to_bytes(message)  # every header checked before connecting
    conn: smtplib.SMTP | None = None
    try:
        conn = _open(config, ctx)
        sent = _transact(conn, config, ctx, password, message, data)
        with contextlib.suppress(smtplib.SMTPException, OSError):
            conn.quit()  # the message was accepted; a failed goodbye changes nothing
    except (DeliveryError, InputError):
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"{where} rejected the login for {config.username}: "
            f"{exc.smtp_code} {_text(exc.smtp_error)}"
        ) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(f"{where}: {_text(str(exc))}") from None
    except smtplib.SMTPServerDisconnected as exc:
        if isinstance(exc.__context__, TimeoutError):  # smtplib wraps a read timeout
            raise DeliveryError(f"{where} did not answer within {config.timeout:g} s") from None
        detail = f": {_text(str(exc))}" if str(exc) else ""
        raise DeliveryError(f"{where} closed the connection{detail}") from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(
            f"{where} answered {exc.smtp_code} {_text(exc.smtp_error)}; nothing was sent"
        ) from None
    except smtplib.SMTPException as exc:
        raise DeliveryError(f"{where}: {_text(str(exc))}") from None
    except ssl.SSLCertVerificationError as exc:
        raise DeliveryError(
            f"TLS with {where} failed: {exc.verify_message or exc.reason} (if the server uses "
            "a private CA, set ca_file to its certificate)"
        ) from None
    except ssl.SSLError as exc:
        raise DeliveryError(f"TLS with {where} failed: {exc.reason or exc}") from None
    except TimeoutError:
        raise DeliveryError(f"{where} did not answer within {config.timeout:g} s") from None
    except ConnectionRefusedError:
        raise DeliveryError(
            f"cannot connect to {where}: connection refused (are the host and port right?)"
        ) from None
    except socket.gaierror as exc:
        raise DeliveryError(f"cannot find the SMTP server {config.host}: {exc.strerror}") from None
    except OSError as exc:
        raise DeliveryError(f"cannot talk to {where}: {exc.strerror or exc}") from None
    finally:
        if conn is not None and conn.sock is not None:
            with contextlib.suppress(Exception):
                conn.close()
    return sent
