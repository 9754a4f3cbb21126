"""PNG charts of the results, one per workload, drawn with matplotlib's Agg backend.

Each chart is a grouped horizontal bar chart: one group per case, one bar per framework
(its median), with the interquartile range as the error bar. Time axes switch to a log
scale when the fastest and slowest bars are more than 20 times apart, so a 1 µs router and
a 150 µs one both stay readable. Like the report, charts are drawn from the JSON document.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

# pyplot must be imported after the backend is chosen.
import matplotlib.pyplot as plt
from matplotlib.patches import Patch
from matplotlib.ticker import ScalarFormatter

COLOURS = {
    "erlen": "#d62728",
    "erlen_async": "#ff9896",
    "flask": "#1f77b4",
    "falcon": "#2ca02c",
    "bottle": "#9467bd",
    "starlette": "#ff7f0e",
    "quart": "#8c564b",
}
AXIS_LABELS = {
    "s": "time per operation (µs, median; bars: interquartile range)",
    "requests/s": "requests per second (median over repeats; bars: interquartile range)",
    "MiB": "worker RSS after the requests (MiB)",
}


def _value(workload: Mapping[str, Any], cell: Mapping[str, Any]) -> tuple[float, float, float]:
    """The bar length and its lower/upper error for ``cell`` in the chart's unit."""
    metric = cell["metrics"][workload["primary_metric"]]
    scale = 1e6 if workload["unit"] == "s" else 1.0
    median, q1, q3 = metric["median"] * scale, metric["q1"] * scale, metric["q3"] * scale
    return median, max(0.0, median - q1), max(0.0, q3 - median)


def draw_workload(document: Mapping[str, Any], name: str, path: Path) -> bool:
    """Draw workload ``name`` to ``path``; return ``False`` when nothing was measured."""
    workload = document["workloads"][name]
    names = {key: info["name"] for key, info in document["frameworks"].items()}
    cases = list(workload["cases"])
    frameworks = workload["frameworks"]
    measured = [
        (case_index, framework_index, _value(workload, cell))
        for case_index, case in enumerate(cases)
        for framework_index, framework in enumerate(frameworks)
        if (cell := workload["cases"][case].get(framework)) is not None and cell["status"] == "ok"
    ]
    if not measured:
        return False
    bar_height = 0.8 / max(1, len(frameworks))
    handles: list[Patch] = []
    figure, axes = plt.subplots(figsize=(9, 0.9 + 0.55 * len(cases) * max(1, len(frameworks)) / 2))
    for framework_index, framework in enumerate(frameworks):
        rows = [(c, v) for c, f, v in measured if f == framework_index]
        colour = COLOURS.get(framework, "#7f7f7f")
        label = names.get(framework, framework) + ("" if rows else " (unavailable)")
        handles.append(Patch(facecolor=colour if rows else "white", edgecolor=colour, label=label))
        if not rows:
            continue
        positions = [
            c + (framework_index - (len(frameworks) - 1) / 2) * bar_height for c, _ in rows
        ]
        axes.barh(
            positions,
            [v[0] for _, v in rows],
            height=bar_height,
            xerr=[[v[1] for _, v in rows], [v[2] for _, v in rows]],
            color=colour,
            capsize=2,
        )
    values = [v[0] for _, _, v in measured if v[0] > 0]
    if workload["unit"] == "s" and values and max(values) / min(values) > 20:
        axes.set_xscale("log")
        axes.xaxis.set_major_formatter(ScalarFormatter())
    axes.set_yticks(range(len(cases)))
    axes.set_yticklabels(cases)
    axes.invert_yaxis()
    axes.set_xlabel(AXIS_LABELS.get(workload["unit"], workload["unit"]))
    axes.set_title(workload["title"], fontsize=10)
    axes.grid(axis="x", linestyle=":", alpha=0.6)
    axes.legend(handles=handles, fontsize=8, loc="best")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True


def draw_all(document: Mapping[str, Any], folder: Path) -> dict[str, Path]:
    """Draw every workload of ``document`` into ``folder/bench-<workload>.png``."""
    drawn: dict[str, Path] = {}
    for name in document["workloads"]:
        path = folder / f"bench-{name}.png"
        if draw_workload(document, name, path):
            drawn[name] = path
    return drawn
