"""Turn a MongoDB command into its statement *shape*: structure kept, literal values redacted.

`find messages {"conversation_id": "?"} sort {"timestamp": -1} limit 50` tells an engineer which
index a query needs without leaking a single user value (message text, ids, emails) into a span.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

REDACTED = "?"

# Where each command keeps its filter; the other commands are shown by name and collection only.
_FILTER_FIELD = {
    "find": "filter",
    "count": "query",
    "distinct": "query",
    "findAndModify": "query",
}
# Commands that carry a list of statements, each with its own filter under "q".
_STATEMENT_LISTS = {"update": "updates", "delete": "deletes"}


def redact(value: Any) -> Any:
    """Keep keys and operators (`$in`, `$gt`) but replace every literal with "?"."""
    if isinstance(value, Mapping):
        return {str(key): redact(inner) for key, inner in value.items()}
    if isinstance(value, (list, tuple)):
        # A list of literals ($in: [a, b, c]) collapses to one "?" so the shape does not vary with its length.
        redacted = [redact(item) for item in value]
        return redacted if any(isinstance(item, (dict, list)) for item in redacted) else REDACTED
    return REDACTED


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(", ", ": "), default=str)


def collection_of(command_name: str, command: Mapping[str, Any]) -> str | None:
    """The collection a command works on; getMore names its cursor first and the collection after."""
    for candidate in (command.get(command_name), command.get("collection")):
        if isinstance(candidate, str):
            return candidate
    return None


def statement_shape(command_name: str, command: Mapping[str, Any]) -> str:
    """Return the redacted shape of one command, as sent on the wire."""
    collection = collection_of(command_name, command)
    parts = [command_name] + ([collection] if collection else [])

    if command_name in _FILTER_FIELD:
        parts.append(_dumps(redact(command.get(_FILTER_FIELD[command_name], {}))))
    elif command_name in _STATEMENT_LISTS:
        statements = command.get(_STATEMENT_LISTS[command_name]) or [{}]
        parts.append(_dumps(redact(statements[0].get("q", {}))))
    elif command_name == "aggregate":
        parts.append(_dumps(redact(command.get("pipeline", []))))

    # Sort keys, projections and limits are structure, not user data: they decide which index serves the query.
    if isinstance(command.get("sort"), Mapping):
        parts.append("sort " + _dumps(dict(command["sort"])))
    if "limit" in command:
        parts.append(f"limit {command['limit']}")
    return " ".join(parts)
