"""Alias rules: a user's corpus/aliases.csv and the curated list shipped in pipeline/data."""
from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

from pipeline.entities.names import name_key
from pipeline.records import Label

ALIAS_COLUMNS = ("alias", "canonical", "label")
CURATED_ALIASES_FILE = "aliases_nl_be.csv"


@dataclass(frozen=True)
class AliasRule:
    """One row of a user alias file or the curated list: `alias` means `canonical`."""

    alias: str
    canonical: str
    label: Label


def read_alias_rules(rows: Iterable[Mapping[str, str]], origin: str) -> tuple[AliasRule, ...]:
    """Validate parsed alias rows (header on line 1, so the first row is line 2).

    Raises ValueError naming `origin`, the line and the fix, so a user can correct the file.
    """
    rules: list[AliasRule] = []
    seen: dict[tuple[Label, str], tuple[int, str]] = {}
    labels = ", ".join(label.value for label in Label)
    for line, row in enumerate(rows, start=2):
        missing = [column for column in ALIAS_COLUMNS if column not in row or row[column] is None]
        if missing:
            raise ValueError(
                f"{origin}, line {line}: missing column {', '.join(missing)}; "
                f"the header must be: {','.join(ALIAS_COLUMNS)}"
            )
        alias, canonical, label_text = (row[column].strip() for column in ALIAS_COLUMNS)
        if not alias or not canonical:
            raise ValueError(f"{origin}, line {line}: empty alias or canonical; fill both or delete the row")
        try:
            label = Label(label_text.upper())
        except ValueError:
            raise ValueError(
                f"{origin}, line {line}: unknown label {label_text!r}; use one of {labels}"
            ) from None
        key = (label, name_key(alias))
        if key in seen and seen[key][1] != name_key(canonical):
            first_line, _ = seen[key]
            raise ValueError(
                f"{origin}, line {line}: alias {alias!r} ({label.value}) already maps to another "
                f"canonical name on line {first_line}; keep one of the two rows"
            )
        seen[key] = (line, name_key(canonical))
        rules.append(AliasRule(alias=alias, canonical=canonical, label=label))
    return tuple(rules)


@functools.cache
def curated_alias_rules() -> tuple[AliasRule, ...]:
    """The curated Dutch and Belgian organisations and parties shipped with the package."""
    text = resources.files("pipeline").joinpath("data", CURATED_ALIASES_FILE).read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return read_alias_rules(rows, f"pipeline/data/{CURATED_ALIASES_FILE}")


@functools.lru_cache(maxsize=16)
def alias_index(rules: tuple[AliasRule, ...]) -> Mapping[tuple[Label, str], str]:
    """(label, alias key) -> canonical name; the first rule for a key wins.

    Callers pass the user's rules before the curated ones. Each canonical name also maps to
    itself, so a user rule that renames a curated entity wins over the curated spelling.
    """
    index: dict[tuple[Label, str], str] = {}
    for rule in rules:
        index.setdefault((rule.label, name_key(rule.alias)), rule.canonical)
        index.setdefault((rule.label, name_key(rule.canonical)), rule.canonical)
    return MappingProxyType(index)
