"""Every output of the Assessment result, from the one result so they never disagree:
``terminal`` (what commands print), ``data`` (JSON, CSV, XLSX), ``markdown``, ``render`` (HTML
through Jinja2, PDF through WeasyPrint, and the labels every output shares), ``email`` (the
bodies of the email that carries the report), with ``charts``, ``tables`` (the flat tables CSV
and XLSX hold), ``prose``, ``text`` and ``theme``."""
