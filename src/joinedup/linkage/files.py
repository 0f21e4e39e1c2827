"""``joinedup link-files``: the same linkage machinery on any one or two CSV files.

An analyst names what each column holds (``--map COLUMN=ROLE``); the files are read as text,
standardised exactly as the identity zone is, a model is trained on them (u by random sampling,
m by EM) and saved beside the results, and the pairs and clusters are written as CSV.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from joinedup.linkage import model, onetoone, scoring
from joinedup.linkage.standardise import create_name_codes, standardise_sql

# Roles an analyst may give a column, and the identity role each fills.
ROLES = {
    "given_name": "given_name",
    "surname": "family_name",
    "family_name": "family_name",
    "full_name": "full_name",
    "date_of_birth": "birth_date",
    "birth_date": "birth_date",
    "sex": "sex",
    "postcode": "postcode",
    "address": "address",
    "nhs_number": "nhs_number",
    "other_id": "other_id",
    "record_id": "record_id",
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")
MEMORY_LIMIT = "4GB"
# A loose blocking rule (one identifier alone) is used when it makes at most this many pairs.
LOOSE_RULE_BUDGET = 2_000_000
Progress = Callable[[str], None]


class LinkFilesError(ValueError):
    """The files or the column map cannot be used; the message says which and why."""


@dataclass(frozen=True)
class FilesThresholds:
    link: float = 0.97
    review: float = 0.80


@dataclass
class FilesReport:
    files: list[str]
    records: list[int]
    pairs_linked: int
    pairs_to_review: int
    clusters: int
    out: str
    seconds: float
    comparisons: list[str] = field(default_factory=list)
    blocking_rules: list[str] = field(default_factory=list)
    one_to_one: bool = False
    estimated_people_in_both: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def parse_map(items: Sequence[str]) -> dict[str, str]:
    """``COLUMN=ROLE`` pairs as {column: role}, refusing unknown roles."""
    mapping: dict[str, str] = {}
    for item in items:
        column, sep, role = item.partition("=")
        column, role = column.strip(), role.strip().lower()
        if not sep or not column or not role:
            raise LinkFilesError(f"--map {item!r}: write it as COLUMN=ROLE, e.g. dob=date_of_birth")
        if role not in ROLES:
            raise LinkFilesError(
                f"--map {item!r}: unknown role {role!r}; roles are {', '.join(sorted(ROLES))}"
            )
        mapping[column] = role
    if not any(ROLES[r] in {"given_name", "family_name", "full_name"} for r in mapping.values()):
        raise LinkFilesError("map at least one name column (given_name, surname or full_name)")
    return mapping


def _csv_columns(path: Path) -> list[str]:
    if not path.is_file():
        raise LinkFilesError(f"{path}: no such file")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise LinkFilesError(f"{path}: line 1: the file is empty; it needs a header row")
    return [h.strip() for h in header]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _role_sql(mapping: Mapping[str, str], columns: list[str], path: Path) -> str:
    """A SELECT giving node_id and every role column from the raw file (all text)."""
    missing = [c for c in mapping if c not in columns]
    if missing:
        raise LinkFilesError(
            f"{path}: line 1: no column {', '.join(map(repr, missing))}; the header has {', '.join(columns)}"
        )
    by_role: dict[str, list[str]] = {}
    for column, role in mapping.items():
        by_role.setdefault(ROLES[role], []).append(f"nullif(trim(f.{_quote(column)}), '')")

    def joined(role: str) -> str:
        parts = by_role.get(role)
        if not parts:
            return "NULL::VARCHAR"
        return parts[0] if len(parts) == 1 else f"nullif(concat_ws(' ', {', '.join(parts)}), '')"

    dates = ", ".join(f"try_strptime({joined('birth_date')}, '{f}')" for f in DATE_FORMATS)
    record_id = joined("record_id") if "record_id" in by_role else "CAST(f._row AS VARCHAR)"
    return f"""
        SELECT {record_id} AS node_id, {joined("given_name")} AS given_name,
               {joined("family_name")} AS family_name, {joined("full_name")} AS full_name,
               CAST(coalesce({dates}) AS DATE) AS birth_date, {joined("sex")} AS sex,
               {joined("postcode")} AS postcode, {joined("address")} AS address,
               {joined("nhs_number")} AS nhs_number, {joined("other_id")} AS other_id
        FROM (SELECT *, row_number() OVER () AS _row FROM _raw) AS f
    """


def available_for(mapping: Mapping[str, str]) -> model.Available:
    roles = {ROLES[r] for r in mapping.values()}
    names = roles & {"given_name", "full_name"}
    return model.Available(
        given=bool(names),
        family=bool(roles & {"family_name", "full_name"}),
        birth_date="birth_date" in roles,
        sex="sex" in roles or "full_name" in roles,
        postcode="postcode" in roles,
        address="address" in roles,
        nhs_number="nhs_number" in roles,
        other_id="other_id" in roles,
    )


def _load(
    connection: duckdb.DuckDBPyConnection, path: Path, mapping: Mapping[str, str], name: str
) -> int:
    columns = _csv_columns(path)
    escaped = str(path).replace("'", "''")
    try:
        connection.execute(
            f"CREATE OR REPLACE TEMP TABLE _raw AS SELECT * FROM read_csv('{escaped}', "
            "all_varchar = true, header = true, strict_mode = true, encoding = 'utf-8')"
        )
    except duckdb.Error as error:
        raise LinkFilesError(f"{path}: {str(error).splitlines()[0]}") from error
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE {name} AS {_role_sql(mapping, columns, path)}"
    )
    duplicated = connection.execute(
        f"SELECT node_id, count(*) FROM {name} GROUP BY 1 HAVING count(*) > 1 OR node_id IS NULL LIMIT 1"
    ).fetchall()
    if duplicated:
        raise LinkFilesError(
            f"{path}: the record_id column must be filled and unique; {duplicated[0][0]!r} is not"
        )
    count: int = connection.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
    return count


def link_files(
    paths: Sequence[Path],
    mapping: Mapping[str, str],
    out: Path,
    thresholds: FilesThresholds | None = None,
    progress: Progress = lambda _step: None,
    one_to_one: bool = False,
) -> FilesReport:
    """Link two files (or de-duplicate one); write pairs.csv, clusters.csv and the model to ``out``.

    With ``one_to_one`` each file lists a person at most once: a pair is then decided on its
    one-to-one probability (see onetoone), so a record links to at most one in the other file."""
    if len(paths) not in (1, 2):
        raise LinkFilesError("give one file to de-duplicate or two files to link")
    if one_to_one and len(paths) != 2:
        raise LinkFilesError("one-to-one linkage needs two files")
    thresholds = thresholds or FilesThresholds()
    started = time.perf_counter()
    connection = duckdb.connect(":memory:")
    connection.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    connection.execute("SET enable_progress_bar = false")
    try:
        progress("Reading and standardising")
        roles, counts = [], []
        for index, path in enumerate(paths):
            counts.append(_load(connection, path, mapping, f"_roles_{index}"))
            roles.append(f"_roles_{index}")
        union = " UNION ALL ".join(f"SELECT * FROM {r}" for r in roles)
        connection.execute(f"CREATE OR REPLACE TEMP TABLE _all_roles AS {union}")
        create_name_codes(connection, "_all_roles")
        tables = []
        for index, name in enumerate(roles):
            connection.execute(
                f"CREATE OR REPLACE TEMP TABLE nodes_{index} AS {standardise_sql(name)}"
            )
            tables.append(f"nodes_{index}")
        available = available_for(mapping)
        loose = loose_rules(connection, tables, available)
        blocking = model.fitted_blocking(connection, tables, available)
        progress("Training the model")
        # No partner ids here: a shared NHS number is found by blocking, and scored like the rest.
        linker = scoring.linker_for(
            connection,
            tables,
            available,
            nhs_decided=False,
            extra_rules=loose,
            blocking_keys=blocking.keys,
        )
        model.train(linker, available)
        out.mkdir(parents=True, exist_ok=True)
        model.write_model(linker, out / "model")
        progress("Scoring and clustering")
        two = len(paths) == 2
        keep = [f"{f'p.source_dataset_{s}' if two else repr('1')} AS file_{s}" for s in "lr"]
        overlap = None
        if one_to_one:
            # Every candidate counts as a rival, however weak, so all of them are scored.
            scoring.predict(linker, connection, 0.0, "_candidates", keep, blocking.chunks)
            prior = float(model.model_json(linker)["probability_two_random_records_match"])
            overlap = onetoone.score(
                connection, "_candidates", prior, (counts[0], counts[1]), "_scored_all"
            )
            connection.execute(
                "CREATE OR REPLACE TEMP TABLE _scored AS SELECT * FROM _scored_all "
                f"WHERE one_to_one_probability >= {thresholds.review!r}"
            )
        else:
            scoring.predict(linker, connection, thresholds.review, "_scored", keep, blocking.chunks)
        decide_on = "one_to_one_probability" if one_to_one else "match_probability"
        clusters = _cluster(connection, tables, thresholds.link, decide_on)
        linked, review = _write(connection, out, two, thresholds.link, decide_on)
        return FilesReport(
            files=[str(p) for p in paths],
            records=counts,
            pairs_linked=linked,
            pairs_to_review=review,
            clusters=clusters,
            out=str(out),
            seconds=round(time.perf_counter() - started, 2),
            comparisons=available.comparisons(),
            blocking_rules=model.blocking_rules(
                available, nhs_decided=False, extra=loose, keys=blocking.keys
            ),
            one_to_one=one_to_one,
            estimated_people_in_both=None if overlap is None else round(overlap.partners, 1),
        )
    finally:
        connection.close()


def loose_rules(
    connection: duckdb.DuckDBPyConnection, tables: list[str], available: model.Available
) -> list[str]:
    """Rules on one identifier alone (model.LOOSE_KEYS) that make at most LOOSE_RULE_BUDGET
    pairs on these files: on short lists they find matches with several identifiers wrong."""
    present = set(available.names())
    rules = []
    for key in model.LOOSE_KEYS:
        if key in present and model.pairs_blocked(connection, tables, [key]) <= LOOSE_RULE_BUDGET:
            rules.append(f"l.{key} = r.{key}")
    return rules


def _cluster(
    connection: duckdb.DuckDBPyConnection, tables: list[str], link: float, decide_on: str
) -> int:
    """Connected components of the confident pairs; every record appears, linked or not."""
    nodes = " UNION ALL ".join(
        f"SELECT '{i + 1}' AS source, node_id, '{i + 1}:' || node_id AS key FROM {t}"
        for i, t in enumerate(tables)
    )
    connection.execute(f"CREATE OR REPLACE TEMP TABLE _nodes AS {nodes}")
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _edges AS
        SELECT file_l || ':' || node_id_l AS key_l, file_r || ':' || node_id_r AS key_r
        FROM _scored WHERE {decide_on} >= {link}
        """
    )
    scoring.connected_components(connection, "_nodes", "_edges", "key", "_components")
    connection.execute(
        """
        CREATE OR REPLACE TEMP TABLE _clusters AS
        SELECT n.source, n.node_id AS record_id,
               dense_rank() OVER (ORDER BY c.cluster_id) AS cluster_id
        FROM _components AS c JOIN _nodes AS n USING (key)
        """
    )
    count: int = connection.execute("SELECT count(DISTINCT cluster_id) FROM _clusters").fetchall()[
        0
    ][0]
    return count


def _write(
    connection: duckdb.DuckDBPyConnection, out: Path, two: bool, link: float, decide_on: str
) -> tuple[int, int]:
    pairs = out / "pairs.csv"
    clusters = out / "clusters.csv"
    one_to_one_column = (
        "\n                   round(one_to_one_probability, 6) AS one_to_one_probability,"
        if decide_on == "one_to_one_probability"
        else ""
    )
    connection.execute(
        f"""
        COPY (
            SELECT file_l, node_id_l AS record_id_l, file_r,
                   node_id_r AS record_id_r, round(match_probability, 6) AS match_probability,
                   round(match_weight, 3) AS match_weight,{one_to_one_column}
                   CASE WHEN {decide_on} >= {link} THEN 'link' ELSE 'review' END AS decision
            FROM _scored ORDER BY {decide_on} DESC, node_id_l, node_id_r
        ) TO '{str(pairs).replace("'", "''")}' (HEADER, DELIMITER ',')
        """
    )
    columns = "record_id, cluster_id, source AS file" if two else "record_id, cluster_id"
    connection.execute(
        f"""
        COPY (SELECT {columns} FROM _clusters ORDER BY cluster_id, source, record_id)
        TO '{str(clusters).replace("'", "''")}' (HEADER, DELIMITER ',')
        """
    )
    linked, review = connection.execute(
        f"SELECT count(*) FILTER (WHERE {decide_on} >= {link}), "
        f"count(*) FILTER (WHERE {decide_on} < {link}) FROM _scored"
    ).fetchall()[0]
    return int(linked), int(review)
