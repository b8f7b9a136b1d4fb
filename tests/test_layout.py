"""The package's rooms keep their shape: no import circle between assess's modules, the models
split by stage (a stage imports only the stages before it), and the scan and the CLI's start-up
without the modules they do not need."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.gitrepo import make_repo

PACKAGE = ROOT / "assess"
STAGES = ["base", "rules", "pack", "engagement", "evidence", "result"]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the assess modules it imports, anywhere in it (inside functions too: a lazy
    import is still a dependency)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_circle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_in_the_package() -> None:
    graph = import_graph()
    assert "assess.scan.engine" in graph and "assess.cli.results" in graph  # it read them
    assert circles(graph) == []


def test_model_stages_import_only_earlier_stages() -> None:
    graph = import_graph()
    for i, stage in enumerate(STAGES):
        imported = {m.rsplit(".", 1)[-1] for m in graph[f"assess.model.{stage}"]}
        later = imported & set(STAGES[i + 1 :])
        assert not later, f"assess.model.{stage} imports later stages {sorted(later)}"


def test_scoring_and_the_interview_do_not_depend_on_each_other() -> None:
    graph = import_graph()
    assert not {m for m in graph["assess.scoring"] if m.startswith("assess.interview")}
    assert "assess.conditions" in graph["assess.scoring"]
    assert "assess.conditions" in graph["assess.interview.engine"]


def test_scoring_only_scores_and_the_pipeline_composes() -> None:
    graph = import_graph()
    stages = {"assess.gaps", "assess.recommend", "assess.compliance", "assess.review"}
    assert not graph["assess.scoring"] & (stages | {"assess.pipeline"})
    assert stages | {"assess.scoring", "assess.reconcile"} <= graph["assess.pipeline"]


def test_only_the_cli_and_the_prompts_print() -> None:
    """print( appears only in the CLI package and the interview's terminal modules."""
    allowed = {"cli", "interview/prompt.py", "interview/review_prompt.py"}
    printing = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print"
        ]
        if calls and rel.split("/")[0] not in allowed and rel not in allowed:
            printing.append(rel)
    assert printing == []


def _loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return set(out.split())


def test_the_scan_loads_no_result_or_rendering_modules() -> None:
    loaded = _loaded_after(
        "import assess.cli.scan, assess.packs, assess.scan.batch, assess.scan.engine, "
        "assess.scan.output"
    )
    assert "assess.model.pack" in loaded and "assess.scan.engine" in loaded
    unwanted = {"assess.model.result", "assess.model.engagement", "pandas", "jinja2", "git"}
    assert not loaded & unwanted, sorted(loaded & unwanted)
    assert not {m for m in loaded if m.startswith("assess.report")}


def test_a_scan_loads_only_the_scan_part_of_a_checked_pack(tmp_path: Path) -> None:
    """A scan whose pack is in the cache builds the rule and evidence models only, and runs
    git without GitPython; the first scan (no entry yet) loads the pack whole."""
    repo = make_repo(tmp_path / "r", {"train.py": "import mlflow\n", "dvc.yaml": "stages: {}\n"})
    argv = ["scan", str(repo), "--format", "json", "-o", str(tmp_path / "e.json")]
    code = (
        f"import sys\nfrom assess.cli import main\ncode = main({argv!r})\n"
        "assert code == 0, code\nprint(' '.join(sorted(sys.modules)))"
    )
    env = {**os.environ, "ASSESS_CACHE_DIR": str(tmp_path / "cache")}
    runs = [
        set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, cwd=ROOT, env=env).stdout.split())
        for _ in range(2)
    ]  # fmt: skip
    first, second = runs
    assert "assess.model.pack" in first and "assess.packs" in first  # no entry yet: loaded whole
    whole_pack = {"assess.model.pack", "assess.packs", "assess.toolref", "assess.validation"}
    assert "assess.scan.engine" in second and "assess.model.evidence" in second
    assert not second & (whole_pack | {"git", "gitdb"}), sorted(second & whole_pack)
    assert json.loads((tmp_path / "e.json").read_text())["repos"][0]["files"] == 2


def test_help_loads_no_models() -> None:
    loaded = _loaded_after("import assess.cli; assess.cli.build_parser()")
    assert "assess.cli.results" in loaded
    assert not {m for m in loaded if m.startswith("assess.model") or m == "pydantic"}
