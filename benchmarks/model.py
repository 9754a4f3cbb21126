"""The shapes every workload reports in: summaries, cells and workload results.

A workload produces one :class:`WorkloadResult`: a grid of cases (rows) by frameworks
(columns), each cell either a measurement or the reason the framework could not be
measured. Keeping one shape for all workloads lets the JSON, the markdown table and the
charts be written by code that knows nothing about any particular workload.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

REFERENCE = "erlen"
"""The framework every ratio is taken against."""


class Unavailable(Exception):
    """A framework cannot run a case: it failed to import, to build, or to answer correctly.

    The message is the reason shown in the report ("unavailable: <reason>").
    """


def describe_error(error: BaseException, limit: int = 200) -> str:
    """Return a one-line, bounded description of ``error`` fit for a table cell."""
    if isinstance(error, Unavailable):
        text = str(error)
    else:
        text = f"{type(error).__name__}: {error}"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Summary:
    """Median, quartiles and extremes of a list of observations."""

    median: float
    q1: float
    q3: float
    minimum: float
    maximum: float
    count: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        """Summarise ``values`` (at least one); quartiles use the inclusive method."""
        if not values:
            raise ValueError("cannot summarise an empty list of observations")
        ordered = sorted(values)
        if len(ordered) == 1:
            q1 = q3 = ordered[0]
        else:
            q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
        return cls(
            median=statistics.median(ordered),
            q1=q1,
            q3=q3,
            minimum=ordered[0],
            maximum=ordered[-1],
            count=len(ordered),
        )

    def to_json(self) -> dict[str, float | int]:
        """Return the summary as plain JSON data."""
        return {
            "median": self.median,
            "q1": self.q1,
            "q3": self.q3,
            "min": self.minimum,
            "max": self.maximum,
            "n": self.count,
        }


@dataclass
class Cell:
    """One framework on one case: its measurements, or why there are none."""

    ok: bool
    reason: str | None = None
    metrics: dict[str, Summary] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    ratio_vs_reference: float | None = None

    @classmethod
    def unavailable(cls, reason: str) -> Cell:
        """A cell for a framework that could not be measured, with the reason."""
        return cls(ok=False, reason=reason)

    @classmethod
    def measured(
        cls, samples: dict[str, list[float]], details: dict[str, Any] | None = None
    ) -> Cell:
        """A cell holding raw samples per metric, summarised on construction."""
        return cls(
            ok=True,
            metrics={name: Summary.of(values) for name, values in samples.items()},
            samples={name: list(values) for name, values in samples.items()},
            details=dict(details or {}),
        )

    def to_json(self) -> dict[str, Any]:
        """Return the cell as plain JSON data."""
        if not self.ok:
            return {"status": "unavailable", "reason": self.reason}
        return {
            "status": "ok",
            "metrics": {name: summary.to_json() for name, summary in self.metrics.items()},
            "samples": self.samples,
            "details": self.details,
            "ratio_vs_erlen": self.ratio_vs_reference,
        }


@dataclass
class WorkloadResult:
    """A workload's grid of cells, with what the report needs to present it.

    ``primary`` names the metric that ratios and charts use; ``lower_is_better`` says which
    way it points (time and memory: lower; throughput: higher). Ratios always read the same
    way: a ratio of 3.0 means erlen does three times better than that framework.
    """

    name: str
    title: str
    description: str
    unit: str
    primary: str
    lower_is_better: bool
    frameworks: list[str]
    cases: dict[str, dict[str, Cell]]
    case_descriptions: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: The column ratios are taken against: erlen's, or in the ASGI workload erlen's app
    #: with async views (the like-for-like comparison with Starlette's and Quart's).
    reference: str = REFERENCE
    #: Whether sample ``i`` of every cell was taken in the same round, within a fraction
    #: of a second of the others (the in-process timings, see benchmarks.timing). Ratios
    #: are then the median of the per-round ratios; otherwise the ratio of the medians.
    paired: bool = False

    def _ratio(self, ours: float, theirs: float) -> float | None:
        """How many times better ``ours`` is than ``theirs``, or None without a measure."""
        if ours <= 0 or theirs <= 0:
            return None
        return theirs / ours if self.lower_is_better else ours / theirs

    def _paired_ratio(self, reference: Cell, cell: Cell) -> float | None:
        """The median over rounds of the ratio of ``cell``'s sample to ``reference``'s."""
        rounds = zip(reference.samples[self.primary], cell.samples[self.primary], strict=True)
        ratios = [ratio for ours, theirs in rounds if (ratio := self._ratio(ours, theirs))]
        return statistics.median(ratios) if ratios else None

    def compute_ratios(self) -> None:
        """Fill every measured cell's ratio against the reference cell on the same case."""
        for cells in self.cases.values():
            reference = cells.get(self.reference)
            for cell in cells.values():
                cell.ratio_vs_reference = None
                if reference is None or not reference.ok or not cell.ok:
                    continue
                if self.paired:
                    cell.ratio_vs_reference = self._paired_ratio(reference, cell)
                else:
                    cell.ratio_vs_reference = self._ratio(
                        reference.metrics[self.primary].median, cell.metrics[self.primary].median
                    )

    def to_json(self) -> dict[str, Any]:
        """Return the workload as plain JSON data."""
        return {
            "title": self.title,
            "description": self.description,
            "unit": self.unit,
            "primary_metric": self.primary,
            "lower_is_better": self.lower_is_better,
            "frameworks": self.frameworks,
            "reference": self.reference,
            "paired": self.paired,
            "case_descriptions": self.case_descriptions,
            "notes": self.notes,
            "cases": {
                case: {framework: cell.to_json() for framework, cell in cells.items()}
                for case, cells in self.cases.items()
            },
        }
