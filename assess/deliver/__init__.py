"""Email the report (``assess send``): SMTP settings, message building and delivery.

- ``config``: the SMTP settings from a YAML file and ``ASSESS_SMTP_*`` environment variables
  (the environment wins), validated with pydantic. The password is never part of them: the CLI
  reads ``ASSESS_SMTP_PASSWORD`` or asks for it on a terminal.
- ``message``: pure message building (recipients checked, body rendered from
  ``templates/email/`` with Jinja2, the PDF attached).
- ``smtp``: one delivery over STARTTLS, implicit TLS or plain SMTP; every failure becomes a
  ``DeliveryError`` (exit code 3) with one line saying what went wrong.

Nothing here prints, prompts or exits.
"""
