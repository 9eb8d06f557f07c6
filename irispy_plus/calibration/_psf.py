"""
Deconvolution of the spectrograph point spread function along the slit.

The IRIS spectrograph PSFs along the slit are those measured by Courrier et al. (2018,
Solar Physics 293, 125): one per detector region, shipped as package data
(``irispy_plus/data/psf``). `deconvolve_psf` runs Richardson-Lucy along the slit for
every (exposure, wavelength) column of a cube at once: both convolutions of an iteration
are products of real FFTs of whole blocks of columns, so the cost is a few FFTs per
iteration, not a Python loop over slits.
"""

import functools
import numbers
from importlib import resources

import astropy.units as u
import numpy as np
import scipy.fft

from irispy_plus.calibration._cube import IRISData, _map, _numpy_axis, _pixel_scale
from irispy_plus.utils.exceptions import IrispyPlusCalibrationError, warn_user
from irispy_plus.utils.logger import log

__all__ = ["PSF_NAMES", "UNSUMMED_PIXEL", "deconvolve_psf", "psf_name", "spectrograph_psf"]

#: The PSFs of Courrier et al. (2018), by the detector region they serve.
PSF_NAMES = ("1336", "1394", "2796", "2814")
#: Size of one unsummed detector pixel along the slit.
UNSUMMED_PIXEL = 0.1663 * u.arcsec
#: Default Richardson-Lucy iterations by detector (those of irispreppy).
DEFAULT_ITERATIONS = {"FUV": 10, "NUV": 50}
#: Keys of the metadata of a deconvolved cube.
PSF_KEY = "PSF_DECONVOLVED"
ITERATIONS_KEY = "PSF_ITERATIONS"
SUMMING_KEY = "PSF_SUMMING"

_FUV_SPLIT = 1370.0  # Å: FUV short (1332-1358 Å) below, FUV long (1389-1407 Å) above
_NUV_SPLIT = 2810.0  # Å: the 2814 PSF serves the NUV windows beyond this
_BLOCK_BYTES = 32 * 2**20  # bytes of one block of columns in the FFT loop


@functools.cache
def _table():
    path = resources.files("irispy_plus.data") / "psf" / "iris_sg_psf_courrier2018.csv"
    with resources.as_file(path) as file:
        values = np.loadtxt(file, delimiter=",", comments="#")
    values.setflags(write=False)
    return values


def psf_name(cube) -> str:
    """
    The Courrier et al. (2018) PSF that serves a spectrograph window.

    The 1336 PSF serves the FUV short-wavelength windows (below 1370 Å), 1394 the FUV
    long-wavelength ones, 2796 the NUV windows and 2814 the NUV windows centred beyond
    2810 Å.

    Parameters
    ----------
    cube : irispy_plus.cubes.IRISSpectrogramCube
        A spectrograph window.

    Returns
    -------
    str
        One of `PSF_NAMES`.

    Raises
    ------
    IrispyPlusCalibrationError
        If the cube is not a FUV or NUV spectrograph window.

    Examples
    --------
    >>> from irispy_plus import read_files
    >>> from irispy_plus.calibration import psf_name
    >>> from irispy_plus.data import sample
    >>> windows = read_files(sample.SNS_RASTER, as_observation=True)
    >>> [psf_name(windows.cube(key)) for key in ("C II 1336", "Si IV 1403", "Mg II k 2796", "2832")]
    ['1336', '1394', '2796', '2814']
    """
    detector = getattr(cube.meta, "detector", None)
    if detector not in DEFAULT_ITERATIONS or _numpy_axis(cube, "wavelength") is None:
        msg = (
            f"The PSF deconvolution needs a FUV or NUV spectrograph window with its wavelength "
            f"axis; got a {type(cube).__name__} of detector {detector!r}."
        )
        raise IrispyPlusCalibrationError(msg)
    centre = float(np.mean(u.Quantity(cube.spectral_axis, u.AA).value[[0, -1]]))
    if detector == "FUV":
        return "1336" if centre < _FUV_SPLIT else "1394"
    return "2814" if centre > _NUV_SPLIT else "2796"


def spectrograph_psf(name: str, summing: float = 1) -> np.ndarray:
    """
    The along-slit PSF of the IRIS spectrograph, binned to a summed pixel.

    The PSF of Courrier et al. (2018) is given per unsummed pixel (0.1663"), centred on
    its middle sample. For a summing factor ``s`` the value at offset ``k`` (in summed
    pixels) is the PSF's integral over ``[(k - 1/2) s, (k + 1/2) s]`` unsummed pixels,
    taking the PSF as constant within an unsummed pixel: the response of a summed pixel
    to a point source at the centre of another, so the binned PSF stays centred for even
    factors too.

    Parameters
    ----------
    name : str
        One of `PSF_NAMES`.
    summing : float, optional
        Size of a pixel along the slit in unsummed pixels (``CDELT2 / 0.1663"``).

    Returns
    -------
    numpy.ndarray
        Odd length, centred, summing to 1.

    Raises
    ------
    IrispyPlusCalibrationError
        If ``name`` or ``summing`` is not valid.

    Examples
    --------
    >>> from irispy_plus.calibration import spectrograph_psf
    >>> psf = spectrograph_psf("1394")
    >>> psf.size, int(psf.argmax()), round(float(psf.sum()), 6)
    (421, 210, 1.0)
    >>> spectrograph_psf("1394", summing=2).size
    211
    """
    if name not in PSF_NAMES:
        msg = f"Unknown PSF {name!r}; choose one of {', '.join(PSF_NAMES)}."
        raise IrispyPlusCalibrationError(msg)
    if not (np.isfinite(summing) and summing >= 1):
        msg = f"summing must be a finite factor of at least 1, not {summing!r}."
        raise IrispyPlusCalibrationError(msg)
    psf = _table()[:, PSF_NAMES.index(name)]
    centre = 210
    # Cumulative integral at the unsummed pixel edges, offsets -centre-1/2 ... measured from
    # the centre of the central pixel.
    edges = np.arange(psf.size + 1) - centre - 0.5
    cumulative = np.concatenate([[0.0], np.cumsum(psf)])
    half = int(np.ceil((edges[-1] + 0.5 * summing) / summing))
    offsets = np.arange(-half, half + 1)
    bounds = np.concatenate([(offsets - 0.5) * summing, [(half + 0.5) * summing]])
    binned = np.diff(np.interp(bounds, edges, cumulative))
    keep = np.flatnonzero(binned > 0)
    extent = max(half - keep[0], keep[-1] - half)
    binned = binned[half - extent : half + extent + 1]
    return binned / binned.sum()


def _transfer(kernel, size):
    """The rfft of ``kernel`` with its centre at index 0, on ``size`` samples."""
    centre = kernel.size // 2
    wrapped = np.zeros(size)
    wrapped[: kernel.size - centre] = kernel[centre:]
    wrapped[size - centre :] = kernel[:centre]
    return scipy.fft.rfft(wrapped)


def _fill_gaps(data, valid):
    """``data`` with invalid samples linearly interpolated along the last axis (0 if none valid)."""
    if valid.all():
        return data
    n = data.shape[-1]
    index = np.arange(n)
    left = np.maximum.accumulate(np.where(valid, index, -1), axis=-1)
    right = np.flip(np.minimum.accumulate(np.flip(np.where(valid, index, n), axis=-1), axis=-1), axis=-1)
    has_left, has_right = left >= 0, right < n
    left_value = np.take_along_axis(data, np.clip(left, 0, n - 1), axis=-1)
    right_value = np.take_along_axis(data, np.clip(right, 0, n - 1), axis=-1)
    span = np.where(has_left & has_right, np.maximum(right - left, 1), 1)
    fraction = np.where(has_left & has_right, (index - left) / span, 0.0)
    inside = left_value + fraction * (right_value - left_value)
    filled = np.where(has_left & has_right, inside, np.where(has_left, left_value, right_value))
    filled = np.where(has_left | has_right, filled, 0)
    return np.where(valid, data, filled)


def richardson_lucy(columns, valid, kernel, iterations):
    """
    Richardson-Lucy deconvolution of many 1-D signals at once, with weights.

    Each row of ``columns`` is modelled as ``kernel`` convolved with an unknown
    non-negative signal, outside of which there is nothing (zero padding, no wrap-around).
    Pixels where ``valid`` is False have weight 0: they do not enter the data term, so
    their values never reach their neighbours; their own estimate is interpolated by the
    iterations from the valid pixels the kernel links them to. An iteration is

    ``x <- x * K^T(w y / K x) / K^T w``

    so that the weighted flux ``sum(K^T w * x)`` equals ``sum(w * y)`` at every step.

    Parameters
    ----------
    columns : numpy.ndarray
        ``(n_signals, n)`` data; negative values are taken as 0.
    valid : numpy.ndarray of bool
        Same shape: the pixels to use.
    kernel : numpy.ndarray
        Odd-length, centred PSF summing to 1.
    iterations : int
        Number of iterations.

    Returns
    -------
    numpy.ndarray
        The estimate, same shape and floating dtype as ``columns``.
    """
    dtype = np.result_type(columns.dtype, np.float32)
    n = columns.shape[-1]
    size = scipy.fft.next_fast_len(n + kernel.size // 2 + 1, real=True)
    transfer = _transfer(kernel, size).astype(np.result_type(dtype, np.complex64))
    conjugate = transfer.conj()
    weights = valid.astype(dtype)
    data = np.where(valid, np.maximum(np.nan_to_num(columns), 0), 0).astype(dtype)

    def convolve(signal, response):
        spectrum = scipy.fft.rfft(signal, size, axis=-1, workers=-1)
        spectrum *= response
        return scipy.fft.irfft(spectrum, size, axis=-1, overwrite_x=True, workers=-1)[..., :n]

    norm = convolve(weights, conjugate)
    # A pixel no valid pixel sees has no say in the model of any valid pixel; it goes to 0
    # (it is masked in the result).
    inverse_norm = np.zeros_like(norm)
    np.divide(1, norm, out=inverse_norm, where=norm > 1e-6)
    del norm
    # Start from the data, masked pixels interpolated linearly from their valid neighbours
    # along the slit: a start near the truth keeps the masked pixels' unknown flux from
    # being traded with their neighbours'.
    estimate = _fill_gaps(data, valid).astype(dtype)
    tiny = np.finfo(dtype).tiny
    for _ in range(iterations):
        model = convolve(estimate, transfer)
        np.maximum(model, tiny, out=model)
        ratio = np.divide(data, model, out=model)
        factor = convolve(ratio, conjugate)
        factor *= inverse_norm
        np.maximum(factor, 0, out=factor)  # rounding of the FFTs
        estimate *= factor
    return estimate.astype(dtype, copy=False)


def _deconvolve_block(block, mask, *, axis, kernel, iterations):
    """Deconvolve an array block along ``axis`` (which it holds whole), keeping masked values."""
    block = np.asarray(block)
    dtype = np.result_type(block.dtype, np.float32)
    moved = np.moveaxis(block, axis, -1)
    valid = np.isfinite(moved)
    if mask is not None:
        valid &= ~np.moveaxis(np.asarray(mask, dtype=bool), axis, -1)
    shape = moved.shape
    flat = moved.reshape(-1, shape[-1])
    flat_valid = valid.reshape(-1, shape[-1])
    out = np.empty(flat.shape, dtype=dtype)
    rows = max(1, _BLOCK_BYTES // (8 * (shape[-1] + kernel.size)))
    for start in range(0, flat.shape[0], rows):
        part = slice(start, start + rows)
        out[part] = richardson_lucy(flat[part], flat_valid[part], kernel, iterations)
    out = np.where(flat_valid, out, flat)
    return np.moveaxis(out.reshape(shape), -1, axis)


def _deconvolve_one(cube, iterations, psf):
    name = psf_name(cube) if psf is None else psf
    axis = _numpy_axis(cube, "slit position")
    if axis is None:
        msg = "deconvolve_psf needs the slit axis of the cube; it was sliced away."
        raise IrispyPlusCalibrationError(msg)
    summing_exact = float((_pixel_scale(cube, "slit position", "CDELT2") / UNSUMMED_PIXEL).decompose())
    summing = max(1, round(summing_exact))
    if abs(summing_exact - summing) > 0.05 * summing:
        warn_user(
            f"The slit pixel of {cube.meta.spectral_window} is {summing_exact:.3f} unsummed pixels "
            f'(CDELT2 / 0.1663"), not a whole number; the PSF is binned to {summing}.'
        )
    kernel = spectrograph_psf(name, summing)
    if iterations is None:
        iterations = DEFAULT_ITERATIONS[cube.meta.detector]
    if (
        not isinstance(iterations, numbers.Integral | float)
        or int(iterations) != iterations
        or iterations < 0
    ):
        msg = f"iterations must be a non-negative whole number, not {iterations!r}."
        raise IrispyPlusCalibrationError(msg)
    iterations = int(iterations)
    mask = cube.mask if cube.mask is not None and not isinstance(cube.mask, bool | np.bool_) else None
    log.info(
        "Deconvolving %s with the %s PSF binned by %d, %d iterations.",
        cube.meta.spectral_window,
        name,
        summing,
        iterations,
    )
    kwargs = {"axis": axis, "kernel": kernel, "iterations": iterations}
    data = cube.data
    if hasattr(data, "dask") or hasattr(mask, "dask"):
        import dask.array as da

        data = da.asarray(data).rechunk({axis: -1})
        if mask is None:
            new = data.map_blocks(lambda block: _deconvolve_block(block, None, **kwargs), dtype=data.dtype)
        else:
            mask = da.asarray(mask).rechunk(data.chunks)
            new = da.map_blocks(_deconvolve_block, data, mask, dtype=data.dtype, **kwargs)
    else:
        new = _deconvolve_block(data, mask, **kwargs)
    if cube.uncertainty is not None:
        log.info("The uncertainty is not carried through the deconvolution (it is not linear).")
    out = cube._new_instance(data=new, uncertainty=None)
    out.meta[PSF_KEY] = f"Courrier et al. (2018) psf_{name}"
    out.meta[ITERATIONS_KEY] = iterations
    out.meta[SUMMING_KEY] = summing
    return out


def deconvolve_psf(data: IRISData, iterations: int | None = None, *, psf: str | None = None) -> IRISData:
    """
    Deconvolve the spectrograph PSF along the slit with Richardson-Lucy.

    Every (exposure, wavelength) column of each window is deconvolved along the slit with
    the PSF of Courrier et al. (2018) that serves the window (`psf_name`), binned to the
    summed pixel (``CDELT2 / 0.1663"``, rounded; `spectrograph_psf`). All columns are
    iterated at once with FFT convolutions.

    Masked pixels (fill, saturation) and non-finite values get weight 0: they do not
    enter the fit of their neighbours, which are deconvolved from the valid pixels only;
    they keep their input values and stay masked in the result. Negative values (noise
    about zero) count as 0. Beyond the ends of the slit there is assumed to be no flux.
    Flux is conserved: ``sum(K^T w * x) = sum(w * y)`` for weights ``w``, which away from
    the ends of the slit and from masked pixels means the deconvolved and the observed
    flux agree.

    Dask-backed cubes stay lazy (the slit axis is rechunked into one chunk and each block
    deconvolved on compute).

    Parameters
    ----------
    data : IRIS spectrograph cube, raster sequence or collection
        What to deconvolve (slit-jaw cubes are refused).
    iterations : int, optional
        Richardson-Lucy iterations; by default 10 for FUV and 50 for NUV windows (as
        irispreppy).
    psf : str, optional
        Force one of `PSF_NAMES` instead of the window's own.

    Returns
    -------
    The same kind of object: new cubes whose ``meta`` records ``PSF_DECONVOLVED`` (the
    PSF), ``PSF_ITERATIONS`` and ``PSF_SUMMING``. The uncertainty is dropped, as the
    deconvolution is not linear.

    Raises
    ------
    IrispyPlusCalibrationError
        If a cube is not a spectrograph window, has lost its slit or wavelength axis, or
        ``iterations`` or ``psf`` is not valid.

    References
    ----------
    Courrier, H., Kankelborg, C., De Pontieu, B., Wülser, J.-P. (2018), Solar Physics
    293, 125, doi:10.1007/s11207-018-1347-9.

    Examples
    --------
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.calibration import deconvolve_psf
    >>> from irispy_plus.data import sample
    >>> cube = read_cube(sample.SNS_RASTER, "Si IV 1403")
    >>> sharp = deconvolve_psf(cube)
    >>> sharp.is_lazy, sharp.meta["PSF_DECONVOLVED"], sharp.meta["PSF_ITERATIONS"]
    (True, 'Courrier et al. (2018) psf_1394', 10)
    """
    if psf is not None and psf not in PSF_NAMES:
        msg = f"Unknown PSF {psf!r}; choose one of {', '.join(PSF_NAMES)}."
        raise IrispyPlusCalibrationError(msg)
    return _map(_deconvolve_one, data, iterations, psf)
