"""
Dust on the slit-jaw detectors: dark specks fixed in detector coordinates.
"""

import warnings

import numpy as np
from scipy import ndimage

from irispy_plus.cleaning._inpaint import inpaint
from irispy_plus.utils._masks import masked_values
from irispy_plus.utils.config import conf
from irispy_plus.utils.exceptions import IrispyPlusMapError

__all__ = ["find_dust", "remove_dust"]

_MAD_TO_SIGMA = 1.4826
_FILL_MARGIN = 2  # pixels


def _frames_with_fill_masked(sji):
    data = masked_values(sji)
    if data.ndim == 2:
        data = data[np.newaxis]
    if data.ndim != 3:
        msg = f"remove_dust takes a slit-jaw cube (time, y, x) or frame (y, x); this has shape {data.shape}."
        raise IrispyPlusMapError(msg)
    data[data <= float(conf.fill_threshold)] = np.nan
    return data


def _log_contrast(frame, size):
    """
    The logarithm of each pixel over its local median, in units of the image's robust
    scatter of that ratio. Dust dims by a factor, so the logarithm makes a speck equally
    deep on bright and faint ground. Non-positive pixels have no logarithm: NaN.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        logarithm = np.where(frame > 0, np.log(frame), np.nan)
    valid = np.isfinite(logarithm)
    if not valid.any():
        return logarithm
    filled = np.where(valid, logarithm, np.nanmedian(logarithm))
    contrast = np.where(valid, logarithm - ndimage.median_filter(filled, size=size, mode="nearest"), np.nan)
    scatter = _MAD_TO_SIGMA * np.nanmedian(np.abs(contrast - np.nanmedian(contrast)))
    return contrast / (scatter or 1.0)


def find_dust(sji, *, threshold=3.5, size=7, persistence=0.8):
    """
    Find dust specks: pixels dark against their surroundings, and in nearly every frame.

    Two tests, both needed. In the median of the frames (solar features that move or
    evolve blur out of it; dust, fixed on the detector, does not), the logarithm of the
    pixel over its local median must be more than ``threshold`` times that ratio's
    robust scatter below zero. And the pixel must be below its local median in at
    least ``persistence`` of the frames that have data there (a random pixel is, about
    half the time). Speck rims, darkened less, join a
    speck when they pass half the threshold. Pixels within two pixels of fill are not
    judged: the Level 2 warping smears the fill into them.

    Parameters
    ----------
    sji : irispy_plus.cubes.IRISSJICube or array-like
        A slit-jaw cube (time, y, x) or one frame.
    threshold : float
        How many robust standard deviations of the log contrast below zero.
    size : int
        The width, in pixels, of the local median: larger than the largest speck.
    persistence : float
        The fraction of the frames in which the pixel must be darker than its
        surroundings.

    Returns
    -------
    numpy.ndarray of bool
        The dust specks, shape (y, x), in detector pixels.

    Examples
    --------
    A 2 x 2 pixel speck that dims six noisy frames by 40 %:

    >>> import numpy as np
    >>> from irispy_plus.cleaning import find_dust
    >>> frames = np.random.default_rng(0).normal(100, 2, size=(6, 40, 40))
    >>> frames[:, 20:22, 10:12] *= 0.6
    >>> np.argwhere(find_dust(frames)).tolist()
    [[20, 10], [20, 11], [21, 10], [21, 11]]

    On a slit-jaw cube, the mask has the shape of one frame:

    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> sji = read_cube(sample.SNS_SJI_2832)
    >>> sji.shape, find_dust(sji).shape
    ((10, 40, 37), (40, 37))
    """
    frames = _frames_with_fill_masked(sji)
    below = np.zeros(frames.shape[1:])
    seen = np.zeros(frames.shape[1:])
    for frame in frames:
        contrast = _log_contrast(frame, size)
        seen += np.isfinite(contrast)
        below += contrast < 0
    with np.errstate(invalid="ignore", divide="ignore"):
        persistent = (seen > 0) & (below / seen >= persistence)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # pixels with no data in any frame
        typical = np.nanmedian(frames, axis=0)
    contrast = _log_contrast(typical, size)
    # Next to fill the Level 2 warping smears -200 into the data: no judging there.
    away_from_fill = ndimage.distance_transform_edt(np.isfinite(contrast)) > _FILL_MARGIN
    persistent &= away_from_fill
    core = persistent & (contrast < -threshold)
    rim = persistent & (contrast < -threshold / 2)
    return ndimage.binary_propagation(core, mask=rim | core)


def remove_dust(sji, *, threshold=3.5, size=7, persistence=0.8):
    """
    Find the dust specks of a slit-jaw series and fill them from their surroundings.

    Dust on the slit-jaw optics shows as dark specks fixed in detector coordinates:
    the same pixels in every frame, whatever the Sun does (strongest in the NUV bands,
    2796 and 2832, and in 1400). A pixel is dust when the median of the frames there is
    more than ``threshold`` local standard deviations below its local median (a
    ``size``-pixel median filter), and the pixel is darker than its surroundings in at
    least ``persistence`` of the frames; moving and evolving solar features fail that.
    The specks are filled by harmonic inpainting (`irispy_plus.cleaning._inpaint`).

    Parameters
    ----------
    sji : irispy_plus.cubes.IRISSJICube or array-like
        A slit-jaw cube (time, y, x) or a single frame.
    threshold, size, persistence
        See `find_dust`.

    Returns
    -------
    cleaned : irispy_plus.cubes.IRISSJICube or numpy.ndarray
        A new cube (an array for an array), in memory, with the specks filled; ``sji``
        is not changed.
    filled : numpy.ndarray of bool
        The pixels that were filled, shape of the cube.

    Examples
    --------
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.cleaning import remove_dust
    >>> from irispy_plus.data import sample
    >>> sji = read_cube(sample.SNS_SJI_2832)
    >>> cleaned, filled = remove_dust(sji)
    >>> cleaned.shape == sji.shape, filled.shape == sji.shape
    (True, True)
    """
    dust = find_dust(sji, threshold=threshold, size=size, persistence=persistence)
    data = np.array(sji.data)
    frames = _frames_with_fill_masked(sji)
    filled = dust[np.newaxis] & np.isfinite(frames)
    cleaned_frames = np.array(data, dtype=float).reshape(frames.shape)
    for index, frame in enumerate(frames):
        if filled[index].any():
            painted = inpaint(frame, filled[index])
            cleaned_frames[index][filled[index]] = painted[filled[index]]
    cleaned = cleaned_frames.reshape(data.shape).astype(data.dtype)
    if hasattr(sji, "_new_instance"):
        cleaned = sji._new_instance(data=cleaned)
    return cleaned, filled.reshape(data.shape)
