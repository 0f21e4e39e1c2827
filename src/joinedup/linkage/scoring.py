"""Running a Splink model over a table of standardised nodes, and reading its evidence.

Shared by the identity zone's linkage and by ``link-files``: one place registers the nodes, trains
or loads the model, scores the blocked pairs and labels each comparison's level for people.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker, SettingsCreator
from splink.clustering import cluster_pairwise_predictions_at_threshold
from splink.internals.splink_dataframe import SplinkDataFrame

from joinedup.linkage import model

LOG_LEVEL = logging.ERROR


def linker_for(
    connection: duckdb.DuckDBPyConnection,
    tables: Sequence[str],
    available: model.Available,
    saved_model: Path | None = None,
    nhs_decided: bool = True,
    extra_rules: Sequence[str] = (),
    blocking_keys: Sequence[tuple[str, ...]] | None = None,
) -> Linker:
    """A Splink linker over ``tables`` (one to de-duplicate, two to link), with the saved model
    if given, else the untrained design for ``available``. ``blocking_keys`` (fitted to these
    tables, see model.fitted_blocking_keys) replace the standard ones, a saved model's too."""
    api = DuckDBAPI(connection=connection)
    # Two inputs are named "1" and "2": Splink's source_dataset then says which file a record is from.
    frames: list[SplinkDataFrame] = [
        api.register(t, dataset_display_name=str(i + 1)) if len(tables) > 1 else api.register(t)
        for i, t in enumerate(tables)
    ]
    link_type = "dedupe_only" if len(tables) == 1 else "link_only"
    settings = settings_for(
        available, link_type, saved_model, nhs_decided, extra_rules, blocking_keys
    )
    inputs: SplinkDataFrame | list[SplinkDataFrame] = frames[0] if len(frames) == 1 else frames
    return Linker(inputs, settings, log_level=LOG_LEVEL)


def settings_for(
    available: model.Available,
    link_type: str = "dedupe_only",
    saved_model: Path | None = None,
    nhs_decided: bool = True,
    extra_rules: Sequence[str] = (),
    blocking_keys: Sequence[tuple[str, ...]] | None = None,
) -> SettingsCreator | dict[str, Any]:
    """The saved model if given, else the untrained design for ``available``, in DuckDB's SQL.
    ``blocking_keys`` (fitted to the input, see model.fitted_blocking) replace the standard
    ones, a saved model's too."""
    keys = model.BLOCKING_KEYS if blocking_keys is None else blocking_keys
    if saved_model is None:
        return model.settings(available, link_type, nhs_decided, extra_rules, keys)
    saved: dict[str, Any] = json.loads(saved_model.read_text(encoding="utf-8"))
    if blocking_keys is not None:
        rules = model.blocking_rules(available, nhs_decided, extra_rules, keys)
        saved["blocking_rules_to_generate_predictions"] = [
            {"blocking_rule": rule, "sql_dialect": "duckdb"} for rule in rules
        ]
    return saved


def settings_dict(settings: SettingsCreator | dict[str, Any]) -> dict[str, Any]:
    """Settings as the dictionary a saved model is, in DuckDB's SQL."""
    if isinstance(settings, SettingsCreator):
        return {**settings.create_settings_dict("duckdb"), "sql_dialect": "duckdb"}
    return settings


def predict(
    linker: Linker,
    connection: duckdb.DuckDBPyConnection,
    threshold: float,
    into: str,
    keep: Sequence[str] = (),
    chunks: int = 1,
) -> int:
    """Score the blocked pairs at or above ``threshold`` into the temp table ``into``, with a
    ``levels`` map: each comparison's level and its match weight, in words. With ``chunks``
    above one, Splink scores the pairs of each slice of the records in turn."""
    scored = scored_pairs(linker, threshold, chunks)
    count = label_pairs(connection, comparisons_of(linker), scored.physical_name, into, keep)
    scored.drop_table_from_database_and_remove_from_cache()
    return count


def scored_pairs(linker: Linker, threshold: float, chunks: int = 1) -> SplinkDataFrame:
    """Splink's scores of the blocked pairs at or above ``threshold``, on the linker's backend.
    Chunks slice the records by a hash of their id: the pairs scored are the same for any
    number of chunks, only how many are held at once changes."""
    if chunks > 1:
        return linker.inference.predict(
            threshold_match_probability=threshold, num_chunks_left=chunks, num_chunks_right=1
        )
    return linker.inference.predict(threshold_match_probability=threshold)


def score_columns(comparisons: Comparisons) -> list[str]:
    """The columns of Splink's scored pairs that :func:`label_pairs` reads."""
    columns = ["node_id_l", "node_id_r", "match_probability", "match_weight"]
    for name, _, has_tf in comparisons:
        columns += [f"gamma_{name}", f"mw_{name}", *([f"mw_tf_adj_{name}"] if has_tf else [])]
    return columns


def label_pairs(
    connection: duckdb.DuckDBPyConnection,
    comparisons: Comparisons,
    scored: str,
    into: str,
    keep: Sequence[str] = (),
) -> int:
    """The temp table ``into``: the scored pairs in the DuckDB table ``scored`` with their
    ``levels`` in words. Returns how many pairs it holds."""
    connection.register("_level_labels", level_labels(comparisons))
    entries = ", ".join(
        f"({name!r}, (SELECT label FROM _level_labels AS x WHERE x.comparison = {name!r} "
        f"AND x.gamma = p.gamma_{name}) || ' (' || printf('%+.1f', p.mw_{name} + "
        f"{f'coalesce(p.mw_tf_adj_{name}, 0)' if has_tf else '0'}) || ')')"
        for name, _, has_tf in comparisons
    )
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {into} AS
        SELECT {"".join(k + ", " for k in keep)}p.node_id_l, p.node_id_r, p.match_probability,
               p.match_weight, map_from_entries([{entries}]) AS levels
        FROM {scored} AS p
        """
    )
    connection.unregister("_level_labels")
    count: int = connection.execute(f"SELECT count(*) FROM {into}").fetchall()[0][0]
    return count


Comparisons = list[tuple[str, list[tuple[int, str]], bool]]


def comparisons_of(linker: Linker) -> Comparisons:
    """Each comparison's name, its levels (gamma value, label) and whether it has a TF level."""
    result = []
    for comparison in linker._settings_obj.comparisons:
        levels = [
            (lv.comparison_vector_value, lv.label_for_charts) for lv in comparison.comparison_levels
        ]
        has_tf = any(
            lv._tf_adjustment_input_column is not None for lv in comparison.comparison_levels
        )
        result.append((comparison.output_column_name, levels, has_tf))
    return result


def level_labels(comparisons: Comparisons) -> pa.Table:
    """Each comparison level's label, by comparison and gamma value, as an Arrow table."""
    rows = [(name, gamma, label) for name, levels, _ in comparisons for gamma, label in levels]
    return pa.table(
        {
            "comparison": [r[0] for r in rows],
            "gamma": [r[1] for r in rows],
            "label": [r[2] for r in rows],
        }
    )


def connected_components(
    connection: duckdb.DuckDBPyConnection, nodes: str, edges: str, node: str, into: str
) -> None:
    """``into(node, cluster_id)``: Splink's connected components of ``nodes`` (column ``node``)
    joined by every edge in ``edges`` (columns ``node``_l and ``node``_r)."""
    api = DuckDBAPI(connection=connection)
    clusters = cluster_pairwise_predictions_at_threshold(
        api.register(nodes),
        api.register(edges),
        api,
        node_id_column_name=node,
        edge_id_column_name_left=f"{node}_l",
        edge_id_column_name_right=f"{node}_r",
    )
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE {into} AS "
        f"SELECT {node}, cluster_id FROM {clusters.physical_name}"
    )
    clusters.drop_table_from_database_and_remove_from_cache()
