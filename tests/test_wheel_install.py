"""`pip install .` outside the source tree: the wheel adds exactly four import roots and
works from another directory (configuration, prompt specs and samples are package data).

The wheel is built without build isolation (no network) and installed without
dependencies into a fresh venv; the dependencies come from this project's environment
through a path entry that is not a site directory, so the project's own editable install
is not visible there.
"""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHERE = "import vouchflow, schemas; print(vouchflow.__file__, schemas.__file__)"
IMPORT_ROOTS = {"workflows", "activities", "schemas", "vouchflow"}


def _run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=240, **kwargs)  # type: ignore[call-overload]


def test_the_wheel_installs_four_roots_and_extracts_a_sample(tmp_path: Path) -> None:
    # Built from a copy: setuptools writes build/ and *.egg-info beside the sources.
    source = tmp_path / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", ".vouchflow", "build", "*.egg-info", "__pycache__", ".*_cache"
        ),
    )
    dist = tmp_path / "dist"
    built = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "--wheel-dir",
            str(dist),
            str(source),
        ],
        cwd=tmp_path,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("vouchflow-*.whl")

    names = zipfile.ZipFile(wheel).namelist()
    roots = {
        name.split("/", 1)[0] for name in names if not name.split("/", 1)[0].endswith(".dist-info")
    }
    assert roots == IMPORT_ROOTS
    for data in (
        "vouchflow/vouchflow.toml",
        "vouchflow/prompts/labels.toml",
        "vouchflow/prompts/specs/invoice_extraction/v2.toml",
        "vouchflow/prompts/specs/support_ticket_classifier/v1.toml",
        "vouchflow/samples/invoices/01_clean_uk_vat.pdf",
    ):
        assert data in names, data
    assert not any(name.startswith(("tests/", "bench/", "evals/")) for name in names)

    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", "--without-pip", str(venv)]).returncode == 0
    python = venv / "bin" / "python"
    fresh_site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]
        ).stdout.strip()
    )
    # Dependencies from this environment; a plain path entry, so its .pth files (the
    # project's editable install among them) are not processed.
    (fresh_site / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    installed = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(wheel),
        ]
    )
    assert installed.returncode == 0, installed.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "VOUCHFLOW_HOME": str(elsewhere / "state")}
    where = _run(
        [
            str(python),
            "-c",
            "import vouchflow, schemas; print(vouchflow.__file__, schemas.__file__)",
        ],
        cwd=elsewhere,
        env=env,
    )
    assert where.returncode == 0, where.stderr
    assert all(str(fresh_site) in path for path in where.stdout.split()), where.stdout

    sample = ROOT / "vouchflow" / "samples" / "invoices" / "01_clean_uk_vat.pdf"
    extracted = _run(
        [str(venv / "bin" / "vouchflow"), "extract", str(sample), "--json"],
        cwd=elsewhere,
        env=env,
    )
    assert extracted.returncode == 0, extracted.stderr
    decision = json.loads(extracted.stdout)
    expected = json.loads(sample.with_suffix(".json").read_text())
    invoice = decision["invoice"]
    assert invoice["total_minor"] == expected["total_minor"]
    assert invoice["invoice_number"] == expected["invoice_number"]
