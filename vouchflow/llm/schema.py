"""A strict JSON schema from a pydantic model (for Chat Completions json_schema format).

Strict mode rejects schemas where an object allows extra keys or leaves a property
out of `required`, and ignores defaults; this enforces all three.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


def _strictify(node: Any) -> Any:
    if isinstance(node, dict):
        out = {key: _strictify(value) for key, value in node.items() if key != "default"}
        if out.get("type") == "object" and "properties" in out:
            out["additionalProperties"] = False
            out["required"] = list(out["properties"])
        return out
    if isinstance(node, list):
        return [_strictify(item) for item in node]
    return node


def strict_json_schema(model: type[BaseModel]) -> dict[str, Any]:
    result: dict[str, Any] = _strictify(model.model_json_schema())
    return result


def schema_strictness_errors(schema: Any, path: str = "$") -> list[str]:
    """What a strict-mode server would reject (used by tests and the fakes)."""
    errors: list[str] = []
    if isinstance(schema, dict):
        if schema.get("type") == "object" or "properties" in schema:
            props = schema.get("properties", {})
            if schema.get("additionalProperties") is not False:
                errors.append(f"{path}: additionalProperties must be false")
            missing = sorted(set(props) - set(schema.get("required", [])))
            if missing:
                errors.append(f"{path}: every property must be required; missing {missing}")
        for key, value in schema.items():
            errors += schema_strictness_errors(value, f"{path}.{key}")
    elif isinstance(schema, list):
        for i, item in enumerate(schema):
            errors += schema_strictness_errors(item, f"{path}[{i}]")
    return errors
