"""Shared fixtures: a small synthetic pack for exact scoring numbers, and CLI runners."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from assess.resources import packs_dir

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "engagement.yaml"

_CACHE_OWNED: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """The pack cache (assess.packcache) of this test run, never the user's; commands run in
    subprocesses inherit it (a test run inside a test run shares its parent's)."""
    if "ASSESS_TEST_CACHE_DIR" not in os.environ:
        _CACHE_OWNED.append(tempfile.mkdtemp(prefix="assess-test-cache-"))
        os.environ["ASSESS_TEST_CACHE_DIR"] = _CACHE_OWNED[0]
    os.environ["ASSESS_CACHE_DIR"] = os.environ["ASSESS_TEST_CACHE_DIR"]


def pytest_unconfigure(config: pytest.Config) -> None:
    for folder in _CACHE_OWNED:
        shutil.rmtree(folder, ignore_errors=True)


def dump(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def review_sample(dest: Path) -> Path:
    """The sample engagement written to ``dest`` with compliance.lineage answered "don't know"
    by its respondent: the sample's evidence shows lineage links (src/train.py logs the model
    with its run, dvc.yaml has pipeline stages), so the review of this engagement against
    ``samples/evidence.json`` has an evidence-only claim (suggested level 3) beside the sample's
    own contradicted, understated and not-evidenced ones."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    answers = data["answers"]
    answers["compliance.lineage"] = {
        "status": "dont_know",
        "respondent": answers["compliance.lineage"]["respondent"],
    }
    return dump(dest, data)


def _choices(prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{prefix}{lvl}",
            "level": lvl,
            "text": f"{prefix} level {lvl}",
            "plan": f"go {lvl + 1}",
        }
        for lvl in range(5)
    ]


def tiny_pack_data() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """A pack with two areas: 'alpha' (weight 2, three questions) and 'beta' (two questions)."""
    head = {
        "id": "tiny",
        "version": "1.0",
        "title": "Tiny pack",
        "description": "For tests.",
        "ladder": [{"level": i, "name": f"L{i}", "meaning": f"level {i}"} for i in range(5)],
        "areas": [
            {"id": "alpha", "title": "Alpha", "description": "A", "weight": 2.0},
            {"id": "beta", "title": "Beta", "description": "B", "default_target": 2},
        ],
        "context": [
            {"id": "client_name", "prompt": "Client", "type": "text", "required": True},
            {"id": "targets", "prompt": "Targets", "type": "targets"},
            {
                "id": "clouds",
                "prompt": "Clouds",
                "type": "multi",
                "options": [{"id": "aws", "label": "AWS"}, {"id": "gcp", "label": "GCP"}],
            },
        ],
    }
    questions = {
        "alpha": {
            "area": "alpha",
            "questions": [
                {"id": "alpha.one", "text": "One?", "choices": _choices("a"), "risk": "high"},
                {"id": "alpha.two", "text": "Two?", "choices": _choices("b"), "weight": 3.0},
                {
                    "id": "alpha.three",
                    "text": "Three?",
                    "choices": _choices("c"),
                    "not_applicable": "No personal data",
                },
            ],
        },
        "beta": {
            "area": "beta",
            "questions": [
                {
                    "id": "beta.one",
                    "text": "B one?",
                    "choices": _choices("d"),
                    "not_applicable": "x",
                },
                {
                    "id": "beta.two",
                    "text": "B two?",
                    "choices": _choices("e"),
                    "not_applicable": "x",
                },
            ],
        },
    }
    return head, questions


def write_pack(folder: Path, head: dict[str, Any], questions: dict[str, dict[str, Any]]) -> Path:
    dump(folder / "pack.yaml", head)
    for area, data in questions.items():
        dump(folder / "questions" / f"{area}.yaml", data)
    return folder


@pytest.fixture
def tiny_pack(tmp_path: Path) -> Path:
    head, questions = tiny_pack_data()
    return write_pack(tmp_path / "tiny", head, questions)


@pytest.fixture
def bundled_pack_copy(tmp_path: Path) -> Path:
    """A writable copy of the default pack, for tests that break it on purpose."""
    dest = tmp_path / "mlops"
    shutil.copytree(packs_dir() / "mlops", dest)
    return dest


def run_assess(
    *args: str | os.PathLike[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real command in a subprocess, as a user would (``env`` over the environment)."""
    return subprocess.run(
        [sys.executable, "-m", "assess", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **env} if env else None,
        timeout=300,
    )


@pytest.fixture
def assess_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_assess


@pytest.fixture
def scan_pack(tmp_path: Path) -> Path:
    """The tiny pack with the scan rules of ``tests/test_scan_rules.py``: one of each matcher."""
    from tests.test_scan_rules import RULES

    head, questions = tiny_pack_data()
    folder = write_pack(tmp_path / "tiny", head, questions)
    dump(folder / "rules" / "alpha.yaml", RULES)
    return folder


@pytest.fixture(scope="session")
def scenario_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every client scenario of ``tests/scenarios.py`` scored once per session (the results are
    frozen, so the test modules that read them share one set)."""
    from assess.packs import load_pack
    from tests.scenarios import SCENARIOS, score_scenario

    pack, folder = load_pack("mlops"), tmp_path_factory.mktemp("scenarios")
    return {name: score_scenario(pack, name, folder) for name in SCENARIOS}
