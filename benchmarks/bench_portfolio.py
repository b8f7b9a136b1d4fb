"""Time a portfolio scan (`assess scan --under DIR`) sequentially and with worker processes.

Builds (once, cached in the temp folder) a folder of 16 repositories of a few thousand files and
a few hundred commits each with `git fast-import`, each showing a different mix of ML practices,
then times in the same run:
  baseline: `assess scan --under DIR --jobs 1 --format json` (one repository after another)
  parallel: `assess scan --under DIR --jobs N --format json` (N worker processes, default 2)
and prints the speed-up. Both runs must write the same evidence (bar the scan times).

    .venv/bin/python benchmarks/bench_portfolio.py [--repos 16] [--jobs 2] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gitbuild import fast_import  # benchmarks/ is on the path when run as a script

PRACTICES: dict[str, dict[str, str]] = {
    "ci": {
        ".github/workflows/ci.yml": (
            "on:\n  pull_request:\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: pip install -r requirements.txt\n      - run: ruff check .\n"
            "      - run: pytest -q\n"
        )
    },
    "dvc": {
        "dvc.yaml": "stages:\n  prepare:\n    cmd: python src/prepare.py\n    outs: [data/p]\n",
        "data/raw.csv.dvc": "outs:\n- md5: 0cc175b9c0f1b6a831c399e269772661\n  path: raw.csv\n",
    },
    "mlflow": {
        "requirements.txt": "mlflow==2.9\npandas\nscikit-learn\n",
        "src/train.py": (
            "import mlflow\n\n\ndef main():\n    with mlflow.start_run():\n"
            "        mlflow.log_params({'lr': 0.1})\n"
            "        mlflow.register_model('runs:/x/model', 'churn')\n"
        ),
    },
    "k8s": {"deploy/k8s.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: m}\n"},
    "card": {"MODEL_CARD.md": "# Model card\n## Intended use\n## Limitations\n## Metrics\n"},
    "monitoring": {
        "src/monitor.py": "from evidently.report import Report\nreport = Report(metrics=[])\n"
    },
    "binary": {"models/model.pkl": "\x80\x04binary model bytes\n" * 200},
}

MODULE = '''"""Module {n} of the {pkg} package."""

import pandas as pd


def transform_{n}(frame: pd.DataFrame) -> pd.DataFrame:
    """Scale column {n} and drop missing rows."""
    frame = frame.dropna()
    frame["c{n}"] = frame["c{n}"] * {n}
    return frame
'''


def build(repo: Path, seed: int) -> None:
    rnd = random.Random(seed)
    files = rnd.randrange(2000, 4000)
    commits = rnd.randrange(200, 400)
    practices = [p for p in PRACTICES if rnd.random() < 0.5]

    def batches() -> Iterator[list[tuple[str, str]]]:
        per_commit = max(1, files // commits)
        n = 0
        for c in range(commits):
            batch = [
                (f"src/pkg{(n + k) // 200}/mod{n + k}.py", MODULE.format(n=n + k, pkg=seed))
                for k in range(per_commit)
            ]
            n += per_commit
            if c == commits - 1:
                batch += [(f"docs/page{k}.md", f"# Page {k}\n\nText.\n") for k in range(files - n)]
                for p in practices:
                    batch += list(PRACTICES[p].items())
            elif c % 7 == 0:  # edits to existing files, as real history has
                batch.append(("src/pkg0/mod0.py", MODULE.format(n=c, pkg=seed)))
            yield batch

    fast_import(repo, batches())


def scan(root: Path, jobs: int) -> tuple[float, dict[str, Any]]:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "assess", "scan", "--under", str(root), "--jobs", str(jobs),
         "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    elapsed = time.perf_counter() - t0
    data = json.loads(proc.stdout)
    for repo in data["repos"]:
        repo.pop("scanned_at")
    return elapsed, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=16)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.gettempdir()) / f"assess-bench-portfolio-{args.repos}"
    if not (root / "DONE").exists():
        t0 = time.perf_counter()
        root.mkdir(exist_ok=True)
        for i in range(args.repos):
            repo = root / f"repo{i:02d}"
            if not (repo / ".git").exists():
                build(repo, i)
        (root / "DONE").write_text("")
        print(f"built {root} in {time.perf_counter() - t0:.1f} s")
    files = commits = 0
    for repo in sorted(p for p in root.iterdir() if p.is_dir()):
        git = ["git", "-C", str(repo)]
        tree = subprocess.run(
            [*git, "ls-tree", "-r", "--name-only", "HEAD"], capture_output=True, check=True
        ).stdout
        files += tree.count(b"\n")
        count = subprocess.run(
            [*git, "rev-list", "--count", "HEAD"], capture_output=True, text=True, check=True
        ).stdout
        commits += int(count)
    print(
        f"{args.repos} repositories: {files} files, {commits} commits in all; {os.cpu_count()} CPUs"
    )
    base, ours = [], []
    for _ in range(args.runs):
        b, seq = scan(root, 1)
        o, par = scan(root, args.jobs)
        assert seq == par, "the parallel scan must find exactly what the sequential one does"
        base.append(b)
        ours.append(o)
    b, o = statistics.median(base), statistics.median(ours)
    print(f"assess scan --under DIR --jobs 1: median {b:.2f} s")
    print(f"assess scan --under DIR --jobs {args.jobs}: median {o:.2f} s")
    print(f"speed-up {b / o:.2f}x with {args.jobs} jobs")


if __name__ == "__main__":
    main()
