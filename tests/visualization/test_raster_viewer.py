"""
The raster viewer on the bundled sample: real Agg figures, real key and mouse events.
"""

import numpy as np
import pytest

from irispy_plus.testing.viewer_events import pointer, press
from irispy_plus.utils.exceptions import IrispyPlusError
from irispy_plus.visualization import RasterQuickLookSettings, quick_look
from irispy_plus.visualization import _raster_data as raster_data


def _cube_values(cube, key):
    values = np.asarray(cube.data[key], dtype=np.float32)
    return np.where(values == -200, np.nan, values)


@pytest.fixture
def viewer(sns):
    view = quick_look(sns, settings=RasterQuickLookSettings(), window="Si IV 1403")
    view.canvas.draw()
    return view


def test_start_state_and_panels(viewer, sns):
    cube = sns.cube("Si IV 1403")
    assert (viewer.step, viewer.slit, viewer.wave) == (93, 20, 14)
    np.testing.assert_array_equal(
        viewer.images["xy_map"].get_array(), _cube_values(cube, (slice(None), slice(None), 14)).T
    )
    np.testing.assert_array_equal(viewer.images["slit_spectra"].get_array(), _cube_values(cube, 93))
    np.testing.assert_array_equal(viewer.spectrum_line.get_ydata(), _cube_values(cube, (93, 20)))
    titles = {panel: ax.get_title() for panel, ax in viewer.axes.items()}
    wavelength = cube.spectral_axis[14].to_value("Angstrom")
    assert f"{wavelength:.3f} Å (pixel 14)" in titles["xy_map"]
    assert "(step 93, slit 20)" in titles["spectrum"]
    assert '"' in titles["spectrum"]
    # World axes: the tick labels are arcsec and Å, not pixels.
    assert viewer.axes["slit_spectra"].xaxis.get_label_text() == "Wavelength [Å]"
    labels = [t.get_text() for t in viewer.axes["slit_spectra"].get_xticklabels()]
    assert any(text.startswith("140") for text in labels)


def test_pointer_moves_link_the_panels(viewer, sns):
    cube = sns.cube("Si IV 1403")
    pointer(viewer, "xy_map", 40, 10)
    assert (viewer.step, viewer.slit) == (40, 10)
    np.testing.assert_array_equal(viewer.images["slit_spectra"].get_array(), _cube_values(cube, 40))
    assert viewer.cursors["xy_step"].get_xdata()[0] == 40
    pointer(viewer, "slit_spectra", 5, 30)
    assert (viewer.step, viewer.slit, viewer.wave) == (40, 30, 5)
    np.testing.assert_array_equal(
        viewer.images["xy_map"].get_array(), _cube_values(cube, (slice(None), slice(None), 5)).T
    )
    pointer(viewer, "spectrum", 7, 0)
    assert viewer.wave == 7
    assert "(pixel 7)" in viewer.axes["xy_map"].get_title()


def test_pointer_reads_only_what_is_shown(viewer, monkeypatch):
    shapes = []
    original = raster_data._read

    def counting(cube, item):
        values = original(cube, item)
        shapes.append(values.shape)
        return values

    monkeypatch.setattr(raster_data, "_read", counting)
    pointer(viewer, "xy_map", 10, 5)  # new step: one slit image
    pointer(viewer, "xy_map", 10, 25)  # same step: nothing
    pointer(viewer, "slit_spectra", 3, 25)  # new wavelength: one XY map
    pointer(viewer, "slit_spectra", 3, 12)  # nothing
    assert shapes == [(40, 29), (187, 40)]


def test_keys_move_and_change_window(viewer):
    press(viewer, "right")
    press(viewer, "up")
    assert (viewer.step, viewer.slit) == (94, 21)
    press(viewer, "alt+left")
    press(viewer, "alt+down")
    assert (viewer.step, viewer.slit) == (89, 16)
    press(viewer, "x")
    press(viewer, "Z")
    assert viewer.wave == 10
    press(viewer, "m")
    assert viewer.window.label == "2832"
    press(viewer, "n")
    assert viewer.window.label == "Si IV 1403"
    assert viewer.wave == 10  # remembered per window


def test_zoom_kept_with_capital_n_m(viewer):
    viewer.axes["xy_map"].set_xlim(20, 60)
    viewer.axes["xy_map"].set_ylim(5, 25)
    press(viewer, "M")
    assert viewer.window.label == "2832"
    assert viewer.axes["xy_map"].get_xlim() == (20, 60)
    assert viewer.axes["slit_spectra"].get_ylim() == (5, 25)
    press(viewer, "m")
    assert viewer.axes["xy_map"].get_xlim() == (-0.5, 186.5)


def test_share_zoom_and_reset(viewer):
    viewer.axes["slit_spectra"].set_xlim(4, 12)
    viewer.axes["slit_spectra"].set_ylim(10, 20)
    press(viewer, "v", "slit_spectra")
    assert viewer.axes["xy_map"].get_ylim() == (10, 20)
    assert viewer.axes["spectrum"].get_xlim() == (4, 12)
    press(viewer, "h", "xy_map")
    assert viewer.axes["xy_map"].get_ylim() == (-0.5, 39.5)
    assert viewer.axes["spectrum"].get_xlim() == (4, 12)
    press(viewer, "H")
    assert viewer.axes["spectrum"].get_xlim() == (0, 28)


def test_contrast_keys(viewer):
    low, high = viewer.images["xy_map"].get_clim()
    press(viewer, "u", "xy_map")
    press(viewer, "p", "xy_map")
    step = 0.05 * (high - low)
    new_low, new_high = viewer.images["xy_map"].get_clim()
    assert new_low == pytest.approx(low - step)
    assert new_high == pytest.approx(high + 0.05 * (high + step - low))
    assert viewer.settings.clip["Si IV 1403"]["xy_map"] == [new_low, new_high]
    y_low, y_high = viewer.axes["spectrum"].get_ylim()
    press(viewer, "o", "spectrum")
    assert viewer.axes["spectrum"].get_ylim() == pytest.approx((y_low, y_high - 0.05 * (y_high - y_low)))
    press(viewer, "i", "slit_spectra")
    assert "slit_spectra" in viewer.settings.clip["Si IV 1403"]


def test_aspect_titles_animation_and_drop(viewer):
    assert viewer.settings.aspect == "world"
    press(viewer, "y")
    assert viewer.axes["xy_map"].get_aspect() == "auto"
    press(viewer, "y")
    assert viewer.axes["xy_map"].get_aspect() == 1.0
    press(viewer, "Y")
    assert viewer.axes["slit_spectra"].get_title().startswith("2021-09-05T")
    press(viewer, " ", "spectrum")
    assert viewer.animating == "spectrum"
    press(viewer, "+")
    assert viewer.interval == 100
    viewer.tick()
    viewer.tick()
    assert viewer.wave == 16
    press(viewer, " ")
    assert viewer.animating is None
    press(viewer, " ", "xy_map")
    viewer.tick()
    assert viewer.step == 94
    press(viewer, " ")
    n_windows = len(viewer.windows)
    press(viewer, "d")
    assert len(viewer.windows) == n_windows - 1
    assert "Si IV 1403" not in [window.label for window in viewer.windows]


def test_points_of_interest(viewer, sns):
    pointer(viewer, "xy_map", 50, 12)
    press(viewer, "a")
    pointer(viewer, "xy_map", 60, 30)
    press(viewer, "A")
    assert len(viewer.points) == 1 + len(sns)
    poi = viewer.points[0]
    assert poi.kind == "raster"
    assert poi.pixel == {"step": 50, "slit": 12, "wavelength": 14}
    assert poi.world["Tx"].unit == "arcsec"
    assert poi.world["wavelength"].to_value("Angstrom") == pytest.approx(
        sns.cube("Si IV 1403").spectral_axis[14].value
    )
    assert poi.time.isot == sns.cube("Si IV 1403").time[50].isot
    np.testing.assert_array_equal(poi.spectrum, _cube_values(sns.cube("Si IV 1403"), (50, 12)))
    assert {p.window for p in viewer.points[1:]} == set(sns.keys())
    press(viewer, "m")
    press(viewer, "t")  # go to the first point
    assert viewer.window.label == "Si IV 1403"
    assert (viewer.step, viewer.slit) == (50, 12)
    press(viewer, "e")
    assert len(viewer.points) == len(sns)
    press(viewer, "r")
    assert viewer.poi_index == len(sns) - 1


def test_settings_survive_between_calls(sns):
    first = quick_look(sns, window="O I 1356", step=10, figsize=(10, 4))
    press(first, "up")
    press(first, "u", "xy_map")
    clip = first.images["xy_map"].get_clim()
    press(first, "q")
    second = quick_look(sns)
    assert second.window.label == "O I 1356"
    assert (second.step, second.slit) == (10, 21)
    assert second.images["xy_map"].get_clim() == pytest.approx(clip)
    assert tuple(second.figure.get_size_inches()) == (10, 4)
    second.quit()


def test_raster_series_steps_over_repeats(series):
    viewer = quick_look(series["Si IV 1403"], settings=RasterQuickLookSettings(step=7))
    assert viewer.images["xy_map"].get_array().shape == (109, 8)
    press(viewer, "right")
    assert viewer.step == 8
    assert "repeat 1" in viewer.axes["slit_spectra"].get_title()
    np.testing.assert_array_equal(
        viewer.images["slit_spectra"].get_array(), _cube_values(series["Si IV 1403"].data[1], 0)
    )
    assert viewer.axes["xy_map"].xaxis.get_label_text() == "Helioprojective longitude [arcsec]"


def test_bad_settings(sns):
    with pytest.raises(IrispyPlusError, match="unknown setting 'colour'"):
        quick_look(sns, settings=RasterQuickLookSettings(), colour="red")
    with pytest.raises(IrispyPlusError, match="aspect"):
        quick_look(sns, settings=RasterQuickLookSettings(), aspect="square")
