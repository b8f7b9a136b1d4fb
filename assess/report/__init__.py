"""Report rendering: the Assessment result -> HTML (Jinja2) -> PDF (WeasyPrint)."""
