"""Time `assess report` on the sample against WeasyPrint rendering the same final HTML alone.

Prints both medians and the ratio: our overhead is everything but WeasyPrint (loading the pack
and engagement, scoring, charts, templates, process start-up).

    .venv/bin/python benchmarks/bench_report.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "engagement.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "report.html"
        pdf = Path(tmp) / "report.pdf"
        full, baseline = [], []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "assess",
                    "report",
                    str(SAMPLE),
                    "--evidence",
                    str(ROOT / "samples" / "evidence.json"),
                    "-o",
                    str(pdf),
                    "--html",
                    str(html),
                ],
                check=True,
                capture_output=True,
            )
            full.append(time.perf_counter() - t0)
            # Baseline: a fresh interpreter that only imports WeasyPrint and renders the HTML,
            # resolving its fonts (templates/fonts) from the templates folder as assess does.
            code = (
                "import sys, weasyprint; "
                "weasyprint.HTML(filename=sys.argv[1], base_url=sys.argv[3]).write_pdf(sys.argv[2])"
            )
            t0 = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    code,
                    str(html),
                    str(Path(tmp) / "base.pdf"),
                    (ROOT / "templates").as_uri() + "/",
                ],
                check=True,
                capture_output=True,
            )
            baseline.append(time.perf_counter() - t0)
    f, b = statistics.median(full), statistics.median(baseline)
    print(f"assess report (sample, {args.runs} runs): median {f:.2f} s")
    print(f"WeasyPrint alone on the same HTML:        median {b:.2f} s")
    print(f"ratio {f / b:.2f}x (overhead {100 * (f / b - 1):.0f}% over WeasyPrint)")


if __name__ == "__main__":
    main()
