"""The wheel carries the packs and templates: install it in a fresh venv and use it there."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

from tests.conftest import ROOT, SAMPLE


def test_wheel_installs_and_scores_the_sample(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("assess-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "assess/_data/questionnaires/mlops/pack.yaml" in names
    assert "assess/_data/templates/report.html.j2" in names

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    py = bin_dir / "python"
    # Dependencies come from this test run's environment (appended after the venv's own
    # site-packages, so the installed wheel, not the checkout, provides `assess`).
    site = Path(
        subprocess.run(
            [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    deps = [p for p in sys.path if p.endswith("site-packages")] or [
        sysconfig.get_paths()["purelib"]
    ]
    (site / "zz_deps.pth").write_text("\n".join(deps) + "\n")
    subprocess.run(
        [py, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )

    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy(SAMPLE, work / "engagement.yaml")
    where = subprocess.run(
        [py, "-c", "import assess.resources as r; print(r.packs_dir())"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert where.startswith(str(site)), where  # the wheel's copy, not the checkout

    version = subprocess.run([bin_dir / "assess", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("assess ")
    score = subprocess.run(
        [bin_dir / "assess", "score", "engagement.yaml", "--format", "csv"],
        cwd=work,
        capture_output=True,
        text=True,
    )
    assert score.returncode == 0, score.stderr
    assert score.stdout.splitlines()[0].startswith("id,title,weight,level")
    assert "overall" in score.stdout and "compliance" in score.stdout
