"""
The gallery's examples run: each ``examples/**/plot_*.py`` script, as the docs build runs it.

CI runs pytest, not the docs build, so this is where a change that breaks an example is
caught. Each script runs in a temporary working folder with matplotlib's Agg backend and
Qt offscreen; its figures are closed after it.
"""

import runpy
from pathlib import Path

import matplotlib as mpl
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = sorted(EXAMPLES.glob("**/plot_*.py"))


def test_examples_found():
    assert len(SCRIPTS) >= 16, f"no gallery scripts found under {EXAMPLES}"
    for folder in {script.parent for script in SCRIPTS} | {EXAMPLES}:
        assert (folder / "README.rst").is_file(), f"{folder} has no README.rst for sphinx-gallery"


@pytest.mark.parametrize("script", SCRIPTS, ids=[str(s.relative_to(EXAMPLES)) for s in SCRIPTS])
def test_example_runs(script, tmp_path, monkeypatch):
    mpl.use("agg")
    import matplotlib.pyplot as plt

    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.chdir(tmp_path)
    try:
        runpy.run_path(str(script), run_name="__main__")
    finally:
        plt.close("all")
    assert not list(tmp_path.iterdir()), f"{script.name} left files in its working folder"
