"""Provider → FOCUS mappings as data (after the FinOps Foundation's focus_converters).

A rule set is a TOML file: which source columns a format has (with their types), and one rule per FOCUS column.
It is checked when loaded (every bronze column has exactly one rule, every referenced column is declared) and
compiled to polars expressions. A value spec is exactly one of:

    column = "src"                      copy a source column (cast to the FOCUS type)
    literal = "x"  /  null = true       a constant
    sum = ["a", "-b"]                   the sum of numeric columns, "-" negates a term (nulls count as 0)
    column = "src", extract = "re(x)"   the first regex group of a string column (null when no match)
    column = "src", values = {a = "A"}  a strict value map: an unmapped value is an error naming it
                    passthrough = true  ... or keeps unmapped values as they are
                    otherwise = "X"     ... or gives unmapped values X
    tags = ["map_col", ...]             key/value list columns merged (later wins) into a JSON object
                    strip_prefix = ["user_"]

A rule is a value spec, or ``cases`` (first match wins; ``when`` = {column = [values]} or
{column = {matches = "regex"}}, all must hold) with an optional ``default`` value spec (null when absent).

``[source] optional = [...]`` lists declared columns a delivery may lack (AWS leaves out reservation or Savings
Plan columns of accounts that never had one): they are read as nulls. Any other missing column is an error.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

from ingest.focus import BILLING_SCHEMA, Focus

_DTYPES: dict[str, pl.DataType] = {
    "String": pl.String(),
    "Float64": pl.Float64(),
    "Int64": pl.Int64(),
    "Datetime": pl.Datetime("us"),
    "Boolean": pl.Boolean(),
    "Map": pl.List(pl.Struct({"key": pl.String(), "value": pl.String()})),
}
_VALUE_KINDS = ("column", "literal", "null", "sum", "tags")


class MappingError(ValueError):
    """A rule set that does not check, or source data it cannot map."""


@dataclass(frozen=True)
class RuleSet:
    name: str
    provider: str
    source_columns: dict[str, pl.DataType]
    rules: dict[str, dict[str, Any]]
    path: Path
    optional_columns: frozenset[str] = frozenset()

    def conform(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The declared source columns, typed; optional ones filled with nulls when absent.

        Raises MappingError naming missing required columns or a column whose values do not fit its type.
        """
        missing = [c for c in self.source_columns if c not in frame.columns and c not in self.optional_columns]
        if missing:
            raise MappingError(f"missing columns {missing}")
        columns = []
        for name, dtype in self.source_columns.items():
            if name not in frame.columns:
                columns.append(pl.lit(None, dtype=dtype).alias(name))
                continue
            try:
                frame.select(pl.col(name).cast(dtype, strict=True))
            except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError) as exc:
                raise MappingError(f"column {name} does not hold {dtype} values: {str(exc)[:200]}") from exc
            columns.append(pl.col(name).cast(dtype))
        return frame.select(columns)

    def describe(self) -> str:
        """A Markdown table of the mapping, generated from the rules themselves."""
        lines = [f"### {self.name} ({self.provider})", "", "| FOCUS column | rule |", "|---|---|"]
        for target in BILLING_SCHEMA:
            cell = _describe_rule(self.rules[target]).replace("|", "\\|")  # regex alternations in a table cell
            lines.append(f"| {target} | {cell} |")
        return "\n".join(lines) + "\n"


def load_rules(path: Path) -> RuleSet:
    """Load and check one rule set."""
    with path.open("rb") as fh:
        doc = tomllib.load(fh)
    try:
        meta = doc["source"]
        rules = doc["rules"]
        declared = {col: _DTYPES[dtype] for col, dtype in meta["columns"].items()}
        optional = frozenset(meta.get("optional", []))
    except KeyError as exc:
        raise MappingError(f"{path.name}: missing or unknown {exc}") from exc
    if optional - set(declared):
        raise MappingError(f"{path.name}: optional columns not declared: {sorted(optional - set(declared))}")
    unknown = sorted(set(rules) - set(BILLING_SCHEMA))
    missing = sorted(set(BILLING_SCHEMA) - set(rules))
    if unknown or missing:
        raise MappingError(f"{path.name}: unknown targets {unknown}, targets without a rule {missing}")
    for target, rule in rules.items():
        for column in _referenced_columns(rule):
            if column not in declared:
                raise MappingError(f"{path.name}: rule {target} uses undeclared column {column!r}")
        _check_rule(path.name, target, rule)
    return RuleSet(meta["format"], meta["provider"], declared, rules, path, optional)


def apply_rules(rules: RuleSet, source: pl.DataFrame) -> pl.DataFrame:
    """Map a source frame (already conformed: ``RuleSet.conform``) to the FOCUS billing columns."""
    absent = [c for c in rules.source_columns if c not in source.columns]
    if absent:
        raise MappingError(f"{rules.name}: source is missing columns {absent}")
    _check_value_maps(rules, source)
    frame = source.with_row_index("__row")
    tag_columns = {t: _tags_json(frame, r) for t, r in rules.rules.items() if "tags" in r}
    exprs = []
    for target, dtype in BILLING_SCHEMA.items():
        rule = rules.rules[target]
        expr = pl.lit(tag_columns[target]) if target in tag_columns else _rule_expr(rule)
        exprs.append(expr.cast(dtype).alias(target))
    return frame.select(exprs)


# --- compiling -------------------------------------------------------------------------------------------


def _rule_expr(rule: dict[str, Any]) -> pl.Expr:
    if "cases" not in rule:
        return _value_expr(rule)
    default = rule.get("default")
    first, *rest = rule["cases"]
    chain: Then | ChainedThen = pl.when(_case_condition(first)).then(_value_expr(first))
    for case in rest:
        chain = chain.when(_case_condition(case)).then(_value_expr(case))
    return chain.otherwise(_value_expr(default) if default else pl.lit(None))


def _case_condition(case: dict[str, Any]) -> pl.Expr:
    return pl.all_horizontal([_condition(col, values) for col, values in case["when"].items()])


def _condition(column: str, values: list[Any] | dict[str, str]) -> pl.Expr:
    if isinstance(values, dict):
        return pl.col(column).str.contains(values["matches"]).fill_null(False)
    return pl.col(column).is_in(list(values)).fill_null(False)


def _value_expr(spec: dict[str, Any]) -> pl.Expr:
    if "literal" in spec:
        return pl.lit(spec["literal"])
    if spec.get("null"):
        return pl.lit(None)
    if "sum" in spec:
        terms = []
        for term in spec["sum"]:
            value = pl.col(term.lstrip("-")).cast(pl.Float64).fill_null(0.0)
            terms.append(-value if term.startswith("-") else value)
        return pl.sum_horizontal(terms)
    expr = pl.col(spec["column"])
    if "extract" in spec:
        return expr.str.extract(spec["extract"], 1)
    if "values" in spec:
        mapping = spec["values"]
        if spec.get("passthrough"):
            return expr.replace(list(mapping), list(mapping.values()))
        return expr.replace_strict(list(mapping), list(mapping.values()), default=spec.get("otherwise"))
    return expr


def _tags_json(frame: pl.DataFrame, rule: dict[str, Any]) -> pl.Series:
    """Merge key/value list columns into one JSON object string per row (later columns win)."""
    prefixes = rule.get("strip_prefix", [])
    parts = []
    for order, column in enumerate(rule["tags"]):
        parts.append(
            frame.select("__row", pl.col(column).alias("kv"))
            .explode("kv")
            .drop_nulls("kv")
            .select("__row", pl.lit(order).alias("order"), pl.col("kv").struct.unnest())
        )
    long = pl.concat(parts)
    key = pl.col("key")
    for prefix in prefixes:
        key = key.str.strip_prefix(prefix)
    pairs = (
        long.with_columns(key.alias("key"))
        .sort(["__row", "order"])
        .unique(subset=["__row", "key"], keep="last", maintain_order=True)
        .sort(["__row", "key"])
        .group_by("__row", maintain_order=True)
        .agg(
            pl.format('"{}":"{}"', _json_escape(pl.col("key")), _json_escape(pl.col("value").fill_null(""))).alias(
                "pair"
            )
        )
        .select("__row", pl.concat_str(pl.lit("{"), pl.col("pair").list.join(","), pl.lit("}")).alias("tags"))
    )
    joined = frame.select("__row").join(pairs, on="__row", how="left")
    return joined["tags"].fill_null("{}")


def _json_escape(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_all("\\", "\\\\", literal=True).str.replace_all('"', '\\"', literal=True)


# --- checking --------------------------------------------------------------------------------------------


def _check_rule(file: str, target: str, rule: dict[str, Any]) -> None:
    specs = [*rule["cases"], *([rule["default"]] if "default" in rule else [])] if "cases" in rule else [rule]
    for spec in specs:
        kinds = [k for k in _VALUE_KINDS if k in spec]
        if len(kinds) != 1:
            raise MappingError(f"{file}: rule {target} needs exactly one of {_VALUE_KINDS}, has {kinds}")
    if target == Focus.Tags and "tags" not in rule:
        raise MappingError(f"{file}: rule Tags must be a tags rule")


def _referenced_columns(rule: dict[str, Any]) -> set[str]:
    specs = [rule, *rule.get("cases", []), *([rule["default"]] if "default" in rule else [])]
    columns: set[str] = set()
    for spec in specs:
        if "column" in spec:
            columns.add(spec["column"])
        columns.update(term.lstrip("-") for term in spec.get("sum", []))
        columns.update(spec.get("tags", []))
        columns.update(spec.get("when", {}))
    return columns


def _check_value_maps(rules: RuleSet, source: pl.DataFrame) -> None:
    """Strict value maps must know every value present: an unknown one is named, never silently nulled."""
    for target, rule in rules.rules.items():
        specs = [rule, *rule.get("cases", []), *([rule["default"]] if "default" in rule else [])]
        for spec in specs:
            if "values" in spec and not spec.get("passthrough") and "otherwise" not in spec:
                present = set(source[spec["column"]].drop_nulls().unique().to_list())
                unknown = sorted(present - set(spec["values"]))
                if unknown:
                    raise MappingError(
                        f"{rules.name}: column {spec['column']} has values with no rule for {target}: {unknown}"
                    )


def _describe_rule(rule: dict[str, Any]) -> str:
    if "cases" in rule:
        parts = [
            "when "
            + " and ".join(_describe_condition(c, v) for c, v in case["when"].items())
            + f" → {_describe_value(case)}"
            for case in rule["cases"]
        ]
        parts.append(f"else → {_describe_value(rule['default']) if 'default' in rule else 'null'}")
        return "; ".join(parts)
    return _describe_value(rule)


def _describe_condition(column: str, values: list[Any] | dict[str, str]) -> str:
    return f"{column} ~ /{values['matches']}/" if isinstance(values, dict) else f"{column} in {sorted(values)}"


def _describe_value(spec: dict[str, Any]) -> str:
    if "literal" in spec:
        return f"`{spec['literal']!r}`"
    if spec.get("null"):
        return "null"
    if "sum" in spec:
        return " + ".join(f"`{c}`" for c in spec["sum"])
    if "tags" in spec:
        return "JSON of " + ", ".join(f"`{c}`" for c in spec["tags"])
    text = f"`{spec['column']}`"
    if "extract" in spec:
        text += f" ~ /{spec['extract']}/"
    if "values" in spec:
        text += " mapped " + ", ".join(f"{k}→{v}" for k, v in spec["values"].items())
        if spec.get("passthrough"):
            text += " (others kept)"
        elif "otherwise" in spec:
            text += f" (others → {spec['otherwise']})"
        else:
            text += " (others rejected)"
    return text
