"""Prompt specs (immutable, versioned files) and labels (movable pointers).

Specs live in prompts/specs/<name>/v<version>.toml and are never edited once
released: prompts/lock.json pins each file's sha256 and a test enforces it. Labels
(production, candidate...) live in the state directory so promote/rollback takes
effect without a redeploy; the committed prompts/labels.toml only seeds them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import string
import tempfile
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

PROMPTS_DIR = Path(__file__).resolve().parent
SPECS_DIR = PROMPTS_DIR / "specs"
LOCK_FILE = PROMPTS_DIR / "lock.json"
SEED_LABELS = PROMPTS_DIR / "labels.toml"


class PromptError(ValueError):
    """An unknown prompt, version or label, or an impossible label move."""


class PromptSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str
    owner: str
    description: str = ""
    model: str
    temperature: float | None = None
    max_output_tokens: int | None = None
    inputs: list[str]
    output_schema: str
    rollback_version: str | None = None
    eval_suite: str
    system: str
    template: str
    repair_template: str
    sha256: str = Field(default="", description="of the spec file, filled on load")


class RenderedPrompt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    system: str
    user: str
    boundary: str


def spec_path(name: str, version: str) -> Path:
    return SPECS_DIR / name / f"v{version}.toml"


def load_spec(name: str, version: str) -> PromptSpec:
    path = spec_path(name, version)
    if not path.is_file():
        known = ", ".join(_versions(name)) or "none"
        raise PromptError(f"no prompt spec {name} version {version} (known versions: {known})")
    raw = path.read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    spec = PromptSpec.model_validate({**data, "sha256": hashlib.sha256(raw).hexdigest()})
    if spec.name != name or spec.version != version:
        raise PromptError(f"{path} declares {spec.name} v{spec.version}; the file name disagrees")
    return spec


def _versions(name: str) -> list[str]:
    folder = SPECS_DIR / name
    if not folder.is_dir():
        return []
    found = [p.stem[1:] for p in folder.glob("v*.toml")]
    return sorted(found, key=lambda v: (len(v), v))


def list_specs() -> list[PromptSpec]:
    specs: list[PromptSpec] = []
    if SPECS_DIR.is_dir():
        for folder in sorted(p for p in SPECS_DIR.iterdir() if p.is_dir()):
            specs += [load_spec(folder.name, v) for v in _versions(folder.name)]
    return specs


# --- immutability ---------------------------------------------------------


def _lock_key(spec_file: Path) -> str:
    return spec_file.relative_to(SPECS_DIR).as_posix()


def read_lock() -> dict[str, str]:
    if not LOCK_FILE.is_file():
        return {}
    data: dict[str, str] = json.loads(LOCK_FILE.read_text(encoding="utf-8"))
    return data


def lock_problems() -> list[str]:
    """Spec files edited after release, missing from the lock, or deleted."""
    lock = read_lock()
    problems: list[str] = []
    seen: set[str] = set()
    for spec_file in sorted(SPECS_DIR.glob("*/v*.toml")):
        key = _lock_key(spec_file)
        seen.add(key)
        digest = hashlib.sha256(spec_file.read_bytes()).hexdigest()
        if key not in lock:
            problems.append(f"{key}: not in prompts/lock.json (run `prompt lock` to release it)")
        elif lock[key] != digest:
            problems.append(f"{key}: edited after release; add a new version instead")
    problems += [f"{key}: released but the file is gone" for key in sorted(set(lock) - seen)]
    return problems


def lock_new_specs() -> list[str]:
    """Pin specs not yet in the lock. Never re-pins an existing entry."""
    lock = read_lock()
    added: list[str] = []
    for spec_file in sorted(SPECS_DIR.glob("*/v*.toml")):
        key = _lock_key(spec_file)
        if key not in lock:
            lock[key] = hashlib.sha256(spec_file.read_bytes()).hexdigest()
            added.append(key)
    if added:
        LOCK_FILE.write_text(json.dumps(lock, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return added


# --- labels ---------------------------------------------------------------

Labels = dict[str, dict[str, str]]


def labels_path(home: Path) -> Path:
    return Path(home) / "prompts" / "labels.toml"


def _read_labels_file(path: Path) -> Labels:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {name: {k: str(v) for k, v in table.items()} for name, table in data.items()}


def _write_labels(path: Path, labels: Labels) -> None:
    lines = ["# Runtime prompt labels (edited by `prompt promote|rollback`).", ""]
    for name in sorted(labels):
        lines.append(f"[{json.dumps(name)}]")
        lines += [f"{json.dumps(k)} = {json.dumps(v)}" for k, v in sorted(labels[name].items())]
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write-then-rename: a crash never leaves a half-written labels file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".labels-", suffix=".toml")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
    os.replace(tmp, path)


def read_labels(home: Path) -> Labels:
    """The runtime labels, seeded from the committed file; new prompts get seed labels."""
    path = labels_path(home)
    seed = _read_labels_file(SEED_LABELS) if SEED_LABELS.is_file() else {}
    if not path.is_file():
        _write_labels(path, seed)
        return seed
    labels = _read_labels_file(path)
    missing = {name: table for name, table in seed.items() if name not in labels}
    if missing:
        labels.update(missing)
        _write_labels(path, labels)
    return labels


def resolve_label(name: str, label: str = "production", home: Path | None = None) -> PromptSpec:
    if home is None:
        from vouchflow.settings import load_settings

        home = load_settings().home
    labels = read_labels(home)
    version = labels.get(name, {}).get(label)
    if version is None:
        raise PromptError(f"prompt {name} has no label {label!r} (labels: {labels.get(name, {})})")
    return load_spec(name, version)


def _record_move(home: Path, name: str, label: str, old: str | None, new: str, why: str) -> None:
    entry = {
        "at": dt.datetime.now(dt.UTC).isoformat(),
        "prompt": name,
        "label": label,
        "from": old,
        "to": new,
        "action": why,
    }
    history = labels_path(home).with_name("label_history.jsonl")
    with history.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")


def promote(name: str, version: str, label: str = "production", home: Path | None = None) -> str:
    """Point `label` at `version`; returns the previous version (or '' if none)."""
    return _move(name, version, label, home, "promote")


def _move(name: str, version: str, label: str, home: Path | None, action: str) -> str:
    if home is None:
        from vouchflow.settings import load_settings

        home = load_settings().home
    load_spec(name, version)  # refuse to point a label at a version that does not exist
    labels = read_labels(home)
    old = labels.get(name, {}).get(label)
    labels.setdefault(name, {})[label] = version
    _write_labels(labels_path(home), labels)
    _record_move(home, name, label, old, version, action)
    return old or ""


def rollback(name: str, label: str = "production", home: Path | None = None) -> PromptSpec:
    """Move `label` to the current version's rollback_version; returns the new spec."""
    current = resolve_label(name, label, home)
    if not current.rollback_version:
        raise PromptError(f"{name} v{current.version} declares no rollback_version")
    target = load_spec(name, current.rollback_version)
    _move(name, target.version, label, home, "rollback")
    return target


# --- rendering ------------------------------------------------------------


def render(spec: PromptSpec, *, document: str, filename: str) -> RenderedPrompt:
    """Fill the templates. The boundary derives from the document's own hash, so the
    document cannot contain a matching end marker to break out of its delimiters."""
    boundary = hashlib.sha256(document.encode("utf-8")).hexdigest()[:16]
    values = {"document": document, "filename": filename.replace('"', "'"), "boundary": boundary}
    return RenderedPrompt(
        system=string.Template(spec.system.strip()).substitute(values),
        user=string.Template(spec.template.strip()).substitute(values),
        boundary=boundary,
    )


def render_repair(spec: PromptSpec, errors: list[str]) -> str:
    listed = "\n".join(f"- {e}" for e in errors)
    return string.Template(spec.repair_template.strip()).substitute(errors=listed)
