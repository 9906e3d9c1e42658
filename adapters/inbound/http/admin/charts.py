"""Pictures drawn as inline SVG on the server: no chart library, no script, nothing for a CSP to block.

Every label is escaped here, which is why the results may be marked safe for the templates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from domain.calibration import ReliabilityBin

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
        f'<text x="{margin_left}" y="{bottom}" font-size="11" fill="#52606d">'
        "rows: true category · columns: predicted</text>"
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
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#52606d">{tick:.2f}</text>'
        )
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


@dataclass(frozen=True, slots=True)
class ReliabilityPanel:
    title: str
    """E.g. "Before calibration"; escaped when drawn."""
    bins: Sequence[ReliabilityBin]
    ece: float | None


def reliability_diagram_svg(panels: Sequence[ReliabilityPanel]) -> Markup:
    """One small reliability diagram per panel, side by side: per confidence bin a bar of the share of its
    predictions that were right, a dot at their mean confidence, and the diagonal a calibrated model would follow.
    A bar's opacity grows with its bin's count; the counts themselves are written under the bins."""
    if not any(panel.bins for panel in panels):
        return Markup("")
    plot_w, plot_h, left, top, gap = 300, 200, 44, 34, 36
    panel_w = left + plot_w + gap
    width, height = max(420, len(panels) * panel_w), top + plot_h + 84
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Reliability diagram">',
        "<title>Reliability diagram on the test split: per confidence bin, the share of predictions that were "
        "right against the diagonal of perfect calibration</title>",
    ]
    for index, panel in enumerate(panels):
        parts.extend(_reliability_panel(panel, index * panel_w + left, top, plot_w, plot_h))
    legend_y = height - 8
    parts.append(f'<rect x="{left}" y="{legend_y - 10}" width="12" height="10" fill="#2563eb"/>')
    parts.append(f'<text x="{left + 16}" y="{legend_y}" font-size="11">accuracy (darker: more tickets)</text>')
    parts.append(f'<circle cx="{left + 216}" cy="{legend_y - 4}" r="3" fill="#d97706"/>')
    parts.append(f'<text x="{left + 224}" y="{legend_y}" font-size="11">mean confidence</text>')
    parts.append(
        f'<line x1="{left + 330}" y1="{legend_y - 4}" x2="{left + 350}" y2="{legend_y - 4}" stroke="#52606d" '
        'stroke-dasharray="4 3"/>'
    )
    parts.append(f'<text x="{left + 354}" y="{legend_y}" font-size="11">perfect calibration</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _reliability_panel(panel: ReliabilityPanel, x0: float, y0: float, plot_w: int, plot_h: int) -> list[str]:
    def x_at(value: float) -> float:
        return x0 + plot_w * max(0.0, min(1.0, value))

    def y_at(value: float) -> float:
        return y0 + plot_h * (1 - max(0.0, min(1.0, value)))

    ece = f" · ECE {100 * panel.ece:.1f} %" if panel.ece is not None else ""
    parts = [
        f'<text x="{x0}" y="{y0 - 12}" font-size="12" font-weight="600">{escape(panel.title)}{ece}</text>',
        f'<rect x="{x0}" y="{y0}" width="{plot_w}" height="{plot_h}" fill="#f8fafc" stroke="#e4e7eb"/>',
    ]
    for tick in (0.0, 0.5, 1.0):
        parts.append(
            f'<text x="{x0 - 6}" y="{y_at(tick) + 4:.1f}" text-anchor="end" font-size="10" fill="#52606d">'
            f"{tick:.1f}</text>"
        )
        parts.append(
            f'<text x="{x_at(tick):.1f}" y="{y0 + plot_h + 13}" text-anchor="middle" font-size="10" fill="#52606d">'
            f"{tick:.1f}</text>"
        )
    most = max((bin_.count for bin_ in panel.bins), default=0) or 1
    count_y = y0 + plot_h + 30
    for bin_ in panel.bins:
        left_x, right_x = x_at(bin_.lower), x_at(bin_.upper)
        middle = (left_x + right_x) / 2
        if bin_.count and bin_.accuracy is not None:
            accuracy = max(0.0, min(1.0, bin_.accuracy))
            opacity = 0.25 + 0.75 * math.sqrt(bin_.count / most)  # square root: a small bin stays visible
            mean = bin_.mean_confidence
            confidence = f", mean confidence {100 * mean:.1f} %" if mean is not None else ""
            parts.append(
                f'<rect x="{left_x + 0.5:.1f}" y="{y_at(accuracy):.1f}" '
                f'width="{max(right_x - left_x - 1, 1):.1f}" height="{plot_h * accuracy:.1f}" '
                f'fill="#2563eb" fill-opacity="{opacity:.2f}">'
                f"<title>confidence {bin_.lower:.2f}–{bin_.upper:.2f}: {bin_.count} tickets, "
                f"{100 * accuracy:.1f} % right{confidence}</title></rect>"
            )
        if bin_.count and bin_.mean_confidence is not None:
            parts.append(f'<circle cx="{middle:.1f}" cy="{y_at(bin_.mean_confidence):.1f}" r="3" fill="#d97706"/>')
        ink = "#1f2933" if bin_.count else "#9aa5b1"
        parts.append(
            f'<text x="{middle:.1f}" y="{count_y}" text-anchor="middle" font-size="9" fill="{ink}">'
            f"{_compact(bin_.count)}</text>"
        )
    if not panel.bins:
        parts.append(
            f'<text x="{x0 + plot_w / 2}" y="{y0 + plot_h / 2}" text-anchor="middle" font-size="12" fill="#52606d">'
            "not measured</text>"
        )
    parts.append(
        f'<line x1="{x0}" y1="{y0 + plot_h}" x2="{x0 + plot_w}" y2="{y0}" stroke="#52606d" stroke-dasharray="4 3"/>'
    )
    parts.append(f'<text x="{x0 - 6}" y="{count_y}" text-anchor="end" font-size="9" fill="#52606d">n</text>')
    parts.append(
        f'<text x="{x0 + plot_w / 2}" y="{count_y + 16}" text-anchor="middle" font-size="10" fill="#52606d">'
        "confidence · n: tickets per bin</text>"
    )
    return parts


def _compact(count: int) -> str:
    """Fits a count under a bin 20 pixels wide."""
    if count < 1000:
        return str(count)
    return f"{count / 1000:.1f}k" if count < 10_000 else f"{count // 1000}k"


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
