"""Train the churn model and log it to MLflow."""
import mlflow
import yaml
from sklearn.ensemble import RandomForestClassifier


def main() -> None:
    params = yaml.safe_load(open("params.yaml"))["train"]
    with mlflow.start_run():
        mlflow.log_params(params)
        model = RandomForestClassifier(n_estimators=params["n_estimators"])
        # ... fit on data/prepared ...
        mlflow.sklearn.log_model(model, "model")


if __name__ == "__main__":
    main()
