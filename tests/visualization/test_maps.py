"""
Maps of a raster or a fit: real figures drawn by ``map.plot()`` and by the command line.
"""

import astropy.units as u
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from ndcube import NDCube

from irispy_plus import read_cube
from irispy_plus.cli._common import save_raster_map
from irispy_plus.data import sample
from irispy_plus.fitting import fit_siiv, moments
from irispy_plus.utils.exceptions import IrispyPlusError
from irispy_plus.visualization import plot_map
from irispy_plus.visualization._axes import world_ticks

LON = "Helioprojective longitude (Solar-X) [arcsec]"
LAT = "Helioprojective latitude (Solar-Y) [arcsec]"


@pytest.fixture(scope="module")
def fit():
    return fit_siiv(read_cube(sample.RASTER, "Si IV 1403"), plot=False)


def _world_labels(ax):
    """The x and y axis labels of a WCSAxes, as drawn."""
    ax.figure.canvas.draw()
    return ax.xaxis.get_label_text() or ax.get_xlabel(), ax.yaxis.get_label_text() or ax.get_ylabel()


def _bottom_and_left(ax):
    """The world coordinates whose tick labels are drawn at the bottom and on the left."""
    ax.figure.canvas.draw()
    bottom = [c for c in ax.coords if "b" in c.get_ticklabel_position() and c.get_ticklabel_visible()]
    left = [c for c in ax.coords if "l" in c.get_ticklabel_position() and c.get_ticklabel_visible()]
    return [c.get_axislabel() for c in bottom], [c.get_axislabel() for c in left]


def test_readme_velocity_map_has_solar_x_along_x_and_a_symmetric_colour_bar(fit):
    # The README's own example: fit.doppler_velocity().plot()
    ax = fit.doppler_velocity().plot()
    figure = plt.gcf()
    assert ax.figure is figure
    bottom, left = _bottom_and_left(ax)
    assert bottom == [LON]
    assert left == [LAT]
    # Solar-X really changes along x: the longitude of the first and last column differs
    # by the raster's width (8 steps of about 2"), the latitude hardly.
    wcs = fit.doppler_velocity().wcs.low_level_wcs
    image = ax.irispy_image.get_array()
    assert image.shape == (109, 8)  # slit along y, steps along x
    lon0, lat0 = wcs.pixel_to_world_values(0, 0)
    lon1, lat1 = wcs.pixel_to_world_values(0, 7)
    assert abs(lon1 - lon0) > 10 * abs(lat1 - lat0)
    # A colour bar, a diverging map, limits symmetric about 0 with a tick at exactly "0".
    colorbar = ax.irispy_colorbar
    assert colorbar is not None
    assert colorbar.ax in figure.axes
    assert "Doppler velocity [km / s]" in colorbar.ax.get_ylabel()
    low, high = ax.irispy_image.get_clim()
    assert low == -high
    assert high > 0
    assert ax.irispy_image.get_cmap().name.startswith("RdBu_r")
    labels = [t.get_text() for t in colorbar.ax.get_yticklabels()]
    assert "0" in labels
    assert not any("e-" in label for label in labels)


def test_every_fit_and_moment_map_plots_on_world_axes(fit):
    maps = {
        "intensity": fit.intensity(),
        "width": fit.line_width(fwhm=True, velocity=True),
        "flags": fit.flags_cube,
        "chi2": fit.chi2_cube,
        "nonthermal": fit.nonthermal_velocity(),
        "moment": moments(read_cube(sample.RASTER, "Si IV 1403"))["intensity"],
    }
    for name, cube in maps.items():
        figure = Figure()
        ax = cube.plot(figure=figure)
        bottom, left = _bottom_and_left(ax)
        assert (bottom, left) == ([LON], [LAT]), name
        assert ax.irispy_colorbar is not None, name
        low, high = ax.irispy_image.get_clim()
        assert low < high, name
    # Only velocities are centred on 0.
    low, high = maps["intensity"].plot(figure=Figure()).irispy_image.get_clim()
    assert low != -high


def test_intensity_limits_ignore_fill(fit):
    cube = read_cube(sample.SNS_RASTER, "Si IV 1403")[:, :, 14]
    values = np.asarray(cube.data, dtype=float).copy()
    values[:, :3] = -200.0  # fill along one edge
    ax = plot_map(cube, values=values, figure=Figure())
    low, _ = ax.irispy_image.get_clim()
    assert low > -199


def test_a_raster_image_rolled_by_90_degrees_keeps_solar_x_along_x():
    # A raster image whose slit runs east-west: Solar-X changes along the slit, which
    # must then go along x.
    from astropy.wcs import WCS

    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["HPLN-TAN", "HPLT-TAN"]
    wcs.wcs.cunit = ["arcsec", "arcsec"]
    wcs.wcs.cdelt = [0.33, 2.0]
    wcs.wcs.crval = [100.0, 200.0]
    wcs.wcs.crpix = [1, 1]
    # Pixel axis 0 (numpy's last: the slit) runs along longitude, the steps along latitude:
    # the opposite of an unrolled IRIS raster.
    cube = NDCube(np.random.default_rng(0).normal(size=(6, 40)), wcs=wcs, unit=u.km / u.s)
    ax = plot_map(cube, figure=Figure())
    assert ax.irispy_image.get_array().shape == (6, 40)  # slit (40) along x
    bottom, left = _bottom_and_left(ax)
    assert (bottom, left) == ([LON], [LAT])


def test_a_map_without_celestial_axes_still_gets_a_colour_bar():
    from irispy_plus.fitting._result import pixel_wcs

    cube = NDCube(np.arange(12.0).reshape(3, 4), wcs=pixel_wcs(2))
    ax = plot_map(cube, figure=Figure())
    assert ax.irispy_colorbar is not None
    assert ax.get_xlabel() == "array axis 1 [pixel]"


def test_values_of_the_wrong_shape_are_refused(fit):
    with pytest.raises(IrispyPlusError, match=r"values has shape \(2, 2\); the map has shape \(8, 109\)"):
        plot_map(fit.intensity(), values=np.zeros((2, 2)), figure=Figure())


def test_the_command_line_draws_with_the_same_code(fit, tmp_path):
    # ``irispy-plus summary`` and ``fit`` write their maps through save_raster_map / save_map,
    # which draw with plot_map: the same axes and colour bar as .plot().
    cube = read_cube(sample.RASTER, "Si IV 1403")[:, :, 14]
    path = tmp_path / "map.png"
    figure = save_raster_map(
        cube, np.asarray(cube.data), path, title="t", cmap="gist_heat", limits=(0, 10), label="DN"
    )
    assert path.stat().st_size > 0
    (ax,) = [a for a in figure.axes if hasattr(a, "coords")]
    assert _bottom_and_left(ax) == ([LON], [LAT])
    assert ax.irispy_image.get_clim() == (0, 10)
    assert ax.irispy_colorbar.ax.get_ylabel() == "DN"


def test_world_tick_near_zero_reads_0():
    # World values from interpolation put a tick at 2.4e-15 instead of 0.
    figure = Figure()
    ax = figure.add_subplot()
    n, step, start = 143, 2.8518864520145466, -58.79113904131859
    ax.imshow(np.zeros((3, n)), aspect="auto")
    ax.set_xlim(-0.5, n - 0.5)
    world_ticks(ax.xaxis, start + step * np.arange(n), "x")
    figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert "0" in labels
    assert not any("e-" in label for label in labels)


def test_a_raster_image_plots_as_a_map_and_slit_spectra_as_before():
    raster = read_cube(sample.RASTER, "Si IV 1403")
    ax = raster[:, :, 14].plot(figure=Figure())
    assert _bottom_and_left(ax) == ([LON], [LAT])
    assert ax.irispy_colorbar.ax.get_ylabel() == "intensity [DN_IRIS_FUV]"
    # Masked fill is left blank, not drawn at -200.
    low, _ = ax.irispy_image.get_clim()
    assert low > -199
    # Slit spectra (slit x wavelength) are not a map: ndcube's plotter draws them.
    ax = raster[3].plot()
    assert not hasattr(ax, "irispy_image")


def test_matplotlib_and_ndcube_keywords_are_honoured(fit):
    ax = fit.doppler_velocity().plot(figure=Figure(), vmin=-10, vmax=30, alpha=0.5)
    assert ax.irispy_image.get_clim() == (-10, 30)
    assert ax.irispy_image.get_alpha() == 0.5
    # One limit given: the other keeps its default.
    low, high = fit.doppler_velocity().plot(figure=Figure(), vmax=50).irispy_image.get_clim()
    assert high == 50
    assert low < 0
    # ndcube's own keywords: ndcube's plotter draws it, as asked.
    ax = fit.intensity().plot(plot_axes=["x", "y"])
    assert not hasattr(ax, "irispy_image")
