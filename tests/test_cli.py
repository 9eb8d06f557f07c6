"""
The irispy-plus command, run in-process on the bundled sample.
"""

import numpy as np
import pytest
from matplotlib.image import imread

from irispy_plus.cli import main
from irispy_plus.data import sample


def test_summary_writes_figures_with_world_axes(tmp_path, capsys):
    assert main(["summary", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "OBSID 3620258102" in out
    spectroheliogram = tmp_path / "spectroheliogram_Si_IV_1403.png"
    slit_jaw = tmp_path / "slitjaw_SJI_1400.png"
    assert str(spectroheliogram.resolve()) in out
    assert str(slit_jaw.resolve()) in out
    for path in (spectroheliogram, slit_jaw):
        image = imread(path)
        assert image.shape[0] > 300
        assert image.shape[1] > 300
        assert np.ptp(image[..., :3]) > 0.5  # not a blank figure


def test_summary_of_a_raster_series(tmp_path, capsys):
    files = [str(path) for path in sample.RASTER_SERIES]
    assert main(["summary", *files, "--out", str(tmp_path), "--window", "Mg II k 2796"]) == 0
    assert (tmp_path / "spectroheliogram_Mg_II_k_2796.png").exists()


def test_summary_names_a_missing_window(tmp_path, capsys):
    assert main(["summary", str(sample.RASTER), "--out", str(tmp_path), "--window", "Ca II"]) == 1
    assert "No window 'Ca II'" in capsys.readouterr().err


def test_info_prints_windows_header_and_aux(capsys):
    assert main(["info", str(sample.RASTER), "--header", "-2", "--aux"]) == 0
    out = capsys.readouterr().out
    assert "Si IV 1403" in out
    assert "XCENIX" in out
    assert "OBS_VRIX" in out


def test_info_of_a_file_that_is_not_iris(tmp_path, capsys):
    path = tmp_path / "x.fits"
    path.write_bytes(b"not fits")
    assert main(["info", str(path)]) == 1
    assert "could not be read as a FITS file" in capsys.readouterr().err


def test_unknown_command_exits_with_usage():
    with pytest.raises(SystemExit):
        main(["frobnicate"])


def test_fit_saves_the_result_and_draws_its_maps(tmp_path, capsys):
    from irispy_plus.asdf import load
    from irispy_plus.fitting import FitResult

    assert main(["fit", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Si IV 1403: fitted 872 spectra" in out
    assert "Doppler velocity: median" in out
    (saved,) = tmp_path.glob("fit_Si_IV_1403_*.asdf")
    result = load(saved)
    assert isinstance(result, FitResult)
    assert result.shape == (8, 109)
    for name in ("intensity_Si_IV_1403.png", "velocity_Si_IV_1403.png"):
        image = imread(tmp_path / name)
        assert np.ptp(image[..., :3]) > 0.5  # not a blank figure


def test_fit_mg_ii_and_any_line(tmp_path, capsys):
    assert (
        main(["fit", "--window", "Mg II k 2796", "--components", "4", "--out", str(tmp_path), "--no-save"])
        == 0
    )
    assert "Mg II k 2796: fitted 872 spectra" in capsys.readouterr().out
    assert not list(tmp_path.glob("*.asdf"))
    # A window without a preset needs the line's rest wavelength.
    assert main(["fit", "--window", "C II 1336", "--out", str(tmp_path)]) == 1
    assert "--rest" in capsys.readouterr().err
    assert main(["fit", "--window", "C II 1336", "--rest", "1500", "--out", str(tmp_path)]) == 1
    assert "--rest 1500.0 Å is outside the C II 1336 window" in capsys.readouterr().err
    assert main(["fit", "--window", "C II 1336", "--rest", "1335.708", "--out", str(tmp_path)]) == 0
    assert "C II 1336: fitted 872 spectra" in capsys.readouterr().out


def test_fit_refuses_a_model_the_line_does_not_take(tmp_path, capsys):
    assert main(["fit", "--components", "4", "--out", str(tmp_path)]) == 1
    assert "Si IV is fitted with 1, 2 or 3 Gaussians" in capsys.readouterr().err
    assert main(["fit", str(sample.SJI_1400), "--out", str(tmp_path)]) == 1
    assert "slit-jaw images only" in capsys.readouterr().err


def test_fit_corrects_for_the_observer_on_request(tmp_path, capsys):
    medians = []
    for extra in ([], ["--observer"]):
        assert main(["fit", "--no-save", "--out", str(tmp_path), *extra]) == 0
        line = next(x for x in capsys.readouterr().out.splitlines() if "Doppler velocity: median" in x)
        medians.append(float(line.split("median")[1].split("km/s")[0]))
    # The sample's OBS_VRIX is about +1.2 km/s: the corrected velocities are that much lower.
    assert medians[1] - medians[0] == pytest.approx(-1.15, abs=0.3)
