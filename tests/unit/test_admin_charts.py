"""The server-drawn pictures are well-formed SVG and escape every label."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from adapters.inbound.http.admin.charts import (
    ReliabilityPanel,
    VersionPoint,
    accuracy_chart_svg,
    confusion_matrix_svg,
    reliability_diagram_svg,
)
from domain.calibration import ReliabilityBin

SVG = "{http://www.w3.org/2000/svg}"


def test_the_confusion_matrix_has_one_cell_per_pair_and_escapes_labels() -> None:
    labels = ["Access", "<script>alert(1)</script>", "Storage & backup"]
    svg = str(confusion_matrix_svg(labels, [[5, 1, 0], [0, 3, 0], [2, 0, 4]]))
    root = ElementTree.fromstring(svg)
    assert len(root.findall(f"{SVG}rect")) == 9
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "5" in texts and "Storage &amp; backup" not in texts and "Storage & backup" in texts


def test_a_malformed_matrix_draws_nothing() -> None:
    assert str(confusion_matrix_svg(["a", "b"], [[1, 2]])) == ""
    assert str(confusion_matrix_svg([], [])) == ""


def test_the_accuracy_chart_plots_each_measured_version_and_rings_the_active_one() -> None:
    points = [
        VersionPoint("#1", "v1", 0.6, 0.5, False),
        VersionPoint("#2", "v2", None, None, False),
        VersionPoint("#3", "v<3>", 0.8, 0.75, True),
    ]
    svg = str(accuracy_chart_svg(points))
    root = ElementTree.fromstring(svg)
    circles = root.findall(f"{SVG}circle")
    assert len(circles) == 4, "two series, two measured versions"
    assert sum(1 for circle in circles if circle.get("stroke")) == 2
    assert "v&lt;3&gt;" in svg and len(root.findall(f"{SVG}polyline")) == 2


def test_no_measured_version_draws_no_chart() -> None:
    assert str(accuracy_chart_svg([VersionPoint("#1", "v1", None, None, True)])) == ""


def _bins(*entries: tuple[int, float | None]) -> list[ReliabilityBin]:
    size = 1 / len(entries)
    return [
        ReliabilityBin(i * size, (i + 1) * size, count, None if accuracy is None else (i + 0.5) * size, accuracy)
        for i, (count, accuracy) in enumerate(entries)
    ]


def test_the_reliability_diagram_draws_a_bar_per_measured_bin_against_the_diagonal() -> None:
    before = _bins((0, None), (10, 0.2), (30, 0.5), (100, 0.9))
    after = _bins((0, None), (0, None), (40, 0.6), (100, 0.95))
    panels = [ReliabilityPanel("Before", before, 0.08), ReliabilityPanel("After", after, 0.02)]
    svg = str(reliability_diagram_svg(panels))
    root = ElementTree.fromstring(svg)
    assert root.get("role") == "img" and root.find(f"{SVG}title") is not None
    bars = [rect for rect in root.findall(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert len(bars) == 5, "one bar per bin that holds tickets, none for empty bins"
    opacities = [float(bar.get("fill-opacity") or 0) for bar in bars[:3]]
    assert opacities == sorted(opacities) and opacities[-1] == 1.0, "the fuller the bin, the darker its bar"
    assert len(root.findall(f"{SVG}line")) >= 2, "a diagonal of perfect calibration per panel"
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert {"0", "10", "30", "100", "40"} <= set(texts), "every bin's count is written under it"
    assert "Before · ECE 8.0 %" in texts and "After · ECE 2.0 %" in texts


def test_the_reliability_diagram_escapes_titles_and_copes_with_odd_bins() -> None:
    hostile = "<script>alert(1)</script> & co"
    odd = [ReliabilityBin(0.0, 0.5, 3, 1.0, 1.7), ReliabilityBin(0.5, 1.0, 12_345, None, 0.5)]
    svg = str(reliability_diagram_svg([ReliabilityPanel(hostile, odd, None), ReliabilityPanel("Empty", [], None)]))
    root = ElementTree.fromstring(svg)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert hostile in texts and "12k" in texts and "not measured" in texts
    for rect in root.findall(f"{SVG}rect"):
        assert float(rect.get("height") or 0) >= 0 and float(rect.get("y") or 0) >= 0


def test_a_reliability_diagram_without_bins_draws_nothing() -> None:
    assert str(reliability_diagram_svg([])) == ""
    assert str(reliability_diagram_svg([ReliabilityPanel("Before", [], 0.1)])) == ""
