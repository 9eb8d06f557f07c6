"""IDL's SPLINE under tension, against IDL's own output."""

from pathlib import Path

import numpy as np
import pytest
from astropy.table import Table

from irispy_plus.diagnostics import tension_spline
from irispy_plus.diagnostics._spline import tension_spline_matrix

REFERENCE = Path(__file__).parents[1] / "data" / "mg_features" / "idl_spline_reference.ecsv"


@pytest.mark.parametrize(
    ("tension", "column", "tolerance"), [(0, "tension_0", 1e-8), (1, "tension_1", 1e-12)]
)
def test_matches_idl_spline(tension, column, tolerance):
    table = Table.read(REFERENCE)
    x = np.arange(-2.5, 2.5001, 0.25)
    y = np.exp(-(x**2)) + 0.1 * x
    result = tension_spline(x, y, table["t"], tension)
    np.testing.assert_allclose(result, table[column], rtol=0, atol=tolerance)


def test_is_one_matrix_for_many_profiles_and_interpolates_nodes():
    rng = np.random.default_rng(1)
    x = np.sort(rng.uniform(0, 10, 12))
    y = rng.normal(size=(5, 12))
    weights = tension_spline_matrix(x, x, 2.0)
    np.testing.assert_allclose(weights, np.eye(12), atol=1e-10)
    t = np.linspace(0, 10, 33)
    stacked = tension_spline(x, y, t, 0.5)
    one_by_one = np.array([tension_spline(x, row, t, 0.5) for row in y])
    np.testing.assert_allclose(stacked, one_by_one, rtol=1e-12)


def test_low_tension_is_the_cubic_spline_with_parabolic_end_slopes():
    from scipy.interpolate import CubicSpline

    x = np.linspace(0, 4, 9)
    y = np.sin(x)
    s0 = np.polyfit(x[:3], y[:3], 2)
    s1 = np.polyfit(x[-3:], y[-3:], 2)
    slopes = (np.polyval(np.polyder(s0), x[0]), np.polyval(np.polyder(s1), x[-1]))
    cubic = CubicSpline(x, y, bc_type=((1, slopes[0]), (1, slopes[1])))
    t = np.linspace(0, 4, 101)
    np.testing.assert_allclose(tension_spline(x, y, t, 0), cubic(t), atol=1e-6)


@pytest.mark.parametrize("x", [[0.0, 1.0], [0.0, 2.0, 1.0, 3.0], [0.0, 1.0, 1.0, 2.0]])
def test_refuses_too_few_or_unordered_abscissae(x):
    with pytest.raises(ValueError, match="strictly increasing"):
        tension_spline_matrix(x, [0.5])
