"""Measure `assess scan` against hand-labelled public ML repositories (benchmarks/corpus/).

Each label `benchmarks/corpus/<owner>__<name>.yaml` names a repository and commit and says, for
each of the seven areas, whether the repository shows the practice (`practice`) and where
(`paths`, each "path: what it shows"), plus the real problems a reader sees (`problems`) and
what could fool a scanner (`traps`, not measured).
For every label whose repository is cloned in DIR (`DIR/<owner>__<name>.git` or
`DIR/<owner>__<name>`), this scans the labelled commit in this process
(`assess.scan.batch.scan_one`, the bundled pack) and prints:
  per area: recall (labelled practice with at least one positive finding / labelled practice)
            and precision (labelled practice among repos with a positive finding), with counts;
  misses (repo, area, labelled paths) and false positives (repo, area, rule, path);
  path coverage: labelled paths that no positive finding of that area falls under (a label
            ending in / covers everything below it), and the areas whose findings do;
  negative findings per repository next to the label's problems, so a false problem shows;
  the scan time per repository and in total.
Repositories missing from DIR are listed as skipped; a scan that fails is listed and left out.
It scans with the `assess` it imports (printed first): the venv's, or a checkout put first on
PYTHONPATH.

    .venv/bin/python benchmarks/bench_corpus.py [--clones /tmp/corpus] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

import assess
from assess.model.evidence import Finding, RepoScan, ScanFailure
from assess.model.rules import RuleKind
from assess.resources import resolve_pack_dir
from assess.scan.batch import scan_one

AREAS = ("data", "versioning", "training", "validation", "cicd", "monitoring", "compliance")
CORPUS = Path(__file__).resolve().parent / "corpus"


@dataclass(frozen=True)
class AreaLabel:
    practice: bool
    paths: tuple[str, ...]  # the path part of each "path: what it shows" entry


@dataclass(frozen=True)
class Label:
    file: Path
    repo: str
    commit: str
    areas: dict[str, AreaLabel]
    problems: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.repo.replace("/", "__")


@dataclass
class Result:
    label: Label
    scan: RepoScan
    seconds: float
    positive: dict[str, list[Finding]] = field(default_factory=dict)
    negative: list[Finding] = field(default_factory=list)


def load_label(path: Path) -> Label:
    """One label file, checked enough to measure with; a bad one stops the run naming the field."""

    def bad(what: str) -> SystemExit:
        return SystemExit(f"{path}: {what}")

    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise bad(f"cannot read the label: {exc}") from None
    if not isinstance(raw, dict):
        raise bad("not a mapping")
    for key in ("repo", "commit"):
        if not isinstance(raw.get(key), str):
            raise bad(f"{key}: a string is required")
    areas_raw = raw.get("areas")
    if not isinstance(areas_raw, dict) or sorted(areas_raw) != sorted(AREAS):
        raise bad(f"areas: exactly {', '.join(AREAS)} are required")
    areas: dict[str, AreaLabel] = {}
    for area in AREAS:
        entry = areas_raw[area]
        if not isinstance(entry, dict) or not isinstance(entry.get("practice"), bool):
            raise bad(f"areas.{area}.practice: true or false is required")
        paths = entry.get("paths") or []
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise bad(f"areas.{area}.paths: a list of 'path: what it shows' strings is required")
        areas[area] = AreaLabel(entry["practice"], tuple(p.split(": ", 1)[0] for p in paths))
    problems = raw.get("problems") or []
    if not isinstance(problems, list) or not all(isinstance(p, str) for p in problems):
        raise bad("problems: a list of strings is required")
    label = Label(path, raw["repo"], raw["commit"], areas, tuple(problems))
    if path.stem != label.name:
        raise bad(f"repo: {label.repo} should be in {label.name}.yaml")
    return label


def find_clone(clones: Path, name: str) -> Path | None:
    for candidate in (clones / f"{name}.git", clones / name):
        if candidate.is_dir():
            return candidate
    return None


def covers(label_path: str, finding_path: str) -> bool:
    if label_path.endswith("/"):
        return finding_path.startswith(label_path)
    return finding_path == label_path


def ratio(num: int, den: int) -> str:
    return f"{num / den:.2f}" if den else "  - "


def scan(label: Label, clone: Path, budget: float, with_history: bool) -> Result | str:
    t0 = time.perf_counter()
    out = scan_one(
        str(clone),
        label.commit,
        str(resolve_pack_dir(None)),
        max_file_size=2 * 1024 * 1024,
        with_history=with_history,
        budget=budget,
    )
    seconds = time.perf_counter() - t0
    if isinstance(out, ScanFailure):
        return out.message
    result = Result(label, out, seconds)
    for area, findings in out.areas.items():
        for f in findings:
            if f.kind is RuleKind.positive:
                result.positive.setdefault(area, []).append(f)
            else:
                result.negative.append(f)
    return result


def report(results: list[Result]) -> None:
    print("\nPer area (repos):")
    print(f"  {'area':<11} {'recall':>6} {'precision':>9}   labelled  found  both")
    misses: list[tuple[str, str, tuple[str, ...]]] = []
    false_pos: list[tuple[str, str, Finding]] = []
    for area in AREAS:
        labelled = found = both = 0
        for r in results:
            practice = r.label.areas[area].practice
            shown = bool(r.positive.get(area))
            labelled += practice
            found += shown
            both += practice and shown
            if practice and not shown:
                misses.append((r.label.repo, area, r.label.areas[area].paths))
            if shown and not practice:
                false_pos += [(r.label.repo, area, f) for f in r.positive[area]]
        print(
            f"  {area:<11} {ratio(both, labelled):>6} {ratio(both, found):>9}"
            f"   {labelled:>8}  {found:>5}  {both:>4}"
        )

    print(f"\nMisses ({len(misses)}): labelled practice, no positive finding in the area")
    for repo, area, paths in misses:
        print(f"  {repo}  {area}")
        for p in paths:
            print(f"      {p}")

    print(f"\nFalse positives ({len(false_pos)} findings): positive finding, no labelled practice")
    for repo, area, f in false_pos:
        print(f"  {repo}  {area}  {f.rule}  {f.path}")

    total = uncovered = 0
    lines: list[str] = []
    for r in results:
        for area in AREAS:
            entry = r.label.areas[area]
            if not entry.practice:
                continue
            for p in entry.paths:
                total += 1
                if any(covers(p, f.path) for f in r.positive.get(area, [])):
                    continue
                uncovered += 1
                elsewhere = sorted(
                    {a for a, fs in r.positive.items() if any(covers(p, f.path) for f in fs)}
                )
                hint = f"  (found under {', '.join(elsewhere)})" if elsewhere else ""
                lines.append(f"  {r.label.repo}  {area}  {p}{hint}")
    print(f"\nPath coverage: {total - uncovered} of {total} labelled paths have a finding")
    print(f"Uncovered paths ({uncovered}):")
    print("\n".join(lines) if lines else "  none")

    print("\nProblems: negative findings next to the label's problems")
    for r in results:
        if not r.negative and not r.label.problems:
            continue
        print(f"  {r.label.repo}")
        for p in r.label.problems:
            print(f"      label: {p}")
        for f in r.negative:
            where = f"{f.path}:{f.line}" if f.line else f.path
            print(f"      scan:  {f.rule}  {where}  {(f.snippet or '')[:80]}")
        if not r.negative:
            print("      scan:  (no negative finding)")
        if not r.label.problems:
            print("      label: (no problem)")

    print("\nScan time:")
    for r in results:
        note = f"  incomplete: {r.scan.incomplete}" if r.scan.incomplete else ""
        print(f"  {r.label.repo:<50} {r.seconds:7.2f} s  {r.scan.files:>6} files{note}")
    print(f"  {'total':<50} {sum(r.seconds for r in results):7.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clones", type=Path, default=Path("/tmp/corpus"), metavar="DIR")
    parser.add_argument("--corpus", type=Path, default=CORPUS, metavar="DIR", help="label folder")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="owner__name of labels to run")
    parser.add_argument("--budget", type=float, default=600, help="scan time budget per repo (s)")
    parser.add_argument("--no-history", action="store_true", help="skip the git log walk")
    args = parser.parse_args()

    print(f"assess {assess.__version__} from {Path(assess.__file__).parent}")
    labels = [load_label(p) for p in sorted(args.corpus.glob("*.yaml"))]
    if args.only:
        unknown = sorted(set(args.only) - {lb.name for lb in labels})
        if unknown:
            sys.exit(f"{args.corpus}: no label for {', '.join(unknown)}")
        labels = [lb for lb in labels if lb.name in args.only]
    if not labels:
        sys.exit(f"{args.corpus}: no labels to run")
    results: list[Result] = []
    skipped: list[str] = []
    failed: list[str] = []
    for label in labels:
        clone = find_clone(args.clones, label.name)
        if clone is None:
            skipped.append(label.repo)
            continue
        print(f"scanning {label.repo} at {label.commit[:12]} ...", flush=True)
        out = scan(label, clone, args.budget, not args.no_history)
        if isinstance(out, str):
            failed.append(f"{label.repo}: {out}")
        else:
            results.append(out)
    print(f"\n{len(results)} scanned, {len(skipped)} skipped, {len(failed)} failed")
    if skipped:
        print(f"Skipped (not in {args.clones}): {', '.join(skipped)}")
    for line in failed:
        print(f"Failed: {line}")
    if results:
        report(results)


if __name__ == "__main__":
    main()
