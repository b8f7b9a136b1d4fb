"""The repository scanner: git access (``repo``, the only module touching git), the rule
catalog and its engine (``rules``, ``engine``), history signals and outputs (JSON, SARIF)."""
