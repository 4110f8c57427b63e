"""The metric names a PromQL expression selects, and the label names each selector
matches on. Not a PromQL parser: enough of the grammar to find every vector selector in
the expressions Pantau writes (functions, aggregations with by/without, vector matching
with on/ignoring/group_left, ranges, offsets, string arguments, Grafana's $variables)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_MATCHERS = re.compile(r"\{[^{}]*\}")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_LABEL_LIST = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_RANGE = re.compile(r"\[[^\[\]]*\]")
# A name not inside a number or duration (1e400, 1w) and not a Grafana $variable.
_NAME = re.compile(r"(?<![\w:.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(@(\d+)@)?\s*(\()?")
_MATCHER_LABEL = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)")
KEYWORDS = frozenset({"and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
                      "group_right", "offset", "bool", "inf", "nan", "atan2"})  # fmt: skip


@dataclass(frozen=True)
class Selector:
    metric: str
    labels: frozenset[str]  # the label names its matchers use


def selectors(expr: str) -> list[Selector]:
    blocks: list[str] = []

    def hide(match: re.Match[str]) -> str:
        blocks.append(match.group(0))
        return f"@{len(blocks) - 1}@"

    text = _MATCHERS.sub(hide, expr)  # matchers first: their strings belong to them
    text = _STRING.sub(" ", text)
    text = _LABEL_LIST.sub(" ", text)  # "sum by (le) (x)" is then a call of sum
    text = _RANGE.sub(" ", text)
    found = []
    for match in _NAME.finditer(text):
        name, block, call = match.group(1), match.group(3), match.group(4)
        if call or name in KEYWORDS:
            continue  # a function or an aggregation, or an operator
        matchers = blocks[int(block)] if block is not None else ""
        found.append(Selector(name, frozenset(_MATCHER_LABEL.findall(matchers))))
    return found
