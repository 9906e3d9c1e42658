"""The server-drawn pictures are well-formed SVG and escape every label."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from adapters.inbound.http.admin.charts import VersionPoint, accuracy_chart_svg, confusion_matrix_svg

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
