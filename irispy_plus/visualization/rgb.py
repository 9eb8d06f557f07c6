"""
Three-colour Doppler images of a spectral line: blue wing, core and red wing as RGB.
"""

import astropy.units as u
import numpy as np
from astropy.constants import c
from astropy.visualization import AsinhStretch, LinearStretch, PercentileInterval

from irispy_plus.utils._masks import masked_values
from irispy_plus.utils.exceptions import IrispyPlusError

__all__ = ["DEFAULT_BANDS", "band_intensity", "doppler_rgb", "plot_doppler_rgb"]

#: Blue wing, core and red wing, km/s from the rest wavelength.
DEFAULT_BANDS = ((-60.0, -20.0), (-10.0, 10.0), (20.0, 60.0)) * u.km / u.s


def _wavelengths(cube):
    """The wavelength of each pixel along the cube's last axis, Å."""
    try:
        (wavelength,) = cube.axis_world_coords("em.wl")
    except (ValueError, KeyError) as error:
        msg = (
            "The cube has no wavelength axis: a Doppler image needs a spectral window "
            "(exposure, slit, wavelength)."
        )
        raise IrispyPlusError(msg) from error
    wavelength = u.Quantity(wavelength).to_value(u.AA)
    return np.asarray(wavelength).reshape(-1)


def band_intensity(cube, rest_wavelength, band):
    """
    The intensity summed over a velocity band of a line, for every spatial pixel.

    Each wavelength pixel counts by the fraction of its width (in velocity) inside the
    band, so bands need not fall on pixel edges. Masked pixels count as absent; a pixel
    with no valid data in the band is NaN.

    Parameters
    ----------
    cube : irispy_plus.cubes.IRISSpectrogramCube
        One spectral window (exposure or step, slit, wavelength).
    rest_wavelength : astropy.units.Quantity
        The line's rest wavelength.
    band : astropy.units.Quantity
        ``(v_low, v_high)``, velocities from the rest wavelength.

    Returns
    -------
    numpy.ndarray
        Shape of the cube without its wavelength axis, in the cube's unit times pixels.
    """
    wavelength = _wavelengths(cube)
    rest = u.Quantity(rest_wavelength, u.AA).to_value(u.AA)
    velocity = (wavelength - rest) / rest * c.to_value(u.km / u.s)
    half = np.abs(np.gradient(velocity)) / 2
    low, high = u.Quantity(band, u.km / u.s).to_value(u.km / u.s)
    if not low < high:
        msg = f"A velocity band must go from low to high; got {band}."
        raise IrispyPlusError(msg)
    overlap = np.clip(np.minimum(velocity + half, high) - np.maximum(velocity - half, low), 0, None)
    weight = overlap / (2 * half)
    if not weight.any():
        msg = (
            f"The band {band} around {rest_wavelength} lies outside the window "
            f"({wavelength.min():.2f} to {wavelength.max():.2f} Å)."
        )
        raise IrispyPlusError(msg)
    data = masked_values(cube)
    used = weight > 0
    values = data[..., used]
    total = np.nansum(values * weight[used], axis=-1)
    total[np.all(np.isnan(values), axis=-1)] = np.nan
    return total


def doppler_rgb(cube, rest_wavelength, *, bands=DEFAULT_BANDS, stretch="asinh", percentile=99.5):
    """
    A three-colour image of a line: blue-wing, core and red-wing intensities as RGB.

    The two wings share one scale, so a red or blue tint means more emission on that
    side of the line (an up- or down-flow); the core has its own.

    Parameters
    ----------
    cube : irispy_plus.cubes.IRISSpectrogramCube
        One spectral window (exposure or step, slit, wavelength).
    rest_wavelength : astropy.units.Quantity
        The line's rest wavelength (say ``1402.77 * u.AA`` for Si IV).
    bands : astropy.units.Quantity
        Shape (3, 2): the blue, core and red velocity bands, km/s.
    stretch : {"asinh", "linear"}
        How intensities map to colour levels.
    percentile : float
        The percentile of each scale's values that maps to full colour.

    Returns
    -------
    numpy.ndarray
        Shape (..., 3) with values in [0, 1]: the cube's spatial shape and RGB. NaN
        pixels are black.

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.visualization.rgb import doppler_rgb
    >>> cube = read_cube(sample.RASTER, "Si IV 1403")
    >>> doppler_rgb(cube, 1402.77 * u.AA).shape
    (8, 109, 3)
    """
    stretches = {"asinh": AsinhStretch(0.3), "linear": LinearStretch()}
    if stretch not in stretches:
        msg = f"stretch={stretch!r} is not one of {sorted(stretches)}."
        raise IrispyPlusError(msg)
    bands = u.Quantity(bands, u.km / u.s)
    if bands.shape != (3, 2):
        msg = f"bands must be three (low, high) velocity pairs (blue, core, red); got shape {bands.shape}."
        raise IrispyPlusError(msg)
    blue, core, red = (band_intensity(cube, rest_wavelength, band) for band in bands)
    interval = PercentileInterval(percentile)
    wings = np.concatenate([blue[np.isfinite(blue)], red[np.isfinite(red)]])
    if wings.size == 0:
        msg = "The cube has no valid data in the wing bands."
        raise IrispyPlusError(msg)
    wing_low, wing_high = interval.get_limits(wings)
    core_low, core_high = interval.get_limits(core[np.isfinite(core)])

    def scaled(values, low, high):
        normal = np.clip((values - low) / ((high - low) or 1.0), 0, 1)
        return np.nan_to_num(stretches[stretch](normal), nan=0.0)

    return np.stack(
        [
            scaled(red, wing_low, wing_high),
            scaled(core, core_low, core_high),
            scaled(blue, wing_low, wing_high),
        ],
        axis=-1,
    )


def plot_doppler_rgb(cube, rest_wavelength, *, axes=None, **kwargs):
    """
    Draw `doppler_rgb` on world axes, Solar-X along x.

    Parameters
    ----------
    cube : irispy_plus.cubes.IRISSpectrogramCube
        One spectral window of a raster.
    rest_wavelength : astropy.units.Quantity
        The line's rest wavelength.
    axes : astropy.visualization.wcsaxes.WCSAxes, optional
        Axes made with ``projection=cube[..., 0].wcs, slices=("y", "x")``; a new figure
        by default.
    **kwargs
        Passed to `doppler_rgb`.

    Returns
    -------
    astropy.visualization.wcsaxes.WCSAxes

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.visualization.rgb import plot_doppler_rgb
    >>> cube = read_cube(sample.RASTER, "Si IV 1403")
    >>> axes = plot_doppler_rgb(cube, 1402.77 * u.AA)
    >>> axes.coords[0].get_axislabel()
    'Helioprojective longitude (Solar-X)'
    """
    import matplotlib.pyplot as plt

    rgb = doppler_rgb(cube, rest_wavelength, **kwargs)
    if rgb.ndim != 3:
        msg = (
            "plot_doppler_rgb needs a (step, slit, wavelength) cube; this gives an image of "
            f"shape {rgb.shape[:-1]}."
        )
        raise IrispyPlusError(msg)
    if axes is None:
        figure = plt.figure(figsize=(6, 6))
        axes = figure.add_subplot(projection=cube[..., 0].wcs, slices=("y", "x"))
    axes.imshow(np.transpose(rgb, (1, 0, 2)), origin="lower", aspect="auto")
    axes.coords[0].set_axislabel("Helioprojective longitude (Solar-X)")
    axes.coords[1].set_axislabel("Helioprojective latitude (Solar-Y)")
    bands = u.Quantity(kwargs.get("bands", DEFAULT_BANDS), u.km / u.s).value
    axes.set_title(
        f"{u.Quantity(rest_wavelength, u.AA):.2f}: blue {bands[0][0]:g}..{bands[0][1]:g}, "
        f"core {bands[1][0]:g}..{bands[1][1]:g}, red {bands[2][0]:g}..{bands[2][1]:g} km/s"
    )
    return axes
