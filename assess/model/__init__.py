"""Typed, immutable data, one module per stage of the data flow: ``pack`` (with ``rules``, the
scan rules), ``engagement``, ``evidence`` (what a scan writes) and ``result`` (the Assessment),
on the shared pieces in ``base``. A stage imports only the stages before it, so the scan loads
the pack and evidence models without the result models.

Pack and engagement models mirror the YAML files one to one (``extra="forbid"``: an unknown key
is an error), and ``assess schema`` publishes them as JSON Schema for editors. Cross-file checks
(ids that must exist, answers that must fit their question) live in ``packs`` and ``engagement``.
"""
