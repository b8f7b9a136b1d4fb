"""Time `assess scan` on a synthetic repository against raw git on the same repository.

Builds (once, cached in the temp folder) a repository of about 20,000 files and 10,000 commits
with `git fast-import`, then times in the same run:
  baseline: `git ls-tree -r HEAD` + `git log --name-status` (the raw cost of reading it)
  assess:   `assess scan REPO --format json` (tree, blobs the rules need, history, rules)
and prints the medians and their ratio. Target: at most 3x. One untimed scan runs first, as any
earlier command would have: it fills the pack cache (assess.packcache), so the timed runs, like
a consultant's, start from a checked pack.

A small repository shows the fixed cost of a scan (start-up, pack, git processes); target:
under 0.3 s wall, the median of `assess scan` printed by

    .venv/bin/python benchmarks/bench_scan.py --files 100 --commits 100 --runs 10

Wall times on a shared machine move by a third from one minute to the next, so the run also
times, alternating with the scans, the floor no scan can go under: a Python that imports
pydantic and PyYAML and builds one model (what loading the rules and writing the evidence
needs). The scan's own cost is the difference.

    .venv/bin/python benchmarks/bench_scan.py [--files 20000] [--commits 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from gitbuild import fast_import  # benchmarks/ is on the path when run as a script

ML_FILES = {
    "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n",
    "requirements.txt": "mlflow==2.9\ndvc\npandas\nevidently\n",
    ".github/workflows/ci.yml": (
        "jobs:\n  t:\n    steps:\n      - run: pytest -q\n      - run: dvc repro\n"
    ),
    "train.py": "import mlflow\nmlflow.register_model('runs:/x/model', 'churn')\n",
    "k8s/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\n",
    "MODEL_CARD.md": "# Model card\n## Intended use\n## Limitations\n",
}


FLOOR = (
    "import yaml\nfrom pydantic import BaseModel\n"
    "class M(BaseModel):\n    x: int\nM.model_validate_json('{\"x\": 1}')"
)


def build(repo: Path, files: int, commits: int) -> None:
    def batches() -> Iterator[list[tuple[str, str]]]:
        per_commit = max(1, files // commits)
        n = 0
        for c in range(commits):
            batch = [
                (f"src/pkg{n // 500}/mod{n + k}.py", f"x = {n + k}\n") for k in range(per_commit)
            ]
            n += per_commit
            if c == commits - 1:
                batch += [(f"src/extra/f{k}.py", "y = 1\n") for k in range(files - n)]
                batch += list(ML_FILES.items())
            elif c % 10 == 0:  # edits to an existing file, as real history has
                batch.append(("src/pkg0/mod0.py", f"x = {c}\n"))
            yield batch

    fast_import(repo, batches(), authors=7, seconds_apart=600)


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--commits", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    repo = Path(tempfile.gettempdir()) / f"assess-bench-{args.files}-{args.commits}"
    if not (repo / ".git").exists():
        t0 = time.perf_counter()
        build(repo, args.files, args.commits)
        print(f"built {repo} in {time.perf_counter() - t0:.1f} s")
    count = subprocess.run(
        ["git", "-C", str(repo), "rev-list", "--count", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    tree = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.count("\n")
    print(f"repository: {tree} files, {count} commits")
    # byte-compiled first, as installing the wheel does (a checkout run with
    # PYTHONDONTWRITEBYTECODE=1 would compile every module from source on every run)
    compileall.compile_dir(Path(__file__).resolve().parent.parent / "assess", quiet=1)
    scan = [sys.executable, "-m", "assess", "scan", str(repo), "--format", "json"]
    timed(scan)  # untimed: fills the pack cache
    base, ours, floor = [], [], []
    for _ in range(args.runs):
        base.append(
            timed(["git", "-C", str(repo), "ls-tree", "-r", "HEAD"])
            + timed(["git", "-C", str(repo), "log", "--name-status", "HEAD"])
        )
        ours.append(timed(scan))
        floor.append(timed([sys.executable, "-c", FLOOR]))
    b, o, f = (statistics.median(x) for x in (base, ours, floor))
    print(f"baseline git ls-tree -r + git log --name-status: median {b:.2f} s")
    print(f"assess scan --format json:                      median {o:.2f} s")
    print(f"floor (Python, pydantic, PyYAML, one model):    median {f:.2f} s")
    print(f"ratio {o / b:.2f}x; the scan's own cost (scan - floor) {o - f:.2f} s")
    print("targets: ratio <= 3x at 20,000 files; scan under 0.3 s at 100 files")


if __name__ == "__main__":
    main()
