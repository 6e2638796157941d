"""The same charts drawn for a phone: one row per month, so that no text has to shrink.

A 640-unit-wide chart scaled down to a 360 px screen renders its 11-unit text at about 5.6 px.
These variants are 300 units wide, about the width they are shown at on a phone (the page's
column is 328 px at 360 px), and their text is 13 units: 12 px or more down to a 320 px
screen. Months run down the chart, the figures across; the rules of `charts` hold here too
(valid XML, title and desc, figures in `data-value` and a <title> on each mark, no style).
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from portal.rules.charts import AXIS, GRID, PALETTE, Series, _fmt, _nice_max

WIDTH = 300
FONT = 13
ROW = 24
LABEL_W = 84  # the month labels' column
TEXT = "#1a1a1a"


def _open(chart_id: str, title: str, desc: str, height: float) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_fmt(height)}" '
        f'width="100%" role="img" class="chart chart-narrow" id={quoteattr(chart_id)} '
        f'aria-labelledby={quoteattr(f"{chart_id}-title {chart_id}-desc")}>',
        f'<title id={quoteattr(chart_id + "-title")}>{escape(title)}</title>',
        f'<desc id={quoteattr(chart_id + "-desc")}>{escape(desc)}</desc>',
        f'<g font-size="{FONT}" fill="{TEXT}">',
    ]


def _month_labels(categories: Sequence[str], top: float) -> list[str]:
    return [f'<text class="category" x="{LABEL_W - 6}" y="{_fmt(top + ROW * i + ROW / 2 + 4.5)}" '
            f'text-anchor="end">{escape(label)}</text>' for i, label in enumerate(categories)]


def bar_chart(*, chart_id: str, title: str, desc: str, categories: Sequence[str],
              values: Sequence[float | None], labels: Sequence[str] | None = None,
              color: str = PALETTE[0]) -> str:
    """Horizontal bars, one row per category, the figure written after each bar."""
    if len(values) != len(categories):
        raise ValueError("one value per category")
    labels = list(labels) if labels is not None else [
        "" if v is None else _fmt(v) for v in values]
    top, right = 8, WIDTH - 36  # room after the longest bar for its figure
    height = top + ROW * len(categories) + 8
    y_max = _nice_max(values)
    out = _open(chart_id, title, desc, height) + _month_labels(categories, top)
    out.append(f'<line x1="{LABEL_W}" x2="{LABEL_W}" y1="{top}" y2="{_fmt(height - 8)}" '
               f'stroke="{AXIS}" stroke-width="1"/>')
    for i, (category, value, label) in enumerate(zip(categories, values, labels, strict=True)):
        y = top + ROW * i + 5
        end = LABEL_W
        if value is not None:
            end = LABEL_W + (right - LABEL_W) * min(value, y_max) / y_max
            out.append(
                f'<rect class="bar" x="{LABEL_W}" y="{_fmt(y)}" width="{_fmt(end - LABEL_W)}" '
                f'height="{ROW - 10}" fill="{color}" data-category={quoteattr(category)} '
                f'data-value={quoteattr(label)}><title>{escape(f"{category}: {label}")}</title>'
                "</rect>")
        out.append(f'<text class="value" x="{_fmt(end + 4)}" y="{_fmt(y + ROW / 2 - 0.5)}" '
                   f'data-category={quoteattr(category)}>{escape(label)}</text>')
    out.append("</g></svg>")
    return "\n".join(out)


def line_chart(*, chart_id: str, title: str, desc: str, categories: Sequence[str],
               series: Sequence[Series], y_max: float | None = 100, unit: str = "%") -> str:
    """Trend lines running down the months, the scale across; the legend above, a line each."""
    for s in series:
        if len(s.values) != len(categories):
            raise ValueError(f"series {s.name!r}: one value per category")
    top_max = y_max if y_max is not None else _nice_max([v for s in series for v in s.values])
    top_max = top_max or 1
    legend_h = 20 * len(series)
    top = legend_h + 26
    left, right = LABEL_W + 10, WIDTH - 16
    height = top + ROW * len(categories) + 8
    out = _open(chart_id, title, desc, height)
    for index, s in enumerate(series):
        y = 4 + 20 * index
        out.append(f'<rect x="4" y="{y + 3}" width="12" height="12" '
                   f'fill="{PALETTE[index % len(PALETTE)]}"/>')
        out.append(f'<text class="legend" x="22" y="{y + 14}">{escape(s.name)}</text>')

    def x(value: float) -> float:
        return left + (right - left) * min(value, top_max) / top_max

    for k in range(3):
        value = top_max * k / 2
        out.append(f'<line x1="{_fmt(x(value))}" x2="{_fmt(x(value))}" y1="{top}" '
                   f'y2="{_fmt(height - 8)}" stroke="{GRID}" stroke-width="1"/>')
        out.append(f'<text class="scale" x="{_fmt(x(value))}" y="{top - 8}" '
                   f'text-anchor="middle">{escape(_fmt(value) + unit)}</text>')
    out += _month_labels(categories, top)
    for index, s in enumerate(series):
        out += _series(s, PALETTE[index % len(PALETTE)], categories, unit, x, top)
    out.append("</g></svg>")
    return "\n".join(out)


def _series(s: Series, color: str, categories: Sequence[str], unit: str, x, top: float) -> list[str]:
    labels = list(s.labels) if s.labels is not None else [
        "" if v is None else _fmt(v) for v in s.values]
    out = [f'<g class="series" data-series={quoteattr(s.name)}>']
    runs: list[list[str]] = [[]]
    for i, value in enumerate(s.values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append(f"{_fmt(x(value))},{_fmt(top + ROW * i + ROW / 2)}")
    for points in (r for r in runs if r):
        out.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" '
                   'stroke-width="2"/>')
    for i, (category, value) in enumerate(zip(categories, s.values, strict=True)):
        if value is None:
            continue
        out.append(
            f'<circle class="point" cx="{_fmt(x(value))}" cy="{_fmt(top + ROW * i + ROW / 2)}" '
            f'r="4" fill="{color}" data-category={quoteattr(category)} '
            f'data-value={quoteattr(labels[i])}>'
            f'<title>{escape(f"{s.name} {category}: {labels[i]}{unit}")}</title></circle>')
    out.append("</g>")
    return out
