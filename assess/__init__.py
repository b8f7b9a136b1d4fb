"""assess: MLOps maturity assessments for consultants.

The package is a pure core (``packs``, ``engagement``, ``pipeline`` and the stages it composes,
``report`` for every output) behind a thin command-line adapter (``cli``). Only the CLI prints,
prompts or exits.
"""

__version__ = "0.1.0"
