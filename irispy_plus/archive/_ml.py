"""
Turn cubes into arrays for machine learning: spectra on a common grid, and fixed-size
crops of slit-jaw frames and spectrogram patches with their coordinates.
"""

from dataclasses import dataclass, field

import astropy.units as u
import numpy as np
from astropy.constants import c as speed_of_light

from irispy_plus.utils.exceptions import IrispyPlusError

__all__ = ["Crops", "sample_crops", "spectra_on_grid"]


def _cubes_of(cube):
    """The spectrogram cubes of a cube or raster sequence."""
    return (
        list(cube.data)
        if not hasattr(cube, "wcs") and isinstance(getattr(cube, "data", None), list)
        else [cube]
    )


def _read(cube, item=Ellipsis):
    reader = getattr(cube, "read_data", None)
    if reader is not None:
        return reader(item)
    data = np.asarray(cube.data[item], dtype=np.float32)
    mask = np.zeros(data.shape, bool) if cube.mask is None else np.asarray(cube.mask[item], bool)
    return data, mask


@u.quantity_input(grid=["length", "speed"])
def spectra_on_grid(cube, grid: u.Quantity, *, rest_wavelength: u.Quantity | None = None):
    """
    Every spectrum of a raster window, linearly interpolated onto a common wavelength or
    velocity grid.

    A grid point takes the two pixels around it; it is masked when either of those that
    it uses is masked (fill, saturation), not finite, or when the point lies outside the
    window. Spectra of different observations on one grid line up for training.

    Parameters
    ----------
    cube : IRISSpectrogramCube or IRISRasterSequence
        The window (read lazily; its values are read from the file here).
    grid : astropy.units.Quantity
        Wavelengths (any length unit), or Doppler velocities (speed) about
        ``rest_wavelength``: ``lambda = rest * (1 + v / c)``.
    rest_wavelength : astropy.units.Quantity, optional
        The line's rest wavelength, needed for a velocity grid.

    Returns
    -------
    numpy.ma.MaskedArray
        float32, shape ``(*cube.shape[:-1], len(grid))``; for a sequence, the repeats
        are stacked first: ``(n_repeats, *shape[:-1], len(grid))``. Masked values are
        NaN underneath.

    Raises
    ------
    IrispyPlusError
        For a velocity grid without ``rest_wavelength``.

    Examples
    --------
    >>> import astropy.units as u
    >>> import numpy as np
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.archive import spectra_on_grid
    >>> from irispy_plus.data import sample
    >>> cube = read_cube(sample.RASTER, "Si IV 1403")
    >>> grid = np.linspace(-100, 100, 41) * u.km / u.s
    >>> spectra = spectra_on_grid(cube, grid, rest_wavelength=1402.77 * u.AA)
    >>> spectra.shape
    (8, 109, 41)
    """
    grid = np.atleast_1d(grid)
    if grid.unit.physical_type == "speed":
        if rest_wavelength is None:
            msg = "A velocity grid needs rest_wavelength= (the line's rest wavelength, e.g. 1402.77 * u.AA)."
            raise IrispyPlusError(msg)
        wavelength = (rest_wavelength.to(u.AA) * (1 + grid / speed_of_light)).to_value(u.AA)
    else:
        wavelength = grid.to_value(u.AA)
    stacked = [_on_grid(one, wavelength) for one in _cubes_of(cube)]
    if len(stacked) == 1:
        return stacked[0]
    return np.ma.stack(stacked)


def _on_grid(cube, wavelength):
    x = np.asarray(u.Quantity(cube.spectral_axis, u.AA).value, dtype=float)
    order = np.argsort(x)
    x = x[order]
    data, mask = _read(cube)
    data, mask = data[..., order], mask[..., order]
    outside = (wavelength < x[0]) | (wavelength > x[-1]) | ~np.isfinite(wavelength)
    position = np.interp(np.where(outside, x[0], wavelength), x, np.arange(len(x), dtype=float))
    low = np.clip(np.floor(position).astype(int), 0, len(x) - 2)
    weight = (position - low).astype(np.float32)
    left, right = data[..., low], data[..., low + 1]
    values = left * (1 - weight) + right * weight
    bad = (mask[..., low] & (weight < 1)) | (mask[..., low + 1] & (weight > 0))
    bad |= ~np.isfinite(values) | outside
    values[bad] = np.nan
    return np.ma.MaskedArray(values.astype(np.float32, copy=False), mask=bad)


@dataclass
class Crops:
    """
    Fixed-size crops of cubes, with their coordinates.

    Attributes
    ----------
    data : numpy.ndarray
        float32 values, ``(n, *size)``, in ``unit``.
    mask : numpy.ndarray
        True at fill and saturated pixels.
    origin : numpy.ndarray
        int, ``(n, 3)``: the cube array index of each crop's first pixel (frame or
        raster step, then the two cropped axes), so each crop can be read again.
    coords : dict
        World coordinates: ``"tx"``, ``"ty"`` (helioprojective, arcsec) per pixel of a
        slit-jaw crop, or per slit pixel of a spectrogram patch, ``"wavelength"`` (Å, per
        column of a patch), and ``"time"`` (an astropy Time per crop).
    unit : astropy.units.Unit
        The unit of ``data``.
    kind : str
        ``"sji"`` or ``"spectrogram"``.
    sources : list of str
        Which observation (or file) each crop comes from.

    Examples
    --------
    `sample_crops` and `CropLoader` make them; 16 x 16 pixel crops of the sample
    slit-jaw series:

    >>> from irispy_plus import read_cube
    >>> from irispy_plus.archive import sample_crops
    >>> from irispy_plus.data import sample
    >>> crops = sample_crops(read_cube(sample.SJI_1400), 16, n=3, seed=0, source="sample")
    >>> len(crops), crops.kind, crops.data.shape, crops.data.dtype.name
    (3, 'sji', (3, 16, 16), 'float32')
    >>> crops.origin.shape, sorted(crops.coords), crops.coords["tx"].shape
    ((3, 3), ['time', 'tx', 'ty'], (3, 16, 16))
    >>> crops.unit, crops.sources
    (Unit("DN_IRIS_SJI_FUV"), ['sample', 'sample', 'sample'])
    """

    data: np.ndarray
    mask: np.ndarray
    origin: np.ndarray
    coords: dict = field(default_factory=dict)
    unit: u.UnitBase = u.dimensionless_unscaled
    kind: str = "sji"
    sources: list = field(default_factory=list)

    def __len__(self):
        return len(self.data)


def _pixel_size(value, scale, axis_name, unit):
    if isinstance(value, u.Quantity):
        try:
            pixels = round(float(value.to_value(unit) / abs(scale)))
        except u.UnitConversionError:
            msg = f"The crop size along {axis_name} must be in pixels or in {unit}, not {value.unit}."
            raise IrispyPlusError(msg) from None
    else:
        pixels = int(value)
    if pixels < 1:
        msg = f"The crop size along {axis_name} ({value}) is less than one pixel."
        raise IrispyPlusError(msg)
    return pixels


def crop_shape(cube, size):
    """
    The crop size in pixels for ``cube``: ``size`` in pixels (an int or a pair) or as
    quantities (arcsec across a slit-jaw image; arcsec along the slit and Å of
    wavelength for a spectrogram patch), converted with the cube's pixel scale.
    """
    if isinstance(size, tuple | list) or (isinstance(size, u.Quantity) and size.ndim == 1):
        pair = tuple(size)
    else:
        pair = (size, size)
    if len(pair) != 2:
        msg = f"size= takes one value or a pair (rows, columns), not {size!r}."
        raise IrispyPlusError(msg)
    if _is_sji(cube):
        scales = [(cube.meta["CDELT2"], "y", u.arcsec), (cube.meta["CDELT1"], "x", u.arcsec)]
    else:
        scales = [(cube.meta["CDELT2"], "the slit", u.arcsec), (cube.meta["CDELT1"], "wavelength", u.AA)]
    shape = tuple(_pixel_size(value, *scale) for value, scale in zip(pair, scales, strict=True))
    if any(want > have for want, have in zip(shape, cube.shape[1:], strict=True)):
        msg = f"A crop of {shape} pixels does not fit in the cube's {cube.shape[1:]} pixels."
        raise IrispyPlusError(msg)
    return shape


def _is_sji(cube):
    return cube.wcs.world_axis_physical_types[-1] == "time"


def crop_coordinates(cube, origins, shape):
    """
    The world coordinates of crops of ``cube`` starting at ``origins`` (``(n, 3)``).
    """
    origins = np.asarray(origins, dtype=int).reshape(-1, 3)
    rows = origins[:, 1, None] + np.arange(shape[0])
    columns = origins[:, 2, None] + np.arange(shape[1])
    frame = origins[:, 0]
    if _is_sji(cube):
        values = cube.wcs.array_index_to_world_values(
            frame[:, None, None], rows[:, :, None], columns[:, None, :]
        )
        tx, ty = (np.broadcast_to(v, (len(origins), *shape)).astype(float) for v in values[:2])
        time = cube.time[frame]
        return {"tx": tx, "ty": ty, "time": time}
    _, tx, ty = cube.wcs.array_index_to_world_values(frame[:, None], rows, np.zeros_like(rows))
    wavelength = cube.wcs.array_index_to_world_values(frame[:, None], origins[:, 1, None], columns)[0]
    wavelength = (np.asarray(wavelength, dtype=float) * u.Unit(cube.wcs.world_axis_units[0])).to_value(u.AA)
    times = cube.axis_world_coords("time", wcs=cube.extra_coords)[0]
    return {
        "tx": np.asarray(tx, dtype=float),
        "ty": np.asarray(ty, dtype=float),
        "wavelength": wavelength,
        "time": times[frame],
    }


def draw_origins(cube, shape, n, rng):
    """``n`` crop origins drawn uniformly over the cube's frames and positions."""
    frames = rng.integers(0, cube.shape[0], size=n)
    rows = rng.integers(0, cube.shape[1] - shape[0] + 1, size=n)
    columns = rng.integers(0, cube.shape[2] - shape[1] + 1, size=n)
    return np.stack([frames, rows, columns], axis=1)


def read_crop(cube, origin, shape):
    """The data and mask of one crop, read straight from the (memory-mapped) file."""
    frame, row, column = (int(value) for value in origin)
    return _read(cube, (frame, slice(row, row + shape[0]), slice(column, column + shape[1])))


def sample_crops(cube, size, n, *, seed=None, max_masked=1.0, source=""):
    """
    Draw fixed-size crops of a slit-jaw cube, or patches of a spectrogram, at random.

    A crop of a slit-jaw cube is ``(rows, columns)`` of one frame; a patch of a
    spectrogram cube is ``(slit pixels, wavelengths)`` of one exposure (raster step).
    Frames and positions are drawn uniformly by ``numpy.random.default_rng(seed)``, so
    the same seed draws the same crops. Only the crops' pixels are read.

    Parameters
    ----------
    cube : IRISSJICube or IRISSpectrogramCube
        The cube to crop.
    size : int, pair of int, astropy.units.Quantity or pair of them
        The crop size in pixels, or in arcsec (and Å along wavelength for a patch).
    n : int
        How many crops.
    seed : int or numpy.random.Generator, optional
        The random seed or generator.
    max_masked : float, optional
        Redraw crops with more than this fraction of masked pixels (fill around the
        slit-jaw images); 1 keeps every crop. At most 50 draws per crop.
    source : str, optional
        A name for where the crops come from (an observation id), kept in ``sources``.

    Returns
    -------
    Crops

    Raises
    ------
    IrispyPlusError
        If the size does not fit in the cube, or no crop meets ``max_masked``.

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.archive import sample_crops
    >>> from irispy_plus.data import sample
    >>> sji = read_cube(sample.SJI_1400)
    >>> crops = sample_crops(sji, 32 * u.arcsec, n=4, seed=1)
    >>> crops.data.shape, crops.coords["tx"].shape
    ((4, 19, 19), (4, 19, 19))
    """
    if cube.data.ndim != 3:
        msg = f"sample_crops takes a 3-D slit-jaw or spectrogram cube, not one of shape {cube.shape}."
        raise IrispyPlusError(msg)
    rng = np.random.default_rng(seed)
    shape = crop_shape(cube, size)
    origins = []
    data = []
    masks = []
    for _ in range(int(n)):
        for _attempt in range(50):
            origin = draw_origins(cube, shape, 1, rng)[0]
            values, mask = read_crop(cube, origin, shape)
            if mask.mean() <= max_masked:
                break
        else:
            msg = f"No crop of {shape} pixels with at most {max_masked:.0%} masked pixels in 50 draws."
            raise IrispyPlusError(msg)
        origins.append(origin)
        data.append(values)
        masks.append(mask)
    origins = np.array(origins, dtype=np.int64).reshape(-1, 3)
    return Crops(
        data=np.array(data, dtype=np.float32).reshape(-1, *shape),
        mask=np.array(masks, dtype=bool).reshape(-1, *shape),
        origin=origins,
        coords=crop_coordinates(cube, origins, shape),
        unit=cube.unit,
        kind="sji" if _is_sji(cube) else "spectrogram",
        sources=[source] * len(origins),
    )
