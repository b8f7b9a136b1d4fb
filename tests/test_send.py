"""`assess send` against a real SMTP server (aiosmtpd) on loopback: plain, STARTTLS and implicit
TLS, with and without a login; every message parsed back with the email package."""

from __future__ import annotations

import base64
import email
import email.policy
import io
import os
import random
import socket
import ssl
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pexpect
import pytest
import yaml
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from assess.cli import main
from assess.deliver.config import load_config
from assess.deliver.message import Report, build_message, parse_address
from assess.deliver.smtp import send
from assess.errors import DeliveryError, InputError
from tests.conftest import ROOT, dump, tiny_pack_data, write_pack

CLIENT = "Acme <b>& Co</b>"
STAGE = "Repeatable & <managed>"  # the tiny pack's level 2 name; the engagement's stage
USER, PASSWORD = "dana", "s3cret pass"
SENDER = "Dana Reyes <dana@northbeam.example>"
REFUSED = "nobody@acme.example"

# aiosmtpd warns when a login is allowed without STARTTLS (here: implicit TLS, or on loopback)
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


# --------------------------------------------------------------------------- fixtures


@dataclass
class Workdir:
    folder: Path
    pack: Path
    engagement: Path
    report: Path
    pdf: bytes


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Workdir:
    """A real PDF rendered by `assess report` from the tiny pack, whose client name and stage
    need escaping in HTML."""
    folder = tmp_path_factory.mktemp("send")
    head, questions = tiny_pack_data()
    head["ladder"][2]["name"] = STAGE
    pack = write_pack(folder / "tiny", head, questions)
    eng = dump(
        folder / "eng.yaml",
        {
            "pack": {"id": "tiny", "version": "1.0"},
            "assessment": {"assessor": "Dana Reyes", "organisation": "Northbeam Advisory"},
            "context": {"client_name": CLIENT},
            "answers": {
                "alpha.one": {"choice": "a2"},
                "alpha.two": {"choice": "b3"},
                "beta.one": {"choice": "d2"},
                "beta.two": {"choice": "e3"},
            },
        },
    )
    report = folder / "report.pdf"
    done = _run("report", eng, "--pack", pack, "-o", report, home=folder)
    assert done.returncode == 0, done.stderr
    return Workdir(folder, pack, eng, report, report.read_bytes())


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl; the venv has no `cryptography`)."""
    folder = tmp_path_factory.mktemp("certs")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=assess test",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    tls: bool
    authenticated: bool


@dataclass
class Recorder:
    """An aiosmtpd handler: refuses REFUSED with 550, keeps every message it accepts."""

    received: list[Received] = field(default_factory=list)
    connections: int = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address == REFUSED:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(
            Received(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                message=message,
                tls=server.transport.get_extra_info("ssl_object") is not None,
                authenticated=bool(session.authenticated),
            )
        )
        return "250 Message accepted"


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    port: int
    handler: Recorder


@pytest.fixture
def smtp_server(certs: tuple[Path, Path]) -> Iterator[Callable[..., Server]]:
    """Start aiosmtpd on 127.0.0.1: security none, starttls or tls; optionally a login."""
    started: list[Controller] = []

    def start(security: str = "none", *, auth: bool = False) -> Server:
        handler = Recorder()
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(*map(str, certs))
        kwargs: dict[str, Any] = {}
        if security == "starttls":
            kwargs.update(tls_context=ctx, require_starttls=True)
        elif security == "tls":
            kwargs.update(ssl_context=ctx)
        if auth:
            # aiosmtpd only counts STARTTLS as TLS; implicit TLS is encrypted all the same
            kwargs.update(
                authenticator=_authenticator,
                auth_required=True,
                auth_require_tls=security == "starttls",
            )
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        started.append(controller)
        return Server(port, handler)

    yield start
    for controller in started:
        controller.stop()


def _env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSESS_SMTP_")}
    env["HOME"] = str(home)  # never the developer's ~/.config/assess/smtp.yaml
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra or {})
    return env


def _run(
    *args: str | os.PathLike[str], home: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command in a subprocess, with no terminal on stdin and a clean environment."""
    return subprocess.run(
        [sys.executable, "-m", "assess", *map(str, args)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=_env(home, env),
        timeout=120,
    )


def config(tmp_path: Path, port: int, security: str = "none", **more: Any) -> Path:
    data = {"host": "127.0.0.1", "port": port, "security": security, "sender": SENDER, **more}
    return dump(tmp_path / "smtp.yaml", data)


def send_cli(
    work: Workdir, tmp_path: Path, *args: str | os.PathLike[str], **env: str
) -> subprocess.CompletedProcess[str]:
    return _run("send", work.report, *args, home=tmp_path, env=env)


def one_line_error(done: subprocess.CompletedProcess[str], code: int) -> str:
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("assess: error: ")
    return lines[0]


def check_report_message(
    msg: EmailMessage, work: Workdir, *, to: list[str], cc: list[str] | None = None
) -> None:
    assert msg["Subject"] == f"MLOps maturity assessment: {CLIENT}"
    assert msg["From"] == SENDER
    assert [str(a) for a in msg["To"].addresses] == to
    if cc:
        assert [str(a) for a in msg["Cc"].addresses] == cc
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    plain, markup = text.get_content(), html.get_content()
    assert f"operates at the {STAGE} stage" in plain and CLIENT in plain
    assert "Repeatable &amp; &lt;managed&gt;" in markup
    assert "Acme &lt;b&gt;&amp; Co&lt;/b&gt;" in markup
    assert STAGE not in markup and "<b>&" not in markup
    assert "The biggest risk:" in plain and "The first five actions" in plain
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "report.pdf"
    assert attachment.get_content() == work.pdf


# --------------------------------------------------------------------------- delivery


def test_plain_relay_with_summary_and_cc(
    work: Workdir, tmp_path: Path, smtp_server: Callable[..., Server]
) -> None:
    server = smtp_server("none")
    cfg = config(tmp_path, free_port())  # a wrong port in the file: the environment wins
    done = send_cli(
        work, tmp_path,
        "--to", "Marta Keller <marta@acme.example>", "--to", "jonas@acme.example",
        "--cc", "ops@northbeam.example", "--engagement", work.engagement, "--pack", work.pack,
        "--config", cfg,
        ASSESS_SMTP_PORT=str(server.port),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "sent report.pdf to marta@acme.example, jonas@acme.example" in done.stdout
    [got] = server.handler.received
    assert got.mail_from == "dana@northbeam.example"
    assert got.rcpt_tos == ["marta@acme.example", "jonas@acme.example", "ops@northbeam.example"]
    assert not got.tls and not got.authenticated
    check_report_message(
        got.message, work,
        to=["Marta Keller <marta@acme.example>", "jonas@acme.example"],
        cc=["ops@northbeam.example"],
    )  # fmt: skip
    assert work.report.read_bytes() == work.pdf


def test_starttls_with_login(
    work: Workdir, tmp_path: Path, smtp_server: Callable[..., Server], certs: tuple[Path, Path]
) -> None:
    server = smtp_server("starttls", auth=True)
    cfg = config(tmp_path, server.port, "starttls", username=USER, ca_file=str(certs[0]))
    done = send_cli(
        work, tmp_path, "--to", "marta@acme.example", "--engagement", work.engagement,
        "--pack", work.pack, "--config", cfg, ASSESS_SMTP_PASSWORD=PASSWORD,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    [got] = server.handler.received
    assert got.tls and got.authenticated
    check_report_message(got.message, work, to=["marta@acme.example"])


def test_implicit_tls_with_login_from_environment_only(
    work: Workdir, tmp_path: Path, smtp_server: Callable[..., Server], certs: tuple[Path, Path]
) -> None:
    server = smtp_server("tls", auth=True)
    done = send_cli(
        work, tmp_path, "--to", "marta@acme.example", "--engagement", work.engagement,
        "--pack", work.pack, "--subject", "  Your   report, as promised ",
        ASSESS_SMTP_HOST="127.0.0.1", ASSESS_SMTP_PORT=str(server.port),
        ASSESS_SMTP_SECURITY="tls", ASSESS_SMTP_USER=USER, ASSESS_SMTP_FROM=SENDER,
        ASSESS_SMTP_CA_FILE=str(certs[0]), ASSESS_SMTP_PASSWORD=PASSWORD,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    [got] = server.handler.received
    assert got.tls and got.authenticated
    assert got.message["Subject"] == "Your report, as promised"  # spaces collapsed
    assert got.rcpt_tos == ["marta@acme.example"]


def test_core_send_plain_with_login_and_generic_body(
    work: Workdir, tmp_path: Path, smtp_server: Callable[..., Server]
) -> None:
    """The core API on its own: no engagement, so a short body and the file name as subject."""
    server = smtp_server("none", auth=True)
    cfg = load_config(config(tmp_path, server.port, username=USER), {})
    msg = build_message(
        Report("report.pdf", work.pdf), to=["marta@acme.example"], sender=cfg.sender
    )
    assert send(msg, cfg, PASSWORD) == ["marta@acme.example"]
    [got] = server.handler.received
    assert got.authenticated and not got.tls
    assert got.message["Subject"] == "report.pdf"
    plain = got.message.get_body(("plain",))
    assert plain is not None and "Please find attached the report report.pdf" in plain.get_content()
    [attachment] = list(got.message.iter_attachments())
    assert attachment.get_content() == work.pdf


# --------------------------------------------------------------------------- failures


def test_server_down(work: Workdir, tmp_path: Path) -> None:
    port = free_port()  # nobody listens there
    cfg = config(tmp_path, port)
    done = send_cli(work, tmp_path, "--to", "marta@acme.example", "--config", cfg)
    line = one_line_error(done, 3)
    assert f"cannot connect to 127.0.0.1:{port}: connection refused" in line
    assert work.report.read_bytes() == work.pdf


def test_login_rejected(
    work: Workdir, tmp_path: Path, smtp_server: Callable[..., Server], certs: tuple[Path, Path]
) -> None:
    server = smtp_server("starttls", auth=True)
    cfg = config(tmp_path, server.port, "starttls", username=USER, ca_file=str(certs[0]))
    done = send_cli(
        work, tmp_path, "--to", "marta@acme.example", "--config", cfg,
        ASSESS_SMTP_PASSWORD="wrong",
    )  # fmt: skip
    line = one_line_error(done, 3)
    assert f"rejected the login for {USER}: 535" in line and "wrong" not in line
    assert server.handler.received == []
    assert work.report.read_bytes() == work.pdf


def test_recipient_rejected_nobody_gets_it(
    work: Workdir, tmp_path: Path, smtp_server: Callable[..., Server]
) -> None:
    server = smtp_server("none")
    done = send_cli(
        work, tmp_path, "--to", "marta@acme.example", "--cc", REFUSED,
        "--config", config(tmp_path, server.port),
    )  # fmt: skip
    line = one_line_error(done, 3)
    assert f"refused recipient {REFUSED} (550 5.1.1" in line and "nothing was sent" in line
    assert server.handler.received == []  # not even to the address it accepted
    assert work.report.read_bytes() == work.pdf


def test_untrusted_certificate(
    work: Workdir, tmp_path: Path, smtp_server: Callable[..., Server]
) -> None:
    server = smtp_server("tls")
    done = send_cli(
        work, tmp_path, "--to", "marta@acme.example",
        "--config", config(tmp_path, server.port, "tls"),
    )  # fmt: skip
    line = one_line_error(done, 3)
    assert "TLS with 127.0.0.1" in line and "certificate" in line and "ca_file" in line
    assert server.handler.received == []


def test_starttls_not_offered_is_not_downgraded(
    work: Workdir, tmp_path: Path, smtp_server: Callable[..., Server], certs: tuple[Path, Path]
) -> None:
    server = smtp_server("none")
    cfg = config(tmp_path, server.port, "starttls", ca_file=str(certs[0]))
    done = send_cli(work, tmp_path, "--to", "marta@acme.example", "--config", cfg)
    assert "does not offer STARTTLS" in one_line_error(done, 3)
    assert server.handler.received == []


def test_timeout(work: Workdir, tmp_path: Path) -> None:
    with socket.socket() as silent:  # accepts connections (backlog), never says hello
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        cfg = config(tmp_path, port, timeout=0.5)
        done = send_cli(work, tmp_path, "--to", "marta@acme.example", "--config", cfg)
    assert f"127.0.0.1:{port} did not answer within 0.5 s" in one_line_error(done, 3)


def test_oversize_refused_before_connecting(work: Workdir, tmp_path: Path) -> None:
    port = free_port()  # connecting would fail with exit 3
    cfg = config(tmp_path, port, max_attachment_mb=0.001)
    done = send_cli(work, tmp_path, "--to", "marta@acme.example", "--config", cfg)
    line = one_line_error(done, 2)
    assert "larger than the 0.001 MB attachments may be" in line and "report.pdf" in line
    done = send_cli(
        work, tmp_path, "--to", "marta@acme.example", "--config", config(tmp_path, port),
        ASSESS_SMTP_MAX_MB="0.001",
    )  # fmt: skip
    assert "larger than" in one_line_error(done, 2)


@pytest.mark.parametrize(
    "address",
    ["a@b", "a b@acme.example", "marta.acme.example", "a@acme.example, b@acme.example",
     "Marta <a@b>", "", "marta@acme.example\r\nBcc: x@y.example"],
)  # fmt: skip
def test_bad_address(work: Workdir, tmp_path: Path, address: str) -> None:
    done = send_cli(work, tmp_path, "--to", "ok@acme.example", "--cc", address, "--dry-run")
    line = one_line_error(done, 2)
    assert "--cc: not an email address" in line
    assert not work.report.with_suffix(".eml").exists()


def test_good_addresses() -> None:
    assert parse_address(" marta@acme.example ", field="--to") == "marta@acme.example"
    assert parse_address('"Keller, Marta" <m.k+x@mail.acme.example>', field="--to") == (
        '"Keller, Marta" <m.k+x@mail.acme.example>'
    )
    with pytest.raises(InputError, match="not an email address"):
        parse_address("<>", field="--to")


def test_password_never_from_a_file_and_required_without_terminal(
    work: Workdir, tmp_path: Path, smtp_server: Callable[..., Server]
) -> None:
    server = smtp_server("none", auth=True)
    cfg = config(tmp_path, server.port, username=USER, password=PASSWORD)
    line = one_line_error(send_cli(work, tmp_path, "--to", "m@acme.example", "--config", cfg), 2)
    assert f"{cfg}:6: password: passwords are never read from a file" in line
    assert PASSWORD not in line
    cfg = config(tmp_path, server.port, username=USER)
    line = one_line_error(send_cli(work, tmp_path, "--to", "m@acme.example", "--config", cfg), 2)
    assert "needs a password: set ASSESS_SMTP_PASSWORD" in line
    assert server.handler.connections == 0 and server.handler.received == []


def test_password_asked_on_a_terminal(
    work: Workdir, tmp_path: Path, smtp_server: Callable[..., Server], certs: tuple[Path, Path]
) -> None:
    server = smtp_server("starttls", auth=True)
    cfg = config(tmp_path, server.port, "starttls", username=USER, ca_file=str(certs[0]))
    child = pexpect.spawn(
        sys.executable,
        ["-m", "assess", "send", str(work.report), "--to", "m@acme.example", "--config", str(cfg)],
        env=_env(tmp_path),
        encoding="utf-8",
        timeout=60,
    )
    child.logfile_read = seen = io.StringIO()
    child.expect_exact(f"SMTP password for {USER} at 127.0.0.1: ")
    child.sendline(PASSWORD)
    child.expect_exact("sent report.pdf to m@acme.example")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert PASSWORD not in seen.getvalue()  # not echoed
    [got] = server.handler.received
    assert got.authenticated and got.tls


def test_bad_config(work: Workdir, tmp_path: Path) -> None:
    cfg = config(tmp_path, 25, "ssl")
    line = one_line_error(send_cli(work, tmp_path, "--to", "m@acme.example", "--config", cfg), 2)
    assert f"{cfg}:3: security:" in line and "starttls" in line
    cfg = dump(tmp_path / "smtp.yaml", {"host": "127.0.0.1", "sender": SENDER, "prot": 25})
    line = one_line_error(send_cli(work, tmp_path, "--to", "m@acme.example", "--config", cfg), 2)
    assert f"{cfg}:3: prot: unknown key" in line
    done = send_cli(work, tmp_path, "--to", "m@acme.example", "--config", cfg.with_name("no.yaml"))
    assert "no.yaml: SMTP config file not found" in one_line_error(done, 2)
    done = send_cli(
        work, tmp_path, "--to", "m@acme.example",
        ASSESS_SMTP_HOST="127.0.0.1", ASSESS_SMTP_FROM=SENDER, ASSESS_SMTP_PORT="smtp",
    )  # fmt: skip
    assert "ASSESS_SMTP_PORT: expected a whole number" in one_line_error(done, 2)
    done = send_cli(work, tmp_path, "--to", "m@acme.example")
    assert "no SMTP server: set ASSESS_SMTP_HOST" in one_line_error(done, 2)
    with pytest.raises(InputError, match="unencrypted"):
        load_config(None, {"ASSESS_SMTP_HOST": "smtp.example.com", "ASSESS_SMTP_USER": "x",
                           "ASSESS_SMTP_FROM": SENDER, "ASSESS_SMTP_SECURITY": "none"},
                    ).check_sendable()  # fmt: skip


def test_not_a_pdf(work: Workdir, tmp_path: Path) -> None:
    fake = tmp_path / "report.pdf"
    fake.write_text("hello")
    done = _run("send", fake, "--to", "m@acme.example", "--dry-run", home=tmp_path)
    assert "report.pdf: not a PDF file" in one_line_error(done, 2)
    assert not fake.with_suffix(".eml").exists()


def test_core_errors_are_delivery_errors(tmp_path: Path) -> None:
    cfg = load_config(config(tmp_path, free_port()), {})
    msg = build_message(Report("r.pdf", b"%PDF-1.4\n"), to=["m@acme.example"], sender=cfg.sender)
    with pytest.raises(DeliveryError) as info:
        send(msg, cfg, None)
    assert info.value.exit_code == 3


# --------------------------------------------------------------------------- dry run


def test_dry_run_writes_eml_and_sends_nothing(
    work: Workdir, tmp_path: Path, smtp_server: Callable[..., Server]
) -> None:
    server = smtp_server("none", auth=True)
    cfg = config(tmp_path, server.port, username=USER)  # a login, but no password needed
    eml = work.report.with_suffix(".eml")
    done = send_cli(
        work, tmp_path, "--to", "marta@acme.example", "--engagement", work.engagement,
        "--pack", work.pack, "--config", cfg, "--dry-run",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"wrote {eml}" in done.stdout
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    check_report_message(msg, work, to=["marta@acme.example"])
    assert server.handler.connections == 0 and server.handler.received == []
    assert work.report.read_bytes() == work.pdf
    eml.unlink()

    other = tmp_path / "preview.eml"
    done = send_cli(work, tmp_path, "--to", "marta@acme.example", "--eml", other)
    assert done.returncode == 0, done.stderr
    msg = email.message_from_bytes(other.read_bytes(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    assert msg["Subject"] == "report.pdf" and msg["From"] is None
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_content() == work.pdf and attachment.get_filename() == "report.pdf"
    assert not eml.exists() and server.handler.connections == 0

    done = send_cli(work, tmp_path, "--to", "marta@acme.example", "--eml", work.report)
    assert "would overwrite the report" in one_line_error(done, 2)
    assert work.report.read_bytes() == work.pdf


# --------------------------------------------------------------------------- header injection
# An RFC 2047 encoded word that decodes to CR LF: Python 3.11's header folder writes the decoded
# text back raw, so the message on the wire would carry extra headers and a body of the
# attacker's choosing. A user-given value (--subject, an address, the report's file name) is
# refused; text from the engagement (client name, title) is neutralised.

ATTACK = (
    "Hi\r\nBcc: evil@attacker.example\r\nReply-To: evil@attacker.example\r\n\r\n"
    "Pay invoice 4711 to IBAN XX00 EVIL"
)
ISSUE_WORD = "=?utf-8?b?SGkNCkJjYzogZXZpbEBhdHRhY2tlci5leGFtcGxl?="  # the issue's: Hi CR LF Bcc
B_WORD = "=?utf-8?b?" + base64.b64encode(ATTACK.encode()).decode() + "?="
Q_WORD = "=?UTF-8?Q?Hi=0D=0AReply-To:_evil@attacker.example=0D=0A=0D=0APay_invoice_4711?="
HEADERS = {"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"}
TITLE = "MLOps maturity assessment"


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> Callable[..., tuple[int, str, str]]:
    """The real CLI in this process (fast): exit code, stdout, stderr; no developer config."""
    for var in [v for v in os.environ if v.startswith("ASSESS_SMTP_")]:
        monkeypatch.delenv(var)
    monkeypatch.setenv("HOME", str(tmp_path))

    def run(*args: str | os.PathLike[str]) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _one_line_error(code: int, err: str) -> str:
    assert code == 2, err
    [line] = err.strip().splitlines()
    assert line.startswith("assess: error: ")
    return line


def engagement_with(work: Workdir, folder: Path, client: str, title: str | None) -> Path:
    data = yaml.safe_load(work.engagement.read_text(encoding="utf-8"))
    data["context"]["client_name"] = client
    if title is not None:
        data["assessment"]["title"] = title
    return dump(folder / "hostile.yaml", data)


def check_not_injected(msg: EmailMessage, work: Workdir, subject: str, client: str) -> None:
    """One Subject header reading ``subject``, no Bcc or Reply-To, the MIME structure intact,
    and no line of either body that the attacker's text starts."""
    assert set(msg.keys()) == HEADERS | {"Cc"}, msg.keys()
    # (Python's folder may break a long subject right after "Subject:"; its parser keeps a space)
    assert [str(s).strip() for s in msg.get_all("Subject", [])] == [subject]
    assert msg["Bcc"] is None and msg["Reply-To"] is None
    assert msg.get_content_type() == "multipart/mixed" and not msg.defects
    text, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert text is not None and html is not None
    plain, markup = (p.get_content().replace("\r\n", "\n") for p in (text, html))
    assert f"for {client} (report.pdf)" in plain
    forged = ("Bcc", "Reply-To", "Pay invoice", "Content-Type")
    for body in (plain, markup):
        assert not [ln for ln in body.splitlines() if ln.lstrip().startswith(forged)], body
        assert "\u2028" not in body and "\x85" not in body and "\r" not in body
    if "?b?" in client:  # base64-encoded: the decoded attack text appears nowhere
        for part in [str(v) for v in msg.values()] + [plain, markup]:
            assert "evil@attacker" not in part and "Pay invoice" not in part
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == "report.pdf" and attachment.get_content() == work.pdf


@pytest.mark.parametrize(
    "subject",
    [ISSUE_WORD, B_WORD, Q_WORD, f"Report {ISSUE_WORD} for you",
     "Your report\r\nBcc: evil@example.com", "Hi\nReply-To: evil@attacker.example",
     "Hi\u2028Bcc: x@y.example", "Hi\u2029x", "Hi\x85x",
     "Hi\vx", "Hi\fx", "Hi\x1bx", "Hi\x00x"],
)  # fmt: skip
def test_hostile_subject_is_refused_and_nothing_sent(
    work: Workdir,
    tmp_path: Path,
    smtp_server: Callable[..., Server],
    cli: Callable[..., tuple[int, str, str]],
    subject: str,
) -> None:
    server = smtp_server("none")
    cfg = config(tmp_path, server.port)
    base = ["send", work.report, "--to", "marta@acme.example", "--config", cfg]
    code, _, err = cli(*base, "--engagement", work.engagement, "--pack", work.pack,
                         "--subject", subject)  # fmt: skip
    line = _one_line_error(code, err)
    assert "--subject: " in line and ("encoded word" in line or "line break" in line), line
    assert "evil" not in line and "\x1b" not in line  # the hostile text is not echoed
    assert server.handler.connections == 0 and server.handler.received == []
    eml = tmp_path / "preview.eml"
    code, _, err = cli(*base, "--subject", subject, "--eml", eml)
    assert "--subject: " in _one_line_error(code, err)
    assert not eml.exists() and not work.report.with_suffix(".eml").exists()


@pytest.mark.parametrize(
    ("client", "title", "shown"),
    [
        (ISSUE_WORD, None, f"{TITLE}: = ?utf-8?b?SGkNCkJjYzogZXZpbEBhdHRhY2tlci5leGFtcGxl?="),
        (B_WORD, None, f"{TITLE}: = {B_WORD[1:]}"),
        (f"Acme {Q_WORD}", None, f"{TITLE}: Acme = {Q_WORD[1:]}"),
        ("Acme", f"Audit {ISSUE_WORD}", f"Audit = {ISSUE_WORD[1:]}: Acme"),
        ("Acme\r\nReply-To: evil@attacker.example\r\n\r\nPay invoice 4711", None,
         f"{TITLE}: Acme Reply-To: evil@attacker.example Pay invoice 4711"),
        ("Acme\u2028Bcc: evil@attacker.example\x85Pay invoice\u2029\vx", None,
         f"{TITLE}: Acme Bcc: evil@attacker.example Pay invoice x"),
    ],
)  # fmt: skip
def test_hostile_client_text_is_neutralised(
    work: Workdir,
    tmp_path: Path,
    smtp_server: Callable[..., Server],
    cli: Callable[..., tuple[int, str, str]],
    client: str,
    title: str | None,
    shown: str,
) -> None:
    """Sent to the real server and written as .eml: the subject shows the client text on one
    line with every encoded word defused ("= ?"), the body shows it on one line."""
    server = smtp_server("none")
    eng = engagement_with(work, tmp_path, client, title)
    cfg = config(tmp_path, server.port)
    base = ["send", work.report, "--to", "marta@acme.example", "--cc", "ops@northbeam.example",
            "--engagement", eng, "--pack", work.pack, "--config", cfg]  # fmt: skip
    code, _, err = cli(*base)
    assert code == 0, err
    one_line_client = " ".join(client.replace("\x85", " ").replace("\v", " ").split())
    [got] = server.handler.received
    assert got.rcpt_tos == ["marta@acme.example", "ops@northbeam.example"]
    check_not_injected(got.message, work, shown, one_line_client)
    assert [str(a) for a in got.message["To"].addresses] == ["marta@acme.example"]
    assert [str(a) for a in got.message["Cc"].addresses] == ["ops@northbeam.example"]

    eml = tmp_path / "preview.eml"
    code, _, err = cli(*base, "--eml", eml)
    assert code == 0, err
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    check_not_injected(msg, work, shown, one_line_client)
    assert len(server.handler.received) == 1  # the dry run sent nothing


def test_an_invisible_character_in_the_client_name_cannot_reorder_an_email_line(
    work: Workdir, tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    """A right-to-left override (or a zero-width space) in the client name would reverse (or
    hide) what follows it on the line where a mail reader shows it: subject, body, risks."""
    eng = engagement_with(work, tmp_path, "Acme\u202eevil\u200bCo", None)
    eml = tmp_path / "preview.eml"
    code, _, err = cli("send", work.report, "--to", "marta@acme.example", "--engagement", eng,
                       "--pack", work.pack, "--eml", eml)  # fmt: skip
    assert code == 0, err
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert plain is not None and html is not None
    for text in (str(msg["Subject"]), plain.get_content(), html.get_content()):
        assert "\u202e" not in text and "\u200b" not in text
    assert "for Acme evil Co (report.pdf)" in plain.get_content()


def test_run_send_to_neutralises_the_client_name(
    tiny_pack: Path,
    tmp_path: Path,
    smtp_server: Callable[..., Server],
    cli: Callable[..., tuple[int, str, str]],
) -> None:
    """`assess run --send-to` builds the message with the same code as `assess send`."""
    server = smtp_server("none")
    eng = dump(
        tmp_path / "eng.yaml",
        {"pack": {"id": "tiny", "version": "1.0"}, "context": {"client_name": B_WORD},
         "answers": {"alpha.one": {"choice": "a2"}, "beta.one": {"choice": "d2"}}},
    )  # fmt: skip
    out = tmp_path / "report.pdf"
    code, _, err = cli("run", eng, "--pack", tiny_pack, "-o", out, "--send-to",
                       "cto@acme.example", "--config", config(tmp_path, server.port))  # fmt: skip
    assert code == 0, err
    [got] = server.handler.received
    assert got.rcpt_tos == ["cto@acme.example"]
    msg = got.message
    assert set(msg.keys()) == HEADERS and msg["Bcc"] is None and msg["Reply-To"] is None
    assert msg["Subject"] == f"{TITLE}: = {B_WORD[1:]}"
    plain = msg.get_body(("plain",))
    assert plain is not None and f"for {B_WORD} (report.pdf)" in plain.get_content()
    assert "Pay invoice" not in msg.as_string() and "evil@attacker" not in msg.as_string()


@pytest.mark.parametrize("flag", ["--to", "--cc"])
@pytest.mark.parametrize(
    "address",
    [f"{ISSUE_WORD} <m@acme.example>", f'"{B_WORD}" <m@acme.example>',
     f"Marta {Q_WORD} <m@acme.example>", "Marta\u2028Keller <m@acme.example>",
     "Marta\x85Keller <m@acme.example>"],
)  # fmt: skip
def test_hostile_display_name_is_refused(
    work: Workdir, tmp_path: Path, cli: Callable[..., tuple[int, str, str]], flag: str, address: str
) -> None:
    other = "--cc" if flag == "--to" else "--to"
    eml = tmp_path / "preview.eml"
    code, _, err = cli("send", work.report, other, "ok@acme.example", flag, address, "--eml", eml)
    line = _one_line_error(code, err)
    assert f"{flag}: " in line and ("encoded word" in line or "not an email address" in line)
    assert not eml.exists()


def test_hostile_sender_in_config_is_refused(
    work: Workdir,
    tmp_path: Path,
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cfg = config(tmp_path, free_port(), sender=f"{ISSUE_WORD} <dana@northbeam.example>")
    code, _, err = cli("send", work.report, "--to", "m@acme.example", "--config", cfg, "--dry-run")
    line = _one_line_error(code, err)
    assert f"{cfg}:4: sender: " in line and "encoded word" in line
    monkeypatch.setenv("ASSESS_SMTP_FROM", f"Dana {Q_WORD} <dana@northbeam.example>")
    code, _, err = cli("send", work.report, "--to", "m@acme.example", "--dry-run")
    line = _one_line_error(code, err)
    assert "ASSESS_SMTP_FROM: " in line and "encoded word" in line
    assert not work.report.with_suffix(".eml").exists()


@pytest.mark.parametrize("name", [f"{ISSUE_WORD}.pdf", f"report {B_WORD}.pdf", "report\u2028x.pdf"])
def test_hostile_report_file_name_is_refused(
    work: Workdir,
    tmp_path: Path,
    smtp_server: Callable[..., Server],
    cli: Callable[..., tuple[int, str, str]],
    name: str,
) -> None:
    """The file name is the default subject and the attachment's name."""
    server = smtp_server("none")
    report = tmp_path / name
    report.write_bytes(work.pdf)
    code, _, err = cli("send", report, "--to", "m@acme.example",
                       "--config", config(tmp_path, server.port))  # fmt: skip
    line = _one_line_error(code, err)
    assert "file name" in line and "evil" not in line
    assert server.handler.connections == 0
    code, _, err = cli("send", report, "--to", "m@acme.example", "--dry-run")
    assert "file name" in _one_line_error(code, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "smtp.yaml"])


def test_every_header_passes_the_check(work: Workdir) -> None:
    """The root: any header value, whatever built it, is checked when set and when written."""
    from assess.deliver.message import to_bytes

    msg = build_message(Report("report.pdf", work.pdf), to=["m@acme.example"], sender=SENDER)
    for value in (ISSUE_WORD, Q_WORD, "a\r\nBcc: x@y.example", "a\u2028b"):
        with pytest.raises(InputError, match="Reply-To"):
            msg["Reply-To"] = value
    assert msg["Reply-To"] is None
    # a message built elsewhere with the standard policy: caught when it is written
    other = EmailMessage(policy=email.policy.default)
    other["To"] = "m@acme.example"
    other["Subject"] = ISSUE_WORD
    other.set_content("hello")
    with pytest.raises(InputError, match="Subject"):
        to_bytes(other)


def test_non_ascii_names_and_subject_still_work(
    work: Workdir,
    tmp_path: Path,
    smtp_server: Callable[..., Server],
    cli: Callable[..., tuple[int, str, str]],
) -> None:
    """Plain text in any script is not refused: the folder encodes it, the reader decodes it."""
    server = smtp_server("none")
    cfg = config(tmp_path, server.port, sender="Dana Ødegård <dana@northbeam.example>")
    eng = engagement_with(work, tmp_path, "Müller & Söhne GmbH", None)
    subject = "Reifegradbericht für Müller & Söhne: 成熟度评估, wie besprochen " * 2
    code, _, err = cli("send", work.report, "--to", "Jürgen Müller <j@acme.example>",
                       "--engagement", eng, "--pack", work.pack, "--config", cfg,
                       "--subject", subject)  # fmt: skip
    assert code == 0, err
    [got] = server.handler.received
    assert got.rcpt_tos == ["j@acme.example"]
    msg = got.message
    assert set(msg.keys()) == HEADERS and not msg.defects
    assert msg["From"] == "Dana Ødegård <dana@northbeam.example>"
    assert msg["To"] == "Jürgen Müller <j@acme.example>"
    assert " ".join(str(msg["Subject"]).split()) == subject.strip()
    plain = msg.get_body(("plain",))
    assert plain is not None and "for Müller & Söhne GmbH (report.pdf)" in plain.get_content()


def test_neutralised_text_never_breaks_a_header() -> None:
    """Random client text from hostile pieces: the neutralised subject is always accepted and
    reads back as one Subject header, the same text but for spaces around encoded words."""
    from assess.deliver.message import neutral_header_text, to_bytes

    pieces = ["=?", "?=", "utf-8", "?b?", "?Q?", "\r", "\n", "\r\n", "\u2028", "\x85", "\x0b",
              "\x00", "\x1b", "\t", " ", "Bcc:", "Reply-To: e@vil.example", "SGkNCkJj",
              "=0D=0A", "Müller", "日本語", '"', "<", ">", "(", ")", ",", ";", ":", "\\", "=", "?",
              "a" * 80]  # fmt: skip
    rng = random.Random(2047)
    msg = build_message(Report("r.pdf", b"%PDF-1.4\n"), to=["m@acme.example"], sender=SENDER)
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        msg.replace_header("Subject", shown := neutral_header_text(text))
        back = email.message_from_bytes(to_bytes(msg), policy=email.policy.default)
        assert set(back.keys()) == HEADERS, text
        assert str(back["Subject"]).replace(" ", "") == shown.replace(" ", ""), text
