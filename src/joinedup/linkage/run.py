"""``joinedup link``: every record in the identity zone linked into residents with stable keys.

A run reads the published zones, writes its results into a new version of them and publishes that
in one atomic step, so a run that fails half way leaves the previous person_keys published.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from joinedup.engines import DEFAULT_ENGINE, EngineName, resolve_engine, sql_string
from joinedup.engines.duck import memory_limit
from joinedup.feeds import store
from joinedup.feeds.secret import key_sql, load_key, pads
from joinedup.linkage import graph, keys, model, review, scoring, spark_scoring
from joinedup.linkage.paths import model_versions, save_model_version
from joinedup.linkage.published import identity_table_exists

LINKAGE_MEMORY_LIMIT = "8GB"
Progress = Callable[[str], None]


class LinkageError(RuntimeError):
    """Linkage cannot run (nothing loaded yet)."""


@dataclass(frozen=True)
class Thresholds:
    """Model pairs at or above ``link`` are linked; those from ``review`` up to ``link`` wait for
    a reviewer and are not linked meanwhile (a wrong link is the worse error)."""

    link: float = 0.97
    review: float = 0.80

    def __post_init__(self) -> None:
        if not 0 < self.review <= self.link <= 1:
            raise ValueError("thresholds must satisfy 0 < review <= link <= 1")


@dataclass
class LinkReport:
    run_id: int
    model_version: str
    trained: bool
    records: int
    identities: int
    persons: int
    scored_pairs: int
    model_links: int
    review_queue: int
    decisions_applied: int
    new_keys: int
    merged_keys: int
    split_keys: int
    seconds: dict[str, float] = field(default_factory=dict)
    engine: EngineName = DEFAULT_ENGINE

    @property
    def review_share(self) -> float:
        """Pairs sent to review as a share of the pairs the model would link or is unsure of."""
        total = self.model_links + self.review_queue
        return self.review_queue / total if total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "review_share": round(self.review_share, 5)}


def link(
    home: Path,
    retrain: bool = False,
    thresholds: Thresholds | None = None,
    progress: Progress = lambda _step: None,
    engine: str | None = None,
) -> LinkReport:
    """Link the identity zone on ``engine`` (the hub's own if none is named). On "spark" Splink
    trains and scores on Spark; the rest of the run is DuckDB's either way."""
    thresholds = thresholds or Thresholds()
    chosen = resolve_engine(engine, home)
    with store.writer_lock(home):
        published = store.current(home)
        if published is None:
            raise LinkageError("nothing is loaded yet: load the partner extracts first")
        version = store.begin(home)
        try:
            connection = store.connect_zones(version)
            report = _link_into(connection, home, retrain, thresholds, progress, chosen)
            connection.close()
        except BaseException:
            store.abandon(version)
            raise
        store.publish(home, version)
    return report


def _timed(seconds: dict[str, float], name: str, started: float) -> float:
    now = time.perf_counter()
    seconds[name] = round(now - started, 2)
    return now


def _link_into(
    connection: duckdb.DuckDBPyConnection,
    home: Path,
    retrain: bool,
    thresholds: Thresholds,
    progress: Progress,
    engine: EngineName = DEFAULT_ENGINE,
) -> LinkReport:
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    connection.execute(f"SET memory_limit = {sql_string(memory_limit(LINKAGE_MEMORY_LIMIT))}")
    inner, outer = pads(load_key(home, stores_exist=True))
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE _pads AS SELECT ?::BLOB AS ipad, ?::BLOB AS opad",
        [inner, outer],
    )
    # Splink's working tables belong in memory, not in the identity zone's file.
    connection.execute("USE memory")
    progress("Collapsing identical identities")
    counts = graph.build(connection)
    started = _timed(seconds, "prepare", started)

    must_train = retrain or not model_versions(home)
    progress("Training the model" if must_train else "Loading the model")
    blocking = model.fitted_blocking(connection, ["link_nodes"], model.Available())
    if engine == "spark":
        model_folder, scored = _model_and_scores_on_spark(
            connection, home, must_train, blocking, thresholds, progress, seconds
        )
        started = time.perf_counter()
    else:
        model_folder = _model(connection, home, must_train, blocking)
        linker = scoring.linker_for(
            connection,
            ["link_nodes"],
            model.Available(),
            model_folder / "model.json",
            blocking_keys=blocking.keys,
        )
        started = _timed(seconds, "model", started)

        progress("Scoring candidate pairs")
        scored = scoring.predict(
            linker, connection, thresholds.review, "link_scored", chunks=blocking.chunks
        )
        started = _timed(seconds, "score", started)

    progress("Clustering into residents")
    decisions = review.load_decisions(connection, home)
    _edges(connection, thresholds)
    _cluster(connection)
    run_id = _next_run_id(connection)
    _previous(connection)
    changes = keys.assign(connection, run_id)
    queue = _review_queue(connection, thresholds)
    started = _timed(seconds, "cluster", started)

    progress("Publishing person keys")
    _publish_tables(connection)
    stats = connection.execute(
        """
        SELECT (SELECT count(*) FROM link_record_nodes),
               (SELECT count(DISTINCT person_key) FROM link_assigned),
               (SELECT count(*) FROM link_edges WHERE evidence LIKE 'model%')
        """
    ).fetchall()[0]
    _timed(seconds, "publish", started)
    report = LinkReport(
        run_id=run_id,
        model_version=model_folder.name,
        trained=must_train,
        records=stats[0],
        identities=counts["identities"],
        persons=stats[1],
        scored_pairs=scored,
        model_links=stats[2],
        review_queue=queue,
        decisions_applied=decisions,
        new_keys=changes["new"],
        merged_keys=changes["merged"],
        split_keys=changes["split"],
        seconds=seconds,
        engine=engine,
    )
    _record_run(connection, report, thresholds)
    return report


def _model(
    connection: duckdb.DuckDBPyConnection,
    home: Path,
    must_train: bool,
    blocking: model.Blocking,
) -> Path:
    """The latest saved model, or a newly trained one saved as the next version."""
    versions = model_versions(home)
    if not must_train:
        return versions[-1]
    available = model.Available()
    linker = scoring.linker_for(connection, ["link_nodes"], available, blocking_keys=blocking.keys)
    model.train(linker, available)
    return save_model_version(home, lambda folder: model.write_model(linker, folder))


def _model_and_scores_on_spark(
    connection: duckdb.DuckDBPyConnection,
    home: Path,
    must_train: bool,
    blocking: model.Blocking,
    thresholds: Thresholds,
    progress: Progress,
    seconds: dict[str, float],
) -> tuple[Path, int]:
    """The model trained (if it must be) and the candidate pairs scored on Spark into
    ``link_scored``; a newly trained model is saved, in DuckDB's SQL, as the next version."""
    available = model.Available()
    saved = None if must_train else model_versions(home)[-1] / "model.json"
    design = scoring.settings_dict(
        scoring.settings_for(available, saved_model=saved, blocking_keys=blocking.keys)
    )
    progress(f"{'Training the model and s' if must_train else 'S'}coring candidate pairs on Spark")
    scored, trained = spark_scoring.score_on_spark(
        connection,
        home,
        design,
        available,
        thresholds.review,
        "link_scored",
        chunks=blocking.chunks,
        train=must_train,
        seconds=seconds,
    )
    if trained is None:
        assert saved is not None
        return saved.parent, scored

    def write(folder: Path) -> None:
        (folder / "model.json").write_text(json.dumps(trained), encoding="utf-8")
        # Saved through a DuckDB linker, as a model trained on DuckDB is, with its charts.
        linker = scoring.linker_for(connection, ["link_nodes"], available, folder / "model.json")
        model.write_model(linker, folder)

    return save_model_version(home, write), scored


def _edges(connection: duckdb.DuckDBPyConnection, thresholds: Thresholds) -> None:
    """Partner-asserted edges, the model's confident pairs less those a reviewer rejected, and
    pairs a reviewer accepted."""
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE link_edges AS
        SELECT node_id_l, node_id_r, evidence, 1.0 AS match_probability FROM link_fixed_edges
        UNION ALL
        SELECT s.node_id_l, s.node_id_r,
               'model (p=' || printf('%.4f', s.match_probability) || ')', s.match_probability
        FROM link_scored AS s
        ANTI JOIN link_decisions AS d
          ON d.node_id_l = least(s.node_id_l, s.node_id_r)
         AND d.node_id_r = greatest(s.node_id_l, s.node_id_r)
        WHERE s.match_probability >= {thresholds.link}
        UNION ALL
        SELECT node_id_l, node_id_r, 'reviewer decision: same person', 1.0
        FROM link_decisions WHERE decision = 'same_person'
        """
    )


def _cluster(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(
        """
        CREATE OR REPLACE TEMP TABLE _all_nodes AS
        SELECT node_id FROM link_nodes
        UNION SELECT source_node FROM link_record_nodes WHERE source_node IS NOT NULL
        ORDER BY node_id
        """
    )
    connection.execute(
        """
        CREATE OR REPLACE TEMP TABLE _cluster_edges AS
        SELECT DISTINCT e.node_id_l, e.node_id_r FROM link_edges AS e
        SEMI JOIN _all_nodes AS a ON a.node_id = e.node_id_l
        SEMI JOIN _all_nodes AS b ON b.node_id = e.node_id_r
        """
    )
    scoring.connected_components(
        connection, "_all_nodes", "_cluster_edges", "node_id", "link_clusters"
    )


def _next_run_id(connection: duckdb.DuckDBPyConnection) -> int:
    if not identity_table_exists(connection, "link_runs"):
        return 1
    last: int = connection.execute(
        "SELECT coalesce(max(run_id), 0) FROM identity.link_runs"
    ).fetchall()[0][0]
    return last + 1


def _previous(connection: duckdb.DuckDBPyConnection) -> None:
    source = (
        "identity.link_person_nodes"
        if identity_table_exists(connection, "link_person_nodes")
        else "(SELECT NULL::VARCHAR AS node_id, NULL::VARCHAR AS person_key WHERE false)"
    )
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE link_previous AS SELECT node_id, person_key FROM {source}"
    )
    history = (
        "UNION SELECT person_key FROM identity.link_key_changes "
        "UNION SELECT other_key FROM identity.link_key_changes WHERE other_key IS NOT NULL"
        if identity_table_exists(connection, "link_key_changes")
        else ""
    )
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE link_known_keys AS "
        f"SELECT person_key FROM link_previous {history}"
    )


def _review_queue(connection: duckdb.DuckDBPyConnection, thresholds: Thresholds) -> int:
    """Uncertain pairs that no reviewer has decided and that other evidence has not already joined."""
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE link_review_queue AS
        SELECT row_number() OVER (ORDER BY s.match_probability DESC, s.node_id_l, s.node_id_r) AS pair_id,
               s.node_id_l, s.node_id_r, s.match_probability, s.match_weight, s.levels
        FROM link_scored AS s
        JOIN link_assigned AS a ON a.node_id = s.node_id_l
        JOIN link_assigned AS b ON b.node_id = s.node_id_r
        ANTI JOIN link_decisions AS d
          ON d.node_id_l = least(s.node_id_l, s.node_id_r)
         AND d.node_id_r = greatest(s.node_id_l, s.node_id_r)
        WHERE s.match_probability < {thresholds.link} AND a.person_key <> b.person_key
        """
    )
    count: int = connection.execute("SELECT count(*) FROM link_review_queue").fetchall()[0][0]
    return count


def _publish_tables(connection: duckdb.DuckDBPyConnection) -> None:
    """The identity zone gets the whole linkage; the analytic zone only record -> person_key."""
    for name in ("link_nodes", "link_edges", "link_review_queue"):
        connection.execute(f"CREATE OR REPLACE TABLE identity.{name} AS SELECT * FROM {name}")
    connection.execute(
        "CREATE OR REPLACE TABLE identity.link_person_nodes AS "
        "SELECT node_id, person_key FROM link_assigned ORDER BY node_id"
    )
    connection.execute(
        """
        CREATE OR REPLACE TABLE identity.link_record_persons AS
        SELECT r.feed, r.record_key, r.node_id, a.person_key
        FROM link_record_nodes AS r JOIN link_assigned AS a USING (node_id)
        """
    )
    connection.execute(
        """
        CREATE TABLE IF NOT EXISTS identity.link_key_changes (
            run_id INTEGER, change VARCHAR, person_key VARCHAR, other_key VARCHAR,
            nodes BIGINT, reason VARCHAR)
        """
    )
    connection.execute("INSERT INTO identity.link_key_changes SELECT * FROM link_key_changes")
    connection.execute(
        """
        CREATE OR REPLACE TABLE analytic.person_keys AS
        SELECT feed, record_key, person_key FROM identity.link_record_persons
        ORDER BY feed, record_key
        """
    )
    publish_households(connection)


def publish_households(connection: duckdb.DuckDBPyConnection) -> None:
    """Each resident's homes as opaque household keys, so that the analytic zone can see who
    lives together without seeing an address: the keyed hash of the postcode and the address,
    standardised, with the dates a partner first and last recorded the person there. Needs the
    key's pads in ``_pads``; the data lifecycle calls it again when records are erased."""
    home_text = (
        "upper(regexp_replace(r.postcode, '[^A-Za-z0-9]', '', 'g')) || '|' || "
        "trim(regexp_replace(upper(r.address), '[^A-Z0-9]+', ' ', 'g'))"
    )
    connection.execute(
        f"""
        CREATE OR REPLACE TABLE analytic.person_households AS
        SELECT p.person_key, 'H' || {key_sql("'household'", home_text)} AS household_key,
               min(r.event_date) AS first_seen, max(r.event_date) AS last_seen
        FROM identity.identity_records AS r
        JOIN identity.link_record_persons AS p USING (feed, record_key)
        CROSS JOIN _pads AS k
        WHERE r.address IS NOT NULL AND r.postcode IS NOT NULL AND r.event_date IS NOT NULL
        GROUP BY ALL ORDER BY p.person_key, first_seen
        """
    )


def _record_run(
    connection: duckdb.DuckDBPyConnection, report: LinkReport, thresholds: Thresholds
) -> None:
    connection.execute(
        """
        CREATE TABLE IF NOT EXISTS identity.link_runs (
            run_id INTEGER PRIMARY KEY, finished_at TIMESTAMP, model_version VARCHAR,
            link_threshold DOUBLE, review_threshold DOUBLE, report JSON)
        """
    )
    # Added after the first hubs linked: their earlier runs were all on DuckDB.
    connection.execute(
        "ALTER TABLE identity.link_runs ADD COLUMN IF NOT EXISTS engine VARCHAR DEFAULT 'duckdb'"
    )
    connection.execute(
        """
        INSERT INTO identity.link_runs
            (run_id, finished_at, model_version, link_threshold, review_threshold, report, engine)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """,
        [
            report.run_id,
            dt.datetime.now(dt.UTC),
            report.model_version,
            thresholds.link,
            thresholds.review,
            json.dumps(report.as_dict()),
            report.engine,
        ],
    )
