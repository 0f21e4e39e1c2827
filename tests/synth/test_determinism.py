"""Same seed, same output, byte for byte; another seed, another borough."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from boroughs import SMALL

from joinedup.synth.config import SynthConfig
from joinedup.synth.generate import generate


def digests(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_same_seed_gives_identical_files(
    small_borough: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    first, _ = small_borough
    generate(SMALL, tmp_path)
    expected = digests(first)
    assert len(expected) == 20  # 14 extracts, the postcode directory, 4 truth files, summary.json
    assert digests(tmp_path) == expected


def test_another_seed_gives_another_borough(
    small_borough: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    first, _ = small_borough
    generate(SynthConfig(scale=SMALL.scale, seed=SMALL.seed + 1), tmp_path)
    ours, theirs = digests(first), digests(tmp_path)
    assert ours.keys() == theirs.keys()
    assert all(ours[name] != theirs[name] for name in ours if name.startswith("extracts/"))
