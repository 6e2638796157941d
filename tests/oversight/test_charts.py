"""Server-side SVG charts: valid XML, accessible, CSP-safe, figures on the marks."""

import xml.etree.ElementTree as ET

import pytest

from portal.rules.charts import Series, bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = ["1月", "2月", "3月", "4月"]


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _no_style_or_script(root: ET.Element) -> None:
    for element in root.iter():
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
        assert element.tag not in (f"{SVG}script", f"{SVG}style", f"{SVG}foreignObject")


def test_bar_chart_is_valid_accessible_xml_with_its_figures():
    svg = bar_chart(chart_id="c", title="每月举报 <全县> & 乡镇", desc="说明", categories=MONTHS,
                    values=[None, 5, 12, 0], labels=["<3", "5", "12", "0"])
    root = _parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c-title c-desc"
    assert root.find(f"{SVG}title").text == "每月举报 <全县> & 乡镇"
    assert root.find(f"{SVG}desc").text == "说明"
    bars = root.findall(f".//{SVG}rect[@class='bar']")
    assert [(b.get("data-category"), b.get("data-value")) for b in bars] == [
        ("2月", "5"), ("3月", "12"), ("4月", "0")]
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "value"]
    assert labels == ["<3", "5", "12", "0"]
    _no_style_or_script(root)


def test_bar_heights_are_proportional_to_the_values():
    root = _parse(bar_chart(chart_id="c", title="t", desc="d", categories=["a", "b"],
                            values=[5, 10]))
    heights = [float(b.get("height")) for b in root.findall(f".//{SVG}rect[@class='bar']")]
    assert heights[1] == pytest.approx(2 * heights[0])


def test_line_chart_breaks_lines_at_missing_months_and_carries_values():
    svg = line_chart(chart_id="r", title="达标率", desc="d", categories=MONTHS, series=[
        Series("5-4-3", [50.0, None, 75.5, 80.0]),
        Series("值班", [100.0, 90.0, 80.0, 70.0]),
    ])
    root = _parse(svg)
    groups = root.findall(f".//{SVG}g[@class='series']")
    assert [g.get("data-series") for g in groups] == ["5-4-3", "值班"]
    first, second = groups
    assert len(first.findall(f"{SVG}polyline")) == 2  # broken at the missing month
    assert len(second.findall(f"{SVG}polyline")) == 1
    assert [p.get("data-value") for p in first.findall(f"{SVG}circle")] == ["50", "75.5", "80"]
    assert [p.get("data-category") for p in first.findall(f"{SVG}circle")] == ["1月", "3月", "4月"]
    # 100 % sits at the top of the plot, 50 % half-way down.
    tops = [float(p.get("cy")) for p in second.findall(f"{SVG}circle")]
    half = float(first.findall(f"{SVG}circle")[0].get("cy"))
    assert tops[0] < half
    _no_style_or_script(root)


def test_charts_refuse_mismatched_lengths():
    with pytest.raises(ValueError):
        bar_chart(chart_id="c", title="t", desc="d", categories=["a"], values=[1, 2])
    with pytest.raises(ValueError):
        line_chart(chart_id="c", title="t", desc="d", categories=["a"], series=[Series("s", [])])


def test_an_empty_chart_is_still_valid():
    root = _parse(bar_chart(chart_id="c", title="t", desc="d", categories=MONTHS,
                            values=[None] * 4, labels=["<3"] * 4))
    assert root.findall(f".//{SVG}rect[@class='bar']") == []
