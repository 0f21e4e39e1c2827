"""The gap map: every ward drawn, shaded by places per 100 people in need, and the ward with
the largest gap outlined in red, drawn last (on top), and named for screen readers."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from joinedup.analytics.charts import SVG_NS
from joinedup.web.community.gaps import NeedCount, Places, rank_gaps
from joinedup.web.community.maps import HIGHLIGHT, count_map_svg, gap_map_svg
from joinedup.web.community.vocabulary import Need
from joinedup.web.community.wards import wards

SVG = f"{{{SVG_NS}}}"


def test_the_largest_gap_is_outlined_on_top_and_described() -> None:
    borough = wards()
    counts = [NeedCount(w.code, Need.LONELINESS, 100 + i) for i, w in enumerate(borough)]
    places = [Places(w.code, Need.LONELINESS, 10) for w in borough if w.name != "Coppull"]
    ranked = rank_gaps(counts, places, borough)
    assert ranked[0].ward_name == "Coppull"
    root = ET.fromstring(gap_map_svg(ranked, "Befriending", "Places per 100"))
    paths = [p for p in root.iter(f"{SVG}path") if p.get("data-code")]
    assert len(paths) == len(borough)
    outlined = [p for p in paths if p.get("data-highlight")]
    assert [p.get("data-code") for p in outlined] == [ranked[0].ward_code]
    assert outlined[0] is paths[-1] and outlined[0].get("stroke") == HIGHLIGHT
    title = outlined[0].find(f"{SVG}title")
    assert title is not None and "Coppull has the largest gap" in (title.text or "")
    desc = root.find(f"{SVG}desc")
    assert desc is not None and "Coppull has the largest gap, outlined in red." in (desc.text or "")


def test_a_map_with_no_gap_outlines_nothing() -> None:
    drawn = gap_map_svg([], "Nothing", "Places per 100")
    assert "data-highlight" not in drawn
    assert 'data-highlight="1"' not in count_map_svg({}, "Assets", "Number of assets")
