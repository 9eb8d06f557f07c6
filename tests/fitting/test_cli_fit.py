"""
``irispy-plus fit`` says so when nothing converged, and draws its maps with the shared code.
"""

import numpy as np
from astropy.io import fits

from irispy_plus.cli import main
from irispy_plus.data import sample


def _flat_raster(tmp_path):
    """The sample raster with a flat C II window (no line to fit: every fit fails)."""
    path = tmp_path / "iris_l2_20140329_140938_3860258481_raster_t000_r00000.fits"
    with fits.open(sample.RASTER) as hdus:
        hdus[1].data = np.full_like(hdus[1].data, 3.0)
        hdus.writeto(path)
    return path


def test_fit_with_nothing_converged_exits_1_and_writes_nothing(tmp_path, capsys):
    path = _flat_raster(tmp_path)
    out = tmp_path / "out"
    status = main(["fit", str(path), "--window", "C II 1336", "--rest", "1335.708", "--out", str(out)])
    assert status == 1
    captured = capsys.readouterr()
    assert "0 converged" in captured.out
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("irispy-plus fit: error: no spectrum of C II 1336 converged (872 no signal)")
    assert "nothing was saved or drawn" in line
    assert not out.exists() or not list(out.iterdir())


def test_fit_of_a_binned_window_takes_enough_points(tmp_path, capsys):
    # The sample's C II window is binned (0.26 Å pixels): the default ±0.5 Å would hold 4
    # points for 4 parameters; the command widens it to ±3 pixels.
    status = main(["fit", "--window", "C II 1336", "--rest", "1335.708", "--out", str(tmp_path), "--no-save"])
    assert status == 0
    out = capsys.readouterr().out
    converged = int(out.split(" converged")[0].rsplit(" ", 1)[1])
    assert converged > 800
    # An explicit range too narrow for the model is refused with the reason.
    narrow = ["--wl-range", "1335.4", "1336.0", "--out", str(tmp_path / "narrow")]
    status = main(["fit", "--window", "C II 1336", "--rest", "1335.708", *narrow])
    assert status == 1
    err = capsys.readouterr().err
    assert "at least 5 points are needed" in err
    assert not (tmp_path / "narrow").exists()


def test_fit_maps_are_drawn_by_the_shared_map_figure(tmp_path, capsys):
    import matplotlib.image as mpimg

    assert main(["fit", "--out", str(tmp_path), "--no-save"]) == 0
    capsys.readouterr()
    image = mpimg.imread(tmp_path / "velocity_Si_IV_1403.png")
    # save_map's figure: 7 x 6 inches at 100 dpi.
    assert image.shape[:2] == (600, 700)
