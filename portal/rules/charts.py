"""Server-side SVG charts: monthly bars and trend lines. Pure: strings in, SVG text out.

The SVG is valid XML, names itself with <title> and <desc> (role="img"), and uses presentation
attributes (fill, stroke) only: no style attribute, no script, so the CSP allows it inline.
Every data mark carries its figure in `data-value` and in a <title> tooltip; the page shows
the same figures in a table for screen readers and printing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

WIDTH = 640
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 40
PALETTE = ("#a4161a", "#0b4f9c", "#1b6e20", "#5b3a8a")
AXIS = "#555555"
GRID = "#d9d9d9"


@dataclass(frozen=True)
class Series:
    """One line: a name for the legend, a value per category (None: no figure), labels shown."""

    name: str
    values: Sequence[float | None]
    labels: Sequence[str] | None = None


def _fmt(value: float) -> str:
    """A number as SVG wants it: short, no exponent."""
    return f"{value:.1f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))


def _nice_max(values: Sequence[float | None]) -> float:
    top = max((v for v in values if v is not None), default=0)
    if top <= 0:
        return 4
    step = 1
    for candidate in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        step = candidate
        if top / candidate <= 5:
            break
    return step * -(-top // step)


class _Frame:
    """Plot area geometry shared by both chart kinds."""

    def __init__(self, n: int, y_max: float) -> None:
        self.n = max(n, 1)
        self.y_max = y_max or 1
        self.plot_w = WIDTH - LEFT - RIGHT
        self.plot_h = HEIGHT - TOP - BOTTOM

    def x(self, i: int) -> float:
        """Centre of category i."""
        return LEFT + self.plot_w * (i + 0.5) / self.n

    def y(self, value: float) -> float:
        return TOP + self.plot_h * (1 - min(value, self.y_max) / self.y_max)

    def band(self) -> float:
        return self.plot_w / self.n


def _open(chart_id: str, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" class="chart" id={quoteattr(chart_id)} '
        f'aria-labelledby={quoteattr(f"{chart_id}-title {chart_id}-desc")}>',
        f'<title id={quoteattr(chart_id + "-title")}>{escape(title)}</title>',
        f'<desc id={quoteattr(chart_id + "-desc")}>{escape(desc)}</desc>',
    ]


def _axes(frame: _Frame, categories: Sequence[str], unit: str) -> list[str]:
    out = ['<g class="axes" font-size="11" fill="#333333">']
    for k in range(5):
        value = frame.y_max * k / 4
        y = frame.y(value)
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_fmt(y)}" y2="{_fmt(y)}" '
                   f'stroke="{GRID}" stroke-width="1"/>')
        out.append(f'<text x="{LEFT - 4}" y="{_fmt(y + 4)}" text-anchor="end">'
                   f'{escape(_fmt(value) + unit)}</text>')
    base = TOP + frame.plot_h
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}" '
               f'stroke="{AXIS}" stroke-width="1"/>')
    for i, label in enumerate(categories):
        out.append(f'<text x="{_fmt(frame.x(i))}" y="{base + 16}" text-anchor="middle">'
                   f'{escape(label)}</text>')
    out.append("</g>")
    return out


def bar_chart(*, chart_id: str, title: str, desc: str, categories: Sequence[str],
              values: Sequence[float | None], labels: Sequence[str] | None = None,
              color: str = PALETTE[0]) -> str:
    """Vertical bars, one per category; a None value draws no bar but still shows its label."""
    if len(values) != len(categories):
        raise ValueError("one value per category")
    labels = list(labels) if labels is not None else [
        "" if v is None else _fmt(v) for v in values
    ]
    frame = _Frame(len(categories), _nice_max(values))
    out = _open(chart_id, title, desc) + _axes(frame, categories, "")
    width = frame.band() * 0.6
    out.append('<g class="bars" font-size="11" fill="#1a1a1a">')
    for i, (category, value, label) in enumerate(zip(categories, values, labels, strict=True)):
        x = frame.x(i) - width / 2
        top = frame.y(value or 0)
        if value is not None:
            height = TOP + frame.plot_h - top
            out.append(
                f'<rect class="bar" x="{_fmt(x)}" y="{_fmt(top)}" width="{_fmt(width)}" '
                f'height="{_fmt(height)}" fill="{color}" data-category={quoteattr(category)} '
                f'data-value={quoteattr(label)}><title>{escape(f"{category}: {label}")}</title>'
                "</rect>"
            )
        out.append(f'<text class="value" x="{_fmt(frame.x(i))}" y="{_fmt(top - 4)}" '
                   f'text-anchor="middle" data-category={quoteattr(category)}>'
                   f'{escape(label)}</text>')
    out.append("</g></svg>")
    return "\n".join(out)


def _legend(series: Sequence[Series]) -> list[str]:
    out = ['<g class="legend" font-size="11" fill="#1a1a1a">']
    x = LEFT
    y = HEIGHT - 8
    for index, s in enumerate(series):
        color = PALETTE[index % len(PALETTE)]
        out.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{x + 14}" y="{y}">{escape(s.name)}</text>')
        x += 24 + 12 * len(s.name) + 4 * sum(1 for ch in s.name if ch.isascii())
    out.append("</g>")
    return out


def _runs(frame: _Frame, values: Sequence[float | None]) -> list[list[str]]:
    """Point lists of the unbroken stretches of a series."""
    runs: list[list[str]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append(f"{_fmt(frame.x(i))},{_fmt(frame.y(value))}")
    return [run for run in runs if run]


def _series(frame: _Frame, s: Series, color: str, categories: Sequence[str], unit: str) -> list[str]:
    labels = list(s.labels) if s.labels is not None else [
        "" if v is None else _fmt(v) for v in s.values
    ]
    out = [f'<g class="series" data-series={quoteattr(s.name)}>']
    for points in _runs(frame, s.values):
        out.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" '
                   'stroke-width="2"/>')
    for i, (category, value) in enumerate(zip(categories, s.values, strict=True)):
        if value is None:
            continue
        out.append(
            f'<circle class="point" cx="{_fmt(frame.x(i))}" cy="{_fmt(frame.y(value))}" '
            f'r="3.5" fill="{color}" data-category={quoteattr(category)} '
            f'data-value={quoteattr(labels[i])}>'
            f'<title>{escape(f"{s.name} {category}: {labels[i]}{unit}")}</title></circle>'
        )
    out.append("</g>")
    return out


def line_chart(*, chart_id: str, title: str, desc: str, categories: Sequence[str],
               series: Sequence[Series], y_max: float | None = 100, unit: str = "%") -> str:
    """Trend lines, one per series; a None value breaks the line (no figure that month)."""
    for s in series:
        if len(s.values) != len(categories):
            raise ValueError(f"series {s.name!r}: one value per category")
    all_values = [v for s in series for v in s.values]
    frame = _Frame(len(categories), y_max if y_max is not None else _nice_max(all_values))
    out = _open(chart_id, title, desc) + _axes(frame, categories, unit)
    for index, s in enumerate(series):
        out.extend(_series(frame, s, PALETTE[index % len(PALETTE)], categories, unit))
    out.extend(_legend(series))
    out.append("</svg>")
    return "\n".join(out)
