"""The tables of the two zones. The identity zone holds identifiers, quarantined rows (which are
identifiable) and the delivery log; the analytic zone holds only pseudonymous keys, content and
coarse attributes, one table per feed."""

from __future__ import annotations

import duckdb

from joinedup.feeds.contract import Column, Contract
from joinedup.feeds.rules import quote

# The kind of a delivery erased as received in error (its file is refused if sent again), and of
# one the hub coordinator has since allowed to be loaded again (joinedup records allow-reload).
ERASED_KIND, RELOAD_ALLOWED_KIND = "erased", "erased_reload_allowed"

IDENTITY_TABLES = """
CREATE TABLE IF NOT EXISTS deliveries (
    delivery_id INTEGER PRIMARY KEY, feed VARCHAR NOT NULL, file_name VARCHAR, sha256 VARCHAR NOT NULL,
    kind VARCHAR NOT NULL, agreement VARCHAR, rule_version VARCHAR, loaded_at TIMESTAMP,
    read BIGINT, loaded BIGINT, quarantined BIGINT, deduplicated BIGINT,
    new BIGINT, superseded BIGINT, unchanged BIGINT
);
CREATE TABLE IF NOT EXISTS quarantine (
    delivery_id INTEGER NOT NULL, feed VARCHAR NOT NULL, line BIGINT, column_name VARCHAR,
    reason VARCHAR NOT NULL, problems VARCHAR[], rule_version VARCHAR, record_id VARCHAR, raw VARCHAR,
    status VARCHAR NOT NULL DEFAULT 'open', resolved_by INTEGER, note VARCHAR
);
CREATE TABLE IF NOT EXISTS identity_records (
    feed VARCHAR NOT NULL, record_key VARCHAR NOT NULL, person_source_key VARCHAR,
    delivery_id INTEGER NOT NULL, row_hash VARCHAR NOT NULL, record_id VARCHAR NOT NULL,
    source_person_id VARCHAR, given_name VARCHAR, family_name VARCHAR, full_name VARCHAR,
    birth_date DATE, sex VARCHAR, postcode VARCHAR, postcode_valid BOOLEAN, address VARCHAR,
    nhs_number VARCHAR, nhs_number_valid BOOLEAN, event_date DATE, lsoa21 VARCHAR,
    other_identifiers VARCHAR, free_text_to_review BOOLEAN
);
CREATE TABLE IF NOT EXISTS postcodes (postcode VARCHAR PRIMARY KEY, lsoa21 VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS reference_files (name VARCHAR PRIMARY KEY, sha256 VARCHAR NOT NULL);
"""

ANALYTIC_DELIVERIES = """
CREATE TABLE IF NOT EXISTS analytic.deliveries (
    delivery_id INTEGER PRIMARY KEY, feed VARCHAR NOT NULL, kind VARCHAR NOT NULL, loaded_at TIMESTAMP,
    read BIGINT, loaded BIGINT, quarantined BIGINT, deduplicated BIGINT, new BIGINT, superseded BIGINT, unchanged BIGINT
);
"""

SQL_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "decimal": "DOUBLE",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "code": "VARCHAR",
    "nhs_number": "VARCHAR",
    "postcode": "VARCHAR",
}


def analytic_columns(contract: Contract) -> list[Column]:
    """The contract's content columns: what the analytic zone may hold besides keys."""
    return [c for c in contract.columns if c.zone == "content"]


def analytic_table(contract: Contract) -> str:
    return f"analytic.feed_{contract.name}"


def create_shared(connection: duckdb.DuckDBPyConnection) -> None:
    """The tables every feed shares, in both zones."""
    connection.execute(IDENTITY_TABLES)
    connection.execute(ANALYTIC_DELIVERIES)


def create_feed(connection: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """The feed's own table in the analytic zone."""
    content = ", ".join(
        f"{quote(c.analytic_name)} {SQL_TYPES[c.type]}" for c in analytic_columns(contract)
    )
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS {analytic_table(contract)} (record_key VARCHAR NOT NULL, "
        f"person_source_key VARCHAR, delivery_id INTEGER NOT NULL, sex VARCHAR, birth_month VARCHAR, "
        f"age_at_event INTEGER, lsoa21 VARCHAR{', ' + content if content else ''})"
    )
