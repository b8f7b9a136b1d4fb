"""The repository scanner: git access (``repo``, the only module touching git), the files at one
commit (``view``), the rule catalog and its engine (``rules``, ``engine``, ``checks``, with
``deps`` for dependencies and ``ci`` for CI files), history signals, and outputs (JSON, SARIF)."""
