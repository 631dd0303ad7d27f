"""Writing dataset files people review: multi-line texts as YAML blocks, the header
comment kept, cases appended in order (pydantic-evals reads them back)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, so a document reads as it was printed."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def header_of(path: Path) -> str:
    """The comment lines at the top of a dataset file (its description)."""
    if not path.is_file():
        return ""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return "\n".join(lines) + ("\n" if lines else "")


def dump_dataset(name: str, cases: list[dict[str, Any]], header: str = "") -> str:
    body = yaml.dump(
        {"name": name, "cases": cases},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    return header + body


def write_dataset(path: Path, name: str, cases: list[dict[str, Any]], header: str = "") -> None:
    text = dump_dataset(name, cases, header or header_of(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write-then-rename: a reader never sees half a dataset.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".dataset-", suffix=".yaml")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)  # mkstemp makes 0600; this is a file people read and commit
    os.replace(tmp, path)


def read_cases(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cases = data.get("cases") or []
    if not isinstance(cases, list):
        raise ValueError(f"{path}: 'cases' must be a list")
    return cases
