import pandas as pd

from src.prepare import pseudonymise


def test_pseudonymise_drops_direct_identifiers():
    df = pd.DataFrame({"policy_id": ["A1"], "name": ["x"], "address": ["y"], "premium": [1.0]})
    out = pseudonymise(df)
    assert "name" not in out and out["policy_id"][0] != "A1"
