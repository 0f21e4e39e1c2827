"""link-files on small hand-made lists whose right answer is known."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from people import MAP, PEOPLE, write_lists

from joinedup.linkage import files, model
from joinedup.linkage.files import LinkFilesError, link_files, parse_map


def _pairs(out: Path, decision: str) -> set[tuple[str, str]]:
    with (out / "pairs.csv").open(encoding="utf-8") as handle:
        return {
            (r["record_id_l"], r["record_id_r"])
            if r["file_l"] == "1"
            else (r["record_id_r"], r["record_id_l"])
            for r in csv.DictReader(handle)
            if r["decision"] == decision
        }


@pytest.fixture(scope="module")
def linked_lists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[tuple[str, str]]]:
    folder = tmp_path_factory.mktemp("lists")
    left, right, truth = write_lists(folder)
    link_files([left, right], parse_map(MAP), folder / "out")
    return folder / "out", truth


def test_two_lists_link_exactly_the_true_pairs(
    linked_lists: tuple[Path, set[tuple[str, str]]],
) -> None:
    out, truth = linked_lists
    assert _pairs(out, "link") == truth


def test_twins_and_namesakes_are_not_linked(
    linked_lists: tuple[Path, set[tuple[str, str]]],
) -> None:
    out, _ = linked_lists
    twins = {("A020", "B021"), ("A021", "B020"), ("A022", "B023"), ("A023", "B022")}
    assert not twins & _pairs(out, "link")


def test_clusters_hold_every_record_once(linked_lists: tuple[Path, set[tuple[str, str]]]) -> None:
    out, truth = linked_lists
    with (out / "clusters.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["record_id", "cluster_id", "file"]
    assert len(rows) == 2 * len(PEOPLE)
    cluster = {(r["file"], r["record_id"]): r["cluster_id"] for r in rows}
    assert all(cluster[("1", a)] == cluster[("2", b)] for a, b in truth)
    assert len(set(cluster.values())) == len(PEOPLE)
    assert (out / "model" / "model.json").is_file()


def test_one_list_is_deduplicated(tmp_path: Path) -> None:
    left, right, truth = write_lists(tmp_path)
    combined = tmp_path / "combined.csv"
    lines = (
        left.read_text(encoding="utf-8").splitlines()
        + right.read_text(encoding="utf-8").splitlines()[1:]
    )
    combined.write_text("\n".join(lines) + "\n", encoding="utf-8")
    link_files([combined], parse_map(MAP), tmp_path / "out")
    found = {tuple(sorted(p)) for p in _pairs(tmp_path / "out", "link")}
    assert found == {tuple(sorted(p)) for p in truth}


def test_a_postcode_that_is_not_a_uk_shape_is_compared_as_text(tmp_path: Path) -> None:
    rows = [
        ("R1", "Anna", "Lindqvist", "1980-01-02", "114 55"),
        ("R2", "Jonas", "Berg", "1975-05-06", "411 03"),
    ]
    rows += [
        (f"R{i}", f"Name{i}", f"Family{i}", f"19{50 + i}-0{1 + i % 9}-1{i % 9}", f"{100 + i} 00")
        for i in range(3, 40)
    ]
    other = [("S1", "Anna", "Lindqvist", "", "114 55"), ("S2", "Jonas", "Berg", "", "999 99")]
    for path, data in ((tmp_path / "a.csv", rows), (tmp_path / "b.csv", other + rows[2:])):
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "first", "last", "dob", "pc"])
            writer.writerows(data)
    link_files(
        [tmp_path / "a.csv", tmp_path / "b.csv"],
        parse_map(
            ["id=record_id", "first=given_name", "last=surname", "dob=date_of_birth", "pc=postcode"]
        ),
        tmp_path / "out",
    )
    with (tmp_path / "out" / "pairs.csv").open(encoding="utf-8") as handle:
        probability = {
            (r["record_id_l"], r["record_id_r"]): float(r["match_probability"])
            for r in csv.DictReader(handle)
        }
    assert probability.get(("R1", "S1"), 0) > probability.get(("R2", "S2"), 0)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (["first=forename"], "unknown role 'forename'"),
        (["first"], "COLUMN=ROLE"),
        (["dob=date_of_birth"], "at least one name column"),
    ],
)
def test_a_bad_map_is_refused_clearly(mapping: list[str], message: str) -> None:
    with pytest.raises(LinkFilesError, match=message):
        parse_map(mapping)


def test_a_missing_column_names_the_file_and_line(tmp_path: Path) -> None:
    left, right, _ = write_lists(tmp_path)
    with pytest.raises(LinkFilesError, match=r"register.csv: line 1: no column 'surname'"):
        link_files(
            [left, right], parse_map(["surname=surname", "first=given_name"]), tmp_path / "out"
        )


def test_duplicate_record_ids_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("id,first,last\n1,Ann,Lee\n1,Bob,Lee\n", encoding="utf-8")
    with pytest.raises(LinkFilesError, match="record_id column must be filled and unique"):
        link_files(
            [path],
            parse_map(["id=record_id", "first=given_name", "last=surname"]),
            tmp_path / "out",
        )


def _nhs(stem: str) -> str:
    """A valid NHS number from nine digits (modulus 11), skipping stems whose check digit is 10."""
    total = sum(int(d) * w for d, w in zip(stem, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return stem + str(check) if check != 10 else ""


def test_a_shared_nhs_number_links_records_whose_names_disagree(tmp_path: Path) -> None:
    numbers = [n for n in (_nhs(f"99912{i:04d}") for i in range(60)) if n][:30]
    header = "id,first,last,nhs\n"
    left = header + "".join(f"L{i},Name{i},Family{i},{n}\n" for i, n in enumerate(numbers))
    right = header + "".join(f"R{i},Other{i},Surname{i},{n}\n" for i, n in enumerate(numbers[:5]))
    right += "".join(f"R{i},Name{i},Family{i},\n" for i in range(5, 30))
    (tmp_path / "l.csv").write_text(left, encoding="utf-8")
    (tmp_path / "r.csv").write_text(right, encoding="utf-8")
    mapping = parse_map(["id=record_id", "first=given_name", "last=surname", "nhs=nhs_number"])
    link_files([tmp_path / "l.csv", tmp_path / "r.csv"], mapping, tmp_path / "out")
    with (tmp_path / "out" / "pairs.csv").open(encoding="utf-8") as handle:
        scored = {(r["record_id_l"], r["record_id_r"]) for r in csv.DictReader(handle)}
    assert {(f"L{i}", f"R{i}") for i in range(5)} <= scored


def test_one_to_one_links_each_record_at_most_once_and_finds_the_true_pairs(
    tmp_path: Path,
) -> None:
    left, right, truth = write_lists(tmp_path)
    report = link_files([left, right], parse_map(MAP), tmp_path / "out", one_to_one=True)
    linked = _pairs(tmp_path / "out", "link")
    assert linked == truth
    assert report.estimated_people_in_both is not None
    assert abs(report.estimated_people_in_both - len(PEOPLE)) < 1
    with (tmp_path / "out" / "pairs.csv").open(encoding="utf-8") as handle:
        assert "one_to_one_probability" in next(csv.reader(handle))


def test_one_to_one_needs_two_files(tmp_path: Path) -> None:
    left, _, _ = write_lists(tmp_path)
    with pytest.raises(LinkFilesError, match="needs two files"):
        link_files([left], parse_map(MAP), tmp_path / "out", one_to_one=True)


def test_loose_blocking_rules_are_used_only_within_their_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    left, right, _ = write_lists(tmp_path)
    wide = link_files([left, right], parse_map(MAP), tmp_path / "wide")
    assert "l.birth_date = r.birth_date" in wide.blocking_rules
    # Every one of the 24 people has a birth date: blocking on it alone makes at least 24 pairs.
    monkeypatch.setattr(files, "LOOSE_RULE_BUDGET", 10)
    tight = link_files([left, right], parse_map(MAP), tmp_path / "tight")
    assert not set(tight.blocking_rules) & {f"l.{k} = r.{k}" for k in model.LOOSE_KEYS}


def test_scoring_in_chunks_gives_the_same_pairs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    left, right, _ = write_lists(tmp_path)
    link_files([left, right], parse_map(MAP), tmp_path / "whole")
    monkeypatch.setattr(model, "PAIRS_PER_CHUNK", 5)
    link_files([left, right], parse_map(MAP), tmp_path / "chunked")
    whole, chunked = (
        (tmp_path / d / "pairs.csv").read_text(encoding="utf-8") for d in ("whole", "chunked")
    )
    assert whole == chunked and whole.count("\n") > len(PEOPLE)
