"""
Spikes in spectrograph data: cosmic-ray hits and hot pixels.
"""

import warnings

import astropy.units as u
import numpy as np
from scipy import ndimage

from irispy_plus.utils._masks import mask_array, masked_values
from irispy_plus.utils.config import conf
from irispy_plus.utils.exceptions import IrispyPlusMapError

__all__ = ["find_spikes", "remove_spikes"]

_MAD_TO_SIGMA = 1.4826
_READ_NOISE_DN = {"FUV": 3.1, "NUV": 1.2}
_HALO = 2
_NEIGHBOURHOOD = (5, 5, 1)  # exposure, slit, wavelength
_EXPOSURES_PER_BLOCK = 32


def _axis_model(data, axis):
    """The median of the two neighbours on each side along ``axis`` (NaN-aware)."""
    padded = np.pad(
        data, [(_HALO, _HALO) if i == axis else (0, 0) for i in range(data.ndim)], constant_values=np.nan
    )
    length = data.shape[axis]
    neighbours = [np.take(padded, np.arange(offset, offset + length), axis=axis) for offset in (0, 1, 3, 4)]
    return _median_of_few(np.stack(neighbours))


def _median_of_few(stacked):
    """
    The NaN-aware median over the first (short) axis: sorting pushes NaN to the end, and
    the median is read off the sorted values by how many are finite.
    """
    ordered = np.sort(stacked, axis=0)
    count = np.isfinite(ordered).sum(axis=0)
    lower = np.take_along_axis(ordered, np.clip((count - 1) // 2, 0, None)[np.newaxis], axis=0)[0]
    upper = np.take_along_axis(ordered, np.clip(count // 2, 0, len(ordered) - 1)[np.newaxis], axis=0)[0]
    median = (lower + upper) / 2
    median[count == 0] = np.nan
    return median


def _nanmedian(stacked):
    """The median over the first axis, NaN where every value is NaN (without a warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN, as wanted
        return np.nanmedian(stacked, axis=0)


def _noise(model, cube):
    """Photon and read noise in DN where the unit counts photons, else None."""
    try:
        photons_per_dn = (1 * cube.unit).to_value(u.ph)
    except (u.UnitConversionError, TypeError, AttributeError):
        return None
    detector = str(getattr(cube.meta, "get", lambda *_: None)("detector") or "FUV")
    read_noise = _READ_NOISE_DN.get(detector[:3], 1.2)
    return np.sqrt(np.clip(model, 0, None) / photons_per_dn + read_noise**2)


def _local_excess(residual):
    """
    How far each residual stands above its neighbours' residuals, and their robust
    scatter: over the 5 x 5 neighbours in exposure and slit, at the same wavelength. A
    line core leaves a large residual along wavelength at every slit pixel alike; only
    what sticks out from the neighbours counts.
    """
    typical = _nanmedian(residual.reshape(-1, residual.shape[-1]))
    residual = np.where(np.isfinite(residual), residual, typical)
    centre = ndimage.median_filter(residual, size=_NEIGHBOURHOOD, mode="nearest")
    scatter = ndimage.median_filter(np.abs(residual - centre), size=_NEIGHBOURHOOD, mode="nearest")
    return residual - centre, _MAD_TO_SIGMA * scatter


def _spikes_in_block(block, cube, threshold):
    models = [_axis_model(block, axis) for axis in range(3)]
    model = _median_of_few(np.stack(models))
    photon_noise = _noise(model, cube)
    spikes = np.isfinite(block)
    for axis_model in models:
        excess, sigma = _local_excess(block - axis_model)
        if photon_noise is not None:
            sigma = np.maximum(sigma, photon_noise)
        spikes &= excess > threshold * sigma
    return spikes, model


def find_spikes(cube, *, threshold=4.0):
    """
    Find spikes: pixels far above a robust local model in all three directions.

    For each pixel the model along each axis (exposure or raster step, slit,
    wavelength) is the median of its two neighbours on either side. A spike stands
    above all three models, beyond what its 5 x 5 neighbours in exposure and slit stand
    above theirs (the median of their residuals at the same wavelength), by more than
    ``threshold`` times the noise: the robust scatter of those residuals, and at least
    the photon and read noise (FUV 3.1 DN, NUV 1.2 DN) for data in DN. A real solar
    feature is extended along at least one axis (a line along the slit or in time, a
    broad profile in wavelength), a cosmic-ray hit or hot pixel along none.

    Parameters
    ----------
    cube : irispy_plus.cubes.IRISSpectrogramCube or array-like
        Spectrograph data, (exposure, slit, wavelength).
    threshold : float
        In units of the noise.

    Returns
    -------
    spikes : numpy.ndarray of bool
        The spikes, shape of the cube.
    model : numpy.ndarray
        The local model (median of the three axis models), for replacing them.

    Examples
    --------
    One hot pixel in noisy spectra (exposure, slit, wavelength), and the value its
    neighbours give there:

    >>> import numpy as np
    >>> from irispy_plus.cleaning import find_spikes
    >>> spectra = np.random.default_rng(0).normal(50, 2, size=(10, 30, 40))
    >>> spectra[4, 12, 20] = 400
    >>> spikes, model = find_spikes(spectra)
    >>> np.argwhere(spikes).tolist()
    [[4, 12, 20]]
    >>> round(float(model[4, 12, 20]), -1)
    50.0

    `remove_spikes` does this on a cube and replaces or masks what is found.
    """
    data = masked_values(cube)
    if data.ndim != 3:
        msg = (
            "remove_spikes takes spectrograph data (exposure, slit, wavelength); "
            f"this has shape {data.shape}."
        )
        raise IrispyPlusMapError(msg)
    data[data <= float(conf.fill_threshold)] = np.nan
    spikes = np.zeros(data.shape, dtype=bool)
    model = np.full(data.shape, np.nan)
    for start in range(0, data.shape[0], _EXPOSURES_PER_BLOCK):
        stop = min(start + _EXPOSURES_PER_BLOCK, data.shape[0])
        low, high = max(start - _HALO, 0), min(stop + _HALO, data.shape[0])
        block_spikes, block_model = _spikes_in_block(data[low:high], cube, threshold)
        spikes[start:stop] = block_spikes[start - low : start - low + stop - start]
        model[start:stop] = block_model[start - low : start - low + stop - start]
    return spikes, model


def remove_spikes(cube, *, threshold=4.0, replace=True):
    """
    Flag spikes (cosmic-ray hits, hot pixels) in spectrograph data, and mask or replace
    them.

    Parameters
    ----------
    cube : irispy_plus.cubes.IRISSpectrogramCube
        One spectral window (exposure, slit, wavelength).
    threshold : float
        See `find_spikes`.
    replace : bool
        Replace each spike by its local model; with False, mask it instead.

    Returns
    -------
    cleaned : irispy_plus.cubes.IRISSpectrogramCube
        A new cube, in memory; ``cube`` is not changed.
    spikes : numpy.ndarray of bool
        The pixels flagged.

    Examples
    --------
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.cleaning import remove_spikes
    >>> from irispy_plus.data import sample
    >>> cube = read_cube(sample.SNS_RASTER, "Si IV 1403")
    >>> cleaned, spikes = remove_spikes(cube)
    >>> cleaned.shape == cube.shape
    True
    """
    spikes, model = find_spikes(cube, threshold=threshold)
    data = np.array(cube.data)
    if replace:
        cleaned = data.astype(float)
        cleaned[spikes] = model[spikes]
        return cube._new_instance(data=cleaned.astype(data.dtype)), spikes
    return cube._new_instance(data=data, mask=mask_array(cube, data.shape) | spikes), spikes
