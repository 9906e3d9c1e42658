"""Pictures drawn as inline SVG on the server: no chart library, no script, nothing for a CSP to block.

Every label is escaped here, which is why the results may be marked safe for the templates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

CELL = 34
LABEL_CHARS = 18


def confusion_matrix_svg(labels: Sequence[str], matrix: Sequence[Sequence[int]]) -> Markup:
    """Rows are true labels, columns predicted ones; each cell is shaded by its share of its row."""
    size = len(labels)
    if size == 0 or len(matrix) != size or any(len(row) != size for row in matrix):
        return Markup("")
    margin_left = 8 + 7 * min(LABEL_CHARS, max(len(label) for label in labels))
    margin_top = margin_left
    width = max(margin_left + size * CELL + 10, 300)
    height = margin_top + size * CELL + 34
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Confusion matrix">',
        "<title>Confusion matrix: rows are the true categories, columns the predicted ones</title>",
    ]
    for i, label in enumerate(labels):
        y = margin_top + i * CELL + CELL / 2 + 4
        parts.append(f'<text x="{margin_left - 6}" y="{y:.0f}" text-anchor="end" font-size="11">{_short(label)}</text>')
        x = margin_left + i * CELL + CELL / 2 + 4
        parts.append(
            f'<text x="{x:.0f}" y="{margin_top - 6}" font-size="11" transform="rotate(-60 {x:.0f} {margin_top - 6})">'
            f"{_short(label)}</text>"
        )
    for i, row in enumerate(matrix):
        total = sum(row) or 1
        for j, count in enumerate(row):
            share = count / total
            x, y = margin_left + j * CELL, margin_top + i * CELL
            fill = _shade(share, correct=i == j)
            ink = "#ffffff" if share > 0.55 else "#1f2933"
            parts.append(
                f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" fill="{fill}" stroke="#ffffff">'
                f"<title>true {escape(labels[i])}, predicted {escape(labels[j])}: {count}</title></rect>"
            )
            parts.append(
                f'<text x="{x + CELL / 2:.0f}" y="{y + CELL / 2 + 4:.0f}" text-anchor="middle" font-size="11" '
                f'fill="{ink}">{count}</text>'
            )
    bottom = margin_top + size * CELL + 22
    parts.append(
        f'<text x="{margin_left}" y="{bottom}" font-size="11" fill="#52606d">rows: true category · columns: predicted</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True, slots=True)
class VersionPoint:
    label: str
    """Short, for the axis (e.g. "#12"); the full name is in the tooltip."""
    name: str
    accuracy: float | None
    macro_f1: float | None
    active: bool


def accuracy_chart_svg(points: Sequence[VersionPoint]) -> Markup:
    """Accuracy and macro-F1 of each version on its own test split, oldest left; the active one is ringed."""
    measured = [point for point in points if point.accuracy is not None or point.macro_f1 is not None]
    if not measured:
        return Markup("")
    width, height = max(420, 100 + 60 * len(measured)), 250
    left, right, top, bottom = 48, 28, 16, 64
    plot_w, plot_h = width - left - right, height - top - bottom

    def x_at(index: int) -> float:
        return left + (plot_w / 2 if len(measured) == 1 else plot_w * index / (len(measured) - 1))

    def y_at(value: float) -> float:
        return top + plot_h * (1 - max(0.0, min(1.0, value)))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Accuracy across model versions">',
        "<title>Accuracy and macro-F1 across model versions</title>",
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = y_at(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e4e7eb"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#52606d">{tick:.2f}</text>')
    for series, colour, dash in (("accuracy", "#2563eb", ""), ("macro_f1", "#d97706", ' stroke-dasharray="5 3"')):
        coordinates = [
            (x_at(i), y_at(value)) for i, point in enumerate(measured) if (value := getattr(point, series)) is not None
        ]
        if len(coordinates) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        for i, point in enumerate(measured):
            value = getattr(point, series)
            if value is None:
                continue
            radius = 6 if point.active else 4
            ring = ' stroke="#111827" stroke-width="2"' if point.active else ""
            parts.append(
                f'<circle cx="{x_at(i):.1f}" cy="{y_at(value):.1f}" r="{radius}" fill="{colour}"{ring}>'
                f"<title>{escape(point.name)}: {series.replace('_', '-')} {value:.4f}</title></circle>"
            )
    for i, point in enumerate(measured):
        parts.append(
            f'<text x="{x_at(i):.1f}" y="{height - bottom + 18}" font-size="11" text-anchor="middle">'
            f"<title>{escape(point.name)}</title>{_short(point.label)}</text>"
        )
    legend_y = height - 10
    parts.append(f'<rect x="{left}" y="{legend_y - 9}" width="12" height="4" fill="#2563eb"/>')
    parts.append(f'<text x="{left + 16}" y="{legend_y - 4}" font-size="11">accuracy</text>')
    parts.append(f'<rect x="{left + 90}" y="{legend_y - 9}" width="12" height="4" fill="#d97706"/>')
    parts.append(f'<text x="{left + 106}" y="{legend_y - 4}" font-size="11">macro-F1 (ringed: active)</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _shade(share: float, correct: bool) -> str:
    """White to blue on the diagonal (right answers), white to red elsewhere (mistakes)."""
    if share <= 0:
        return "#f5f7fa"
    base = (37, 99, 235) if correct else (220, 38, 38)
    strength = 0.15 + 0.85 * share
    red, green, blue = (round(255 - (255 - channel) * strength) for channel in base)
    return f"#{red:02x}{green:02x}{blue:02x}"


def _short(label: str) -> str:
    shown = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
    return escape(shown)
