"""
The one seam from the cubes to the viewers: ``cube.viewer``.
"""

import sys

import pytest

from irispy_plus import read_cube, read_files
from irispy_plus._viewers import ViewerDescriptor, Viewers
from irispy_plus.cubes import IRISRasterSequence, IRISSJICube, IRISSpectrogramCube, RasterCollection
from irispy_plus.data import sample
from irispy_plus.utils.exceptions import IrispyPlusError


def test_every_showable_class_has_the_seam():
    for cls in (IRISSpectrogramCube, IRISRasterSequence, RasterCollection, IRISSJICube):
        assert isinstance(cls.__dict__["viewer"], ViewerDescriptor)
    assert isinstance(read_cube(sample.SJI_1400).viewer, Viewers)


def test_quick_look_goes_through_the_seam():
    rasters = read_files(sample.RASTER, as_observation=True)
    viewer = rasters.quick_look(window="Si IV 1403")
    assert viewer.window.label == "Si IV 1403"
    viewer.quit()


def test_the_raster_viewer_shows_the_raster_windows_of_an_observation():
    from irispy_plus.visualization import quick_look

    obs = read_files(sample.SNS_DIR, windows=["Si IV 1403", "C II 1336"], as_observation=True)
    viewer = quick_look(obs)
    assert [window.label for window in viewer.windows] == ["Si IV 1403", "C II 1336"]
    viewer.quit()


def test_only_a_slit_jaw_series_plays_as_a_movie():
    with pytest.raises(IrispyPlusError, match=r"plays a slit-jaw series.*IRISSpectrogramCube"):
        read_cube(sample.RASTER, "Si IV 1403").viewer.movie()
    with pytest.raises(IrispyPlusError, match="No viewers for 'spectra'"):
        ViewerDescriptor("spectra")


def test_a_missing_plotting_package_is_named(monkeypatch):
    # As if matplotlib were not installed.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    cube = read_cube(sample.RASTER, "Si IV 1403")
    with pytest.raises(
        IrispyPlusError, match=r"matplotlib is needed.*pip install 'irispy-plus\[visualization\]'"
    ):
        cube.quick_look()
    monkeypatch.setitem(sys.modules, "pyqtgraph", None)
    with pytest.raises(IrispyPlusError, match=r"pyqtgraph is needed.*pip install 'irispy-plus\[qt\]'"):
        read_cube(sample.SJI_1400).movie()
