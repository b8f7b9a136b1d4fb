"""Prepare the churn training set from the policy extract."""
import hashlib

import pandas as pd


def pseudonymise(df: pd.DataFrame) -> pd.DataFrame:
    df["policy_id"] = df["policy_id"].map(lambda v: hashlib.sha256(v.encode()).hexdigest())
    return df.drop(columns=["name", "address"])
