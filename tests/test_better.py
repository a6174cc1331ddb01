"""bench/better.py (chapter 7's benchmark): the time to 98.5% is measured on the validation
set, the test set is evaluated once per run, and every comparison has three or more seeds."""
import json
from pathlib import Path

import numpy as np
import pytest

from bench import better

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "nnlib" / "data" / "results" / "better.json"


@pytest.fixture(scope="module")
def stored():
    return json.loads(RESULTS.read_text())


def test_time_to_target_is_the_first_epoch_at_or_above_the_target():
    validation = [0.970, 0.984, 0.985, 0.983, 0.990]
    elapsed = [4.0, 8.5, 13.0, 17.5, 22.0]
    assert better.time_to_target(validation, elapsed, 0.985) == 13.0   # >=, the first one
    assert better.time_to_target(validation, elapsed, 0.986) == 22.0   # not the dip at 4
    assert better.time_to_target(validation, elapsed, 0.95) == 4.0
    assert better.time_to_target(validation, elapsed, 0.995) is None
    assert better.time_to_target([], [], 0.5) is None


def test_time_to_target_refuses_lists_of_different_lengths():
    with pytest.raises(ValueError, match="one entry per epoch"):
        better.time_to_target([0.9, 0.99], [1.0], 0.985)


def test_stored_times_are_measured_on_validation_and_the_test_set_is_used_once(stored):
    for run in stored["final"]:
        assert set(run) == {"elapsed", "validation_accuracy", "seed", "test_accuracy",
                            "time_to_target"}, "a final run records no per-epoch test curve"
        assert run["time_to_target"] == better.time_to_target(
            run["validation_accuracy"], run["elapsed"], better.TARGET)
        assert 0.98 < run["test_accuracy"] < 1.0
    stretch = stored["stretch"]
    assert "watched" not in stretch["record"]
    assert stretch["time_to_target"] == better.time_to_target(
        stretch["record"]["validation_accuracy"], stretch["record"]["elapsed"], better.STRETCH)


def test_every_stored_comparison_has_at_least_three_seeds(stored):
    for name, candidate in stored["candidates"].items():
        assert len(candidate["seeds"]) >= 3 and len(candidate["validation"]) >= 3, name
        assert candidate["mean"] == pytest.approx(np.mean(candidate["validation"]))
    assert len({run["seed"] for run in stored["final"]}) >= 3
    assert stored["chosen"] == max(stored["candidates"],
                                   key=lambda k: stored["candidates"][k]["mean"])


def test_each_part_stores_its_own_machine_line(monkeypatch, tmp_path):
    """A part run alone (--only stretch) records its machine without relabelling the others."""
    results_file = tmp_path / "better.json"
    results_file.write_text(json.dumps({"machines": {"select": "old box", "final": "old box"}}))
    monkeypatch.setattr(better, "RESULTS", results_file)
    monkeypatch.setattr(better, "data", lambda: None)
    monkeypatch.setattr(better, "machine", lambda: "new box")
    seen = {}
    monkeypatch.setattr(better, "stretch",
                        lambda d, results: seen.update(results["machines"]))
    better.main(["--only", "stretch"])
    assert seen == {"select": "old box", "final": "old box", "stretch": "new box"}
