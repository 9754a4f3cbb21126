"""Interleaved, timeit-style timing of in-process workloads.

Each thing to time is a :class:`Subject`: a callable that performs an operation ``n`` times
in a tight loop. A subject is first calibrated (like ``timeit``'s autorange) so one sample
lasts about ``target_seconds``; then samples are taken round-robin over all subjects of a
workload, the starting subject rotating each round, so slow drifts of the machine (thermal,
other load) spread over every framework instead of landing on whichever ran last.

Within a round the subjects of one case run back to back, so the frameworks' samples of the
same case and round are taken a fraction of a second apart: sample ``i`` of every subject
belongs to round ``i``, and a ratio between two frameworks can be taken round by round
(:meth:`benchmarks.model.WorkloadResult.compute_ratios`), which cancels slow phases of the
machine that last longer than a round's block of one case.

The garbage collector is disabled while a sample runs and re-enabled right after, for every
subject alike, exactly as ``timeit`` does; collections then happen between samples.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from benchmarks.model import Cell, describe_error

Runner = Callable[[int], None]
"""Performs the timed operation ``n`` times."""

Log = Callable[[str], None]


@dataclass
class Subject:
    """One (case, framework) pair to time.

    ``ops_per_call`` is how many operations one iteration of ``run`` performs (203 for a
    pass over the GitHub route set), so samples can be reported per operation.
    """

    case: str
    framework: str
    run: Runner
    ops_per_call: int = 1
    iterations: int = 0
    per_op_seconds: list[float] = field(default_factory=list)
    failure: str | None = None

    def cell(self) -> Cell:
        """Summarise the samples taken (or the failure) as a report cell."""
        if self.failure is not None:
            return Cell.unavailable(self.failure)
        return Cell.measured(
            {"time": self.per_op_seconds},
            {"iterations_per_sample": self.iterations, "ops_per_iteration": self.ops_per_call},
        )


@dataclass(frozen=True)
class TimingPlan:
    """How many samples to take and how long each should last."""

    samples: int
    target_seconds: float


def timed(run: Runner, iterations: int) -> float:
    """Run ``iterations`` iterations with the collector paused; return elapsed seconds."""
    collector_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        run(iterations)
        return time.perf_counter() - start
    finally:
        if collector_was_enabled:
            gc.enable()


def calibrate(run: Runner, target_seconds: float, limit: int = 10_000_000) -> int:
    """Return the smallest count in 1, 2, 5, 10, 20, 50, ... whose run lasts ``target_seconds``.

    The calibration runs double as warm-up: caches, lazily compiled routes and first-request
    set-up are all done before the first real sample.
    """
    multiplier = 1
    while True:
        for step in (1, 2, 5):
            iterations = step * multiplier
            if iterations >= limit or timed(run, iterations) >= target_seconds:
                return iterations
        multiplier *= 10


def grouped_by_case(subjects: list[Subject]) -> list[Subject]:
    """``subjects`` with those of the same case next to each other.

    Cases keep the order of their first appearance and frameworks their order within a
    case, so the round-robin visits one case's frameworks back to back.
    """
    order: dict[str, int] = {}
    for subject in subjects:
        order.setdefault(subject.case, len(order))
    return sorted(subjects, key=lambda subject: order[subject.case])


def measure(subjects: list[Subject], plan: TimingPlan, log: Log | None = None) -> None:
    """Calibrate then sample every subject, interleaved round-robin; results stay on them.

    Each round takes one sample of every live subject, the subjects of a case back to back
    (see :func:`grouped_by_case`), starting one subject further than the round before.
    A subject that raises is marked failed with the error as its reason and skipped from
    then on; the others carry on, so sample ``i`` of every subject still measured at the
    end was taken in round ``i``.
    """
    subjects = grouped_by_case(subjects)
    for subject in subjects:
        try:
            subject.iterations = calibrate(subject.run, plan.target_seconds)
        except Exception as error:  # a failing framework must not stop the run
            subject.failure = describe_error(error)
    live = [subject for subject in subjects if subject.failure is None]
    for round_index in range(plan.samples):
        if not live:
            break
        start = round_index % len(live)
        for subject in live[start:] + live[:start]:
            if subject.failure is not None:
                continue
            try:
                elapsed = timed(subject.run, subject.iterations)
            except Exception as error:
                subject.failure = describe_error(error)
                continue
            subject.per_op_seconds.append(elapsed / (subject.iterations * subject.ops_per_call))
    if log is not None:
        failed = sum(subject.failure is not None for subject in subjects)
        log(f"  {len(subjects)} subjects x {plan.samples} samples taken ({failed} failed)")
