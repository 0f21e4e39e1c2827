"""A trained model is saved as a version whole or not at all: a save cut short leaves nothing
that looks like a model, and does not stop the next one."""

from __future__ import annotations

from pathlib import Path

import pytest

from joinedup.linkage.paths import model_versions, models_folder, save_model_version


def write_model(folder: Path) -> None:
    (folder / "model.json").write_text("{}", encoding="utf-8")
    (folder / "match_weights.html").write_text("<html></html>", encoding="utf-8")


def test_a_save_cut_short_leaves_no_version_and_the_next_save_takes_its_number(
    tmp_path: Path,
) -> None:
    assert save_model_version(tmp_path, write_model).name == "v0001"

    def half_then_crash(folder: Path) -> None:
        (folder / "model.json").write_text('{"truncat', encoding="utf-8")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        save_model_version(tmp_path, half_then_crash)
    assert [v.name for v in model_versions(tmp_path)] == ["v0001"]
    assert [p.name for p in models_folder(tmp_path).iterdir()] == ["v0001"]

    # A folder an older release left with no model.json in it does not block the next save.
    (models_folder(tmp_path) / "v0002").mkdir()
    saved = save_model_version(tmp_path, write_model)
    assert saved.name == "v0002" and (saved / "model.json").read_text() == "{}"
    assert [v.name for v in model_versions(tmp_path)] == ["v0001", "v0002"]
    assert sorted(p.name for p in models_folder(tmp_path).iterdir()) == ["v0001", "v0002"]
