"""Risk profiles on DuckDB and on Spark: one small synthetic base (the hand-made people of
risk_data.py and a seeded crowd around them) gives every person the same points and band on
either engine, and every area the same published figures."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from handbase import AREAS, HandBase, write_base_parquet
from risk_data import AT, community_areas, primary_care_person
from typer.testing import CliRunner

from joinedup.analytics import base, codesets, frailty, risk
from joinedup.analytics.risk_cli import risk_app
from joinedup.engines import Engine
from joinedup.engines.duck import DuckDBEngine

OUTSIDE = "E01999999"
KINDS = (
    "gp_appointment",
    "gp_missed_appointment",
    "ae_attendance",
    "emergency_admission",
    "mental_health_contact",
    "police_incident",
    "fire_incident",
    "homelessness_application",
)
EARLIER = dt.date(2018, 9, 30)  # the community profile's date: another window, other people


def _frailty_codes() -> list[str]:
    connection = duckdb.connect()
    try:
        frailty.register_frailty_reference(connection)
        rows = connection.execute(
            "SELECT code FROM efi_deficits UNION SELECT code FROM frailty_codes ORDER BY 1"
        ).fetchall()
    finally:
        connection.close()
    return [str(code) for (code,) in rows]


def _some_day(rng: random.Random, first: int = 2016, last: int = 2019) -> str:
    return (
        dt.date(first, 1, 1) + dt.timedelta(days=rng.randrange(365 * (last - first + 1)))
    ).isoformat()


def crowd(hand: HandBase, people: int = 120, seed: int = 11) -> HandBase:
    """``people`` more, drawn at random but the same every time: all ages, some dead, moved,
    deregistered or living outside the borough, some with two addresses recorded for one day,
    and conditions, frailty codes and events of every kind the profiles count."""
    rng = random.Random(seed)
    lsoas = [area[0] for area in AREAS]
    conditions = [
        code
        for group in risk.CONDITION_GROUPS.values()
        for condition in group
        for code in codesets.codes(condition)
    ]
    codes = conditions + _frailty_codes()
    for n in range(people):
        key = f"R{n:03d}"
        since = f"{rng.randint(2005, 2018)}-{rng.randint(1, 12):02d}-01"
        hand.person(
            key,
            sex=rng.choice("FM"),
            born=f"{rng.randint(1922, 2016)}-{rng.randint(1, 12):02d}",
            died=_some_day(rng, 2018) if rng.random() < 0.05 else None,
            lsoa=rng.choice([*lsoas, OUTSIDE]) if rng.random() < 0.95 else None,
            since=since,
            deregistered=_some_day(rng, 2018) if rng.random() < 0.05 else None,
        )
        if rng.random() < 0.3:  # moved
            hand.residence.append((key, dt.date.fromisoformat(_some_day(rng)), rng.choice(lsoas)))
        if rng.random() < 0.15:  # two partners, two addresses, one day
            hand.residence.append((key, dt.date.fromisoformat(since), rng.choice(lsoas)))
        for code in rng.sample(codes, rng.choice((0, 0, 1, 2, 4, 12))):
            hand.event(key, "gp_condition", _some_day(rng, 2010), code=code)
        for kind in KINDS:
            for _ in range(rng.choice((0, 0, 0, 1, 2, 3, 6, 13, 25))):
                hand.event(key, kind, _some_day(rng))
        if rng.random() < 0.3:
            hand.event(key, "home_fire_safety_check", _some_day(rng), value=rng.randint(1, 5))
    return hand


EVENT_COLUMNS = pa.schema(
    [
        ("person_key", pa.string()),
        ("kind", pa.string()),
        ("agency", pa.string()),
        ("event_date", pa.date32()),
        ("code", pa.string()),
        ("value", pa.float64()),
        ("lsoa21", pa.string()),
    ]
)


def _connect(hand: HandBase, folder: Path) -> duckdb.DuckDBPyConnection:
    """The base as HandBase.connect writes it, the events added at once through Arrow (a row at
    a time, the crowd's thousands of events take seconds)."""
    events, hand.events = hand.events, []
    connection = hand.connect(folder)
    columns = {name: [row[i] for row in events] for i, name in enumerate(EVENT_COLUMNS.names)}
    connection.register("incoming", pa.table(columns, schema=EVENT_COLUMNS))
    connection.execute("INSERT INTO events SELECT * FROM incoming")
    connection.unregister("incoming")
    return connection


@dataclass(frozen=True)
class Profiles:
    primary: list[risk.PrimaryCareProfile]
    community: list[risk.CommunityProfile]


def _profiles(engine: Engine, home: Path) -> Profiles:
    # One date each, kept few: every run on Spark is a handful of jobs.
    return Profiles(
        [risk.primary_care(engine, home, AT, case_finding_from="low")],
        [risk.community(engine, home, EARLIER, months=12)],
    )


@dataclass(frozen=True)
class OnBoth:
    duckdb: Profiles
    spark: Profiles


@pytest.fixture(scope="module")
def on_both(tmp_path_factory: pytest.TempPathFactory, spark_engine: Engine) -> OnBoth:
    folder = tmp_path_factory.mktemp("risk-engines")
    connection = _connect(crowd(community_areas(primary_care_person(HandBase()))), folder)
    home = folder / "hub"
    try:
        write_base_parquet(connection, folder / "parquet")
        duck = _profiles(DuckDBEngine(connection), home)
    finally:
        connection.close()
    base.register_parquet(spark_engine, folder / "parquet")
    return OnBoth(duck, _profiles(spark_engine, home))


def _published(result: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in result.items() if key != "run_id"}


def test_every_person_has_the_same_points_and_band_on_either_engine(on_both: OnBoth) -> None:
    for duck, spark in zip(on_both.duckdb.primary, on_both.spark.primary, strict=True):
        assert duck.case_finding is not None and spark.case_finding is not None
        assert spark.case_finding == duck.case_finding


def test_the_primary_care_counts_published_are_the_same(on_both: OnBoth) -> None:
    for duck, spark in zip(on_both.duckdb.primary, on_both.spark.primary, strict=True):
        assert _published(spark.as_dict()) == _published(duck.as_dict())


def test_every_area_has_the_same_community_figures_and_points(on_both: OnBoth) -> None:
    for duck, spark in zip(on_both.duckdb.community, on_both.spark.community, strict=True):
        assert _published(spark.as_dict()) == _published(duck.as_dict())


def test_the_people_compared_span_every_band_and_part(on_both: OnBoth) -> None:
    # Equal because both scored, not because both found nobody.
    listed = on_both.spark.primary[0].case_finding
    assert listed is not None and len(listed) > 100
    assert {person["band"] for person in listed} == set(risk.BAND_NAMES)
    for part in risk.PRIMARY_CARE_PARTS:
        assert any(person[f"{part.name}_points"] > 0 for person in listed), part.name
    scores = [area.score for area in on_both.spark.community[0].areas]
    assert max(scores) > 0


@pytest.mark.parametrize("command", ["primary-care", "community"])
def test_the_commands_name_the_engines_they_can_run_on(command: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(risk_app, [command, "--engine", "oracle", "--home", str(tmp_path)])
    assert result.exit_code == 1
    assert "unknown engine 'oracle'" in result.stderr and "duckdb, spark" in result.stderr
