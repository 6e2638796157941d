"""The charts drawn for a phone: the same figures, one row per month, text that need not shrink."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from portal.rules import charts, charts_narrow
from portal.rules.charts import Series

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = ["2026年1月", "2月", "3月", "4月"]
# The page's column on a 320 px screen (the smallest phone we draw for), in CSS px.
SMALLEST_COLUMN = 288


def _font_sizes(root: ET.Element) -> list[float]:
    """The font size in effect for each <text>, inherited from its ancestors' attributes."""
    sizes = []

    def walk(element: ET.Element, size: float | None) -> None:
        size = float(element.get("font-size", size or 0)) or size
        if element.tag == f"{SVG}text":
            sizes.append(size)
        for child in element:
            walk(child, size)

    walk(root, None)
    return sizes


def _width(root: ET.Element) -> float:
    return float(root.get("viewBox").split()[2])


@pytest.mark.parametrize("draw", ["bar", "line"])
def test_narrow_charts_keep_their_text_at_12px_on_the_smallest_phone(draw):
    if draw == "bar":
        svg = charts_narrow.bar_chart(chart_id="c", title="t", desc="d", categories=MONTHS * 3,
                                      values=[1, 20, None, 300] * 3)
    else:
        svg = charts_narrow.line_chart(chart_id="c", title="t", desc="d", categories=MONTHS * 3,
                                       series=[Series("5-4-3达标率", [50.0, None, 75.5, 80.0] * 3)])
    root = ET.fromstring(svg)
    sizes = _font_sizes(root)
    assert sizes and all(size * SMALLEST_COLUMN / _width(root) >= 12 for size in sizes)
    # The wide chart on the same screen, for comparison: its text is about half that.
    wide = ET.fromstring(charts.bar_chart(chart_id="w", title="t", desc="d", categories=MONTHS,
                                          values=[1, 2, 3, 4]))
    assert max(_font_sizes(wide)) * 328 / _width(wide) < 6
    for element in root.iter():
        assert "style" not in element.attrib and element.tag != f"{SVG}script"


def test_the_narrow_bars_carry_the_same_figures_as_the_wide_ones():
    arguments = {"title": "每月举报 <全县> & 乡镇", "desc": "说明", "categories": MONTHS,
                 "values": [None, 5, 12, 0], "labels": ["<3", "5", "12", "0"]}
    wide = ET.fromstring(charts.bar_chart(chart_id="w", **arguments))
    narrow = ET.fromstring(charts_narrow.bar_chart(chart_id="n", **arguments))
    assert narrow.get("role") == "img" and narrow.get("aria-labelledby") == "n-title n-desc"
    assert narrow.find(f"{SVG}title").text == "每月举报 <全县> & 乡镇"

    def marks(root):
        return [(b.get("data-category"), b.get("data-value"))
                for b in root.findall(f".//{SVG}rect[@class='bar']")]

    assert marks(narrow) == marks(wide) == [("2月", "5"), ("3月", "12"), ("4月", "0")]
    values = [t.text for t in narrow.iter(f"{SVG}text") if t.get("class") == "value"]
    assert values == ["<3", "5", "12", "0"]
    months = [t.text for t in narrow.iter(f"{SVG}text") if t.get("class") == "category"]
    assert months == MONTHS
    widths = [float(b.get("width")) for b in narrow.findall(f".//{SVG}rect[@class='bar']")]
    assert widths[1] == pytest.approx(12 / 5 * widths[0]) and widths[2] == 0


def test_the_narrow_lines_break_at_missing_months_and_run_down_the_rows():
    svg = charts_narrow.line_chart(chart_id="r", title="达标率", desc="d", categories=MONTHS,
                                   series=[Series("5-4-3", [50.0, None, 75.5, 80.0]),
                                           Series("值班", [100.0, 90.0, 80.0, 70.0])])
    root = ET.fromstring(svg)
    first, second = root.findall(f".//{SVG}g[@class='series']")
    assert len(first.findall(f"{SVG}polyline")) == 2 and len(second.findall(f"{SVG}polyline")) == 1
    assert [p.get("data-value") for p in first.findall(f"{SVG}circle")] == ["50", "75.5", "80"]
    points = second.findall(f"{SVG}circle")
    rows = [float(p.get("cy")) for p in points]
    assert rows == sorted(rows)  # months down the chart
    across = [float(p.get("cx")) for p in points]
    assert across == sorted(across, reverse=True)  # 100 % is furthest right
    legend = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "legend"]
    assert legend == ["5-4-3", "值班"]


def test_narrow_charts_refuse_mismatched_lengths():
    with pytest.raises(ValueError):
        charts_narrow.bar_chart(chart_id="c", title="t", desc="d", categories=["a"], values=[])
    with pytest.raises(ValueError):
        charts_narrow.line_chart(chart_id="c", title="t", desc="d", categories=["a"],
                                 series=[Series("s", [])])
