"""
The tutorial's call form of ``iris_vnt``: ``verbose=True`` prints what was used.
"""

import numpy as np
import pytest

from irispy_plus.physics import iris_vnt, thermal_fwhm


def test_verbose_prints_the_widths_used(capsys):
    quiet = iris_vnt("Si", "iv", 1402.77, 0.1, inst_wid=0.0286)
    assert capsys.readouterr().out == ""
    # ITN 45: v_nt = iris_vnt('Si', 'iv', 1402.77, obs_fwhm, inst_wid=0.0286, verbose=True)
    loud = iris_vnt("Si", "iv", 1402.77, 0.1, inst_wid=0.0286, verbose=True)
    assert loud == quiet
    out = capsys.readouterr().out
    assert "Si IV 1402.77 Å" in out
    assert "log T = 4.90" in out
    assert "instrumental FWHM 0.0286 Å" in out
    assert f"thermal FWHM {thermal_fwhm('Si', 'iv', 1402.77).value:.4f} Å" in out
    assert "observed FWHM 0.1000 Å" in out


def test_verbose_with_a_map_of_widths(capsys):
    fwhm = np.array([[0.1, 0.12], [np.nan, 0.08]])
    v_nt = iris_vnt("Si", "iv", 1402.77, fwhm, inst_wid=0.0286, verbose=True)
    assert v_nt.shape == (2, 2)
    assert "observed FWHM median 0.1000 Å" in capsys.readouterr().out


def test_unknown_keyword_is_not_silently_ignored():
    with pytest.raises(TypeError, match="verbos"):
        iris_vnt("Si", "iv", 1402.77, 0.1, inst_wid=0.0286, verbos=True)
