"""
Three-colour Doppler images and slit-jaw movies, drawn for real.
"""

import astropy.units as u
import matplotlib.pyplot as plt
import numpy as np
import pytest
from astropy.constants import c
from PIL import Image

from irispy_plus import read_cube
from irispy_plus.cli import main
from irispy_plus.data import sample
from irispy_plus.utils.exceptions import IrispyPlusError
from irispy_plus.visualization.movie import write_movie
from irispy_plus.visualization.rgb import band_intensity, doppler_rgb, plot_doppler_rgb

REST = 1402.77 * u.AA


@pytest.fixture(scope="module")
def raster():
    return read_cube(sample.RASTER, "Si IV 1403").load()


def _with_profiles(raster, velocity_by_step):
    """The raster with one Gaussian line per step, shifted by that step's velocity."""
    (wavelength,) = raster.axis_world_coords("em.wl")
    wavelength = wavelength.to_value(u.AA)
    centre = REST.value * (1 + np.asarray(velocity_by_step) / c.to_value(u.km / u.s))
    profile = 100 * np.exp(-0.5 * ((wavelength[None, :] - centre[:, None]) / 0.06) ** 2)
    data = np.broadcast_to(profile[:, None, :], raster.data.shape).astype(np.float32)
    return raster._new_instance(data=data, mask=np.zeros(raster.data.shape, bool))


def test_a_band_counts_the_fraction_of_each_pixel_inside_it(raster):
    flat = raster._new_instance(
        data=np.ones(raster.data.shape, np.float32), mask=np.zeros(raster.data.shape, bool)
    )
    (wavelength,) = raster.axis_world_coords("em.wl")
    pixel_velocity = (np.diff(wavelength.to_value(u.AA)).mean() / REST.value) * c.to_value(u.km / u.s)
    total = band_intensity(flat, REST, (-30, 30) * u.km / u.s)
    np.testing.assert_allclose(total, 60 / pixel_velocity, rtol=1e-3)


def test_red_and_blue_shifts_show_as_colours(raster):
    velocities = np.where(np.arange(raster.data.shape[0]) < 4, -40.0, 40.0)
    rgb = doppler_rgb(_with_profiles(raster, velocities), REST, stretch="linear")
    assert rgb.shape == (*raster.data.shape[:2], 3)
    assert np.all((rgb >= 0) & (rgb <= 1))
    blue_steps, red_steps = rgb[:4], rgb[4:]
    assert np.all(blue_steps[..., 2] > blue_steps[..., 0])
    assert np.all(red_steps[..., 0] > red_steps[..., 2])


def test_masked_pixels_are_black(raster):
    mask = np.zeros(raster.data.shape, bool)
    mask[2, 10] = True
    masked = raster._new_instance(mask=mask)
    assert np.all(doppler_rgb(masked, REST)[2, 10] == 0)


def test_the_figure_has_world_axes(raster):
    axes = plot_doppler_rgb(raster, REST)
    try:
        assert axes.coords[0].get_axislabel() == "Helioprojective longitude (Solar-X)"
        image = axes.get_images()[0].get_array()
        assert image.shape == (raster.data.shape[1], raster.data.shape[0], 3)  # Solar-X along x
        assert "blue" in axes.get_title()
    finally:
        plt.close(axes.figure)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"bands": [(-10, 10), (20, 60)] * u.km / u.s}, "three"),
        ({"stretch": "log"}, "stretch"),
        ({"bands": [(-5000, -4000), (-10, 10), (20, 60)] * u.km / u.s}, "outside the window"),
        ({"bands": [(-20, -60), (-10, 10), (20, 60)] * u.km / u.s}, "low to high"),
    ],
)
def test_bad_bands_are_named(raster, kwargs, match):
    with pytest.raises(IrispyPlusError, match=match):
        doppler_rgb(raster, REST, **kwargs)


def test_a_slit_jaw_has_no_doppler_image():
    with pytest.raises(IrispyPlusError, match="wavelength"):
        doppler_rgb(read_cube(sample.SJI_1400), REST)


def test_a_gif_movie_has_every_frame(tmp_path):
    sji = read_cube(sample.SJI_1400)
    written = write_movie(sji, tmp_path / "sji.gif", progress=False)
    assert written == tmp_path / "sji.gif"
    with Image.open(written) as movie:
        assert movie.n_frames == sji.data.shape[0]
        first = np.asarray(movie.convert("RGB"))
        movie.seek(1)
        second = np.asarray(movie.convert("RGB"))
    assert first.std() > 10  # an image, not a blank frame
    assert not np.array_equal(first, second)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["sji.gif"]  # no partial file left


def test_an_unknown_movie_format_is_refused(tmp_path):
    with pytest.raises(IrispyPlusError, match=r"\.mp4.*\.gif"):
        write_movie(read_cube(sample.SJI_1400), tmp_path / "sji.avi", progress=False)
    assert not list(tmp_path.iterdir())


def test_a_missing_ffmpeg_is_reported(tmp_path):
    sji = read_cube(sample.SJI_1400)
    with (
        plt.rc_context({"animation.ffmpeg_path": str(tmp_path / "no-ffmpeg-here")}),
        pytest.raises(IrispyPlusError, match="ffmpeg"),
    ):
        write_movie(sji, tmp_path / "sji.mp4", progress=False)


def test_the_movie_command(tmp_path, capsys):
    out = tmp_path / "movie.gif"
    assert main(["movie", str(sample.SJI_2832), "--out", str(out)]) == 0
    assert out.stat().st_size > 1000
    assert "Wrote" in capsys.readouterr().out
    assert main(["movie", str(sample.SNS_RASTER), "--out", str(tmp_path / "raster.gif")]) == 1
    assert "not a slit-jaw file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main(["movie", str(sample.SJI_2832), "--out", str(out), "--fps", "0"])
    assert stop.value.code == 2
