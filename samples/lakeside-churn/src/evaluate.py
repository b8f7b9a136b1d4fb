"""Evaluate the candidate model on the hold-out month."""
from sklearn.metrics import f1_score, roc_auc_score


def evaluate(y_true, y_score) -> dict:
    metrics = {"auc": roc_auc_score(y_true, y_score), "f1": f1_score(y_true, y_score > 0.5)}
    print(metrics)  # reviewed by hand before release
    return metrics
