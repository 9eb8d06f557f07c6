"""
Co-alignment of an IRIS image with a reference Map by cross-correlation.

The reference is reprojected onto the IRIS image's grid and the two are cross-correlated
(FFT, apodised, NaN-aware) for a first, whole-pixel offset. The offset is then refined
by Gauss-Newton steps (Lucas & Kanade 1981): the reprojected reference is modelled as
the IRIS image scaled, offset and moved by a small shift, ``b = alpha (a - s . grad a) +
beta``, solved by least squares over the common pixels; the pointing is moved by ``s``
and the reference reprojected again. A Nelder-Mead search then polishes the offset to
``tolerance`` pixels on the mismatch itself (1 - r^2 of the two images), which also
settles where the linear model of a shift is too rough (undersampled images). The
result is where the images agree best, whatever the grids' pixel phase, and the
brightness scales of the two instruments do not matter.
"""

import astropy.units as u
import numpy as np

from irispy_plus.maps._reproject import as_map, reproject_to
from irispy_plus.utils.config import conf
from irispy_plus.utils.exceptions import IrispyPlusMapError

__all__ = ["Coalignment", "coalign", "correlation_offset", "gradient_offset"]

#: Pixels kept between the compared region and any edge (more than the refinement moves).
_MARGIN = 2


class Coalignment:
    """
    The offset between an IRIS image and a reference, and how to apply it.

    `coalign` returns one; one can also be made from an offset known otherwise.

    Parameters
    ----------
    shift : astropy.units.Quantity or sequence of float
        ``(dTx, dTy)``, arcsec (numbers are taken as arcsec).
    correlation : float
        The normalised cross-correlation of the aligned images.
    iterations : int
        How many reprojections it took.

    Attributes
    ----------
    shift : astropy.units.Quantity
        ``(dTx, dTy)``: what to add to the IRIS pointing so that it matches the
        reference, arcsec.
    correlation : float
        The normalised cross-correlation of the aligned images (1 for identical
        structure).
    iterations : int
        How many reprojections it took.

    Examples
    --------
    Move the pointing of a whole slit-jaw cube by an offset (here one given by hand;
    `coalign` measures it against a reference):

    >>> import astropy.units as u
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.maps import Coalignment, to_map
    >>> found = Coalignment([2, -1] * u.arcsec, correlation=0.98, iterations=1)
    >>> found
    Coalignment(shift=(+2.000, -1.000) arcsec, correlation=0.980, iterations=1)
    >>> sji = read_cube(sample.SJI_1400)
    >>> aligned = found.apply(sji)  # a new cube; sji is unchanged
    >>> before = to_map(sji[0]).pixel_to_world(0 * u.pix, 0 * u.pix)
    >>> after = to_map(aligned[0]).pixel_to_world(0 * u.pix, 0 * u.pix)
    >>> (after.Tx - before.Tx).to(u.arcsec).round(3), (after.Ty - before.Ty).to(u.arcsec).round(3)
    (<Angle 2. arcsec>, <Angle -1. arcsec>)
    """

    def __init__(self, shift, correlation, iterations):
        self.shift = u.Quantity(shift, u.arcsec)
        self.correlation = float(correlation)
        self.iterations = int(iterations)

    def __repr__(self):
        dx, dy = self.shift.to_value(u.arcsec)
        return (
            f"Coalignment(shift=({dx:+.3f}, {dy:+.3f}) arcsec, correlation={self.correlation:.3f}, "
            f"iterations={self.iterations})"
        )

    def apply(self, target):
        """
        Move the pointing of an IRIS cube or a Map by `shift`.

        Parameters
        ----------
        target : sunpy.map.GenericMap or irispy_plus cube
            A Map, or a whole (unsliced) IRIS slit-jaw or raster cube.

        Returns
        -------
        sunpy.map.GenericMap or irispy_plus cube
            The same kind of object with its pointing moved; ``target`` is not changed.

        Raises
        ------
        IrispyPlusMapError
            If ``target`` is a slice of a cube: shift the whole cube, then slice it.
        """
        from sunpy.map import GenericMap

        dx, dy = self.shift
        if isinstance(target, GenericMap):
            return target.shift_reference_coord(dx, dy)
        wcs = target.wcs.low_level_wcs
        if not hasattr(wcs, "with_pointing_offset"):
            msg = (
                "Only a whole IRIS cube (as read_files gives it) or a Map can have its pointing "
                "moved; this is a slice of one. Apply the shift to the whole cube, then slice."
            )
            raise IrispyPlusMapError(msg)
        new = target._new_instance(wcs=wcs.with_pointing_offset(dx, dy))
        lazy_sources = getattr(target, "_lazy_sources", None)
        if lazy_sources is not None:
            new.attach_lazy_sources(lazy_sources, target._photon_uncertainty)
        return new


def _apodised(values, valid):
    """Mean-free values, zero outside ``valid``, with a cosine taper at the edges."""
    mean = np.mean(values[valid]) if np.any(valid) else 0.0
    scale = np.std(values[valid]) if np.any(valid) else 1.0
    result = np.where(valid, (values - mean) / (scale or 1.0), 0.0)
    taper = [np.hanning(length + 2)[1:-1] ** 0.25 for length in values.shape]
    return result * np.outer(*taper)


def correlation_offset(image, reference, max_shift=None):
    """
    The shift that best carries ``image`` onto ``reference``, in pixels.

    Parameters
    ----------
    image, reference : numpy.ndarray
        Two 2-D arrays of the same shape; NaN where there are no data.
    max_shift : float, optional
        The largest shift searched, in pixels; by default a quarter of the image.

    Returns
    -------
    shift : numpy.ndarray
        ``(dx, dy)`` in pixels (x along columns): ``reference[y, x]`` best matches
        ``image[y - dy, x - dx]``.
    correlation : float
        The normalised correlation at that shift.
    """
    valid = np.isfinite(image) & np.isfinite(reference)
    if valid.sum() < 16:
        msg = "The image and the reference overlap on fewer than 16 valid pixels; nothing to correlate."
        raise IrispyPlusMapError(msg)
    a = _apodised(np.nan_to_num(image), valid)
    b = _apodised(np.nan_to_num(reference), valid)
    correlation = np.fft.irfft2(np.conj(np.fft.rfft2(a)) * np.fft.rfft2(b), s=a.shape)
    correlation = np.fft.fftshift(correlation) / np.sqrt(np.sum(a * a) * np.sum(b * b))
    centre = np.array(correlation.shape) // 2
    limit = max_shift if max_shift is not None else min(correlation.shape) / 4
    rows, columns = np.indices(correlation.shape)
    outside = np.hypot(rows - centre[0], columns - centre[1]) > limit
    peak = np.unravel_index(np.argmax(np.where(outside, -np.inf, correlation)), correlation.shape)
    sub_pixel = [_parabola_peak(correlation, peak, axis) for axis in (0, 1)]
    dy, dx = np.array(peak) + sub_pixel - centre
    return np.array([dx, dy]), float(correlation[peak])


def _parabola_peak(values, peak, axis):
    index = list(peak)
    if peak[axis] in (0, values.shape[axis] - 1):
        return 0.0
    index[axis] = peak[axis] - 1
    left = values[tuple(index)]
    index[axis] = peak[axis] + 1
    right = values[tuple(index)]
    centre = values[peak]
    denominator = left - 2 * centre + right
    return 0.0 if denominator == 0 else 0.5 * (left - right) / denominator


def gradient_offset(image, reference):
    """
    The small shift carrying ``image`` onto ``reference``, by one Gauss-Newton step.

    Parameters
    ----------
    image, reference : numpy.ndarray
        Two 2-D arrays of the same shape, nearly aligned; NaN where there are no data.

    Returns
    -------
    numpy.ndarray
        ``(dx, dy)`` in pixels, as in `correlation_offset`.
    """
    gradient_y, gradient_x = np.gradient(image)
    valid = np.isfinite(reference) & np.isfinite(gradient_x) & np.isfinite(gradient_y)
    if valid.sum() < 16:
        msg = "The image and the reference overlap on fewer than 16 valid pixels; nothing to compare."
        raise IrispyPlusMapError(msg)
    design = np.column_stack([image[valid], np.ones(valid.sum()), gradient_x[valid], gradient_y[valid]])
    (alpha, _, along_x, along_y), *_ = np.linalg.lstsq(design, reference[valid], rcond=None)
    if alpha <= 0:
        msg = "The reference does not correlate with the image here; it may not show the same region."
        raise IrispyPlusMapError(msg)
    return -np.array([along_x, along_y]) / alpha


def coalign(image, reference, *, rotate=True, max_shift=30 * u.arcsec, tolerance=0.01, max_iterations=10):
    """
    Measure the offset of an IRIS image from a reference Map by cross-correlation.

    Parameters
    ----------
    image : ndcube.NDCube or sunpy.map.GenericMap
        A slit-jaw frame (``sji[i]``), a raster map, or their Map.
    reference : sunpy.map.GenericMap
        The reference, say an AIA 1600 or 1700 Map from ``Fido``; it is reprojected
        onto the IRIS image's grid (needs the ``maps`` extra): interpolated where its
        pixels are as large as the IRIS image's or larger, averaged (adaptive
        resampling) where they are smaller.
    rotate : bool
        Follow solar rotation between the two times (see `reproject_to`).
    max_shift : astropy.units.Quantity
        The largest offset searched.
    tolerance : float
        Stop when the offset left is below this many IRIS pixels.
    max_iterations : int
        The most reprojections.

    Returns
    -------
    Coalignment
        The shift to add to the IRIS pointing (`Coalignment.apply` does it).

    Raises
    ------
    IrispyPlusMapError
        If the images do not overlap, or the offset does not settle within
        ``max_iterations``.

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.maps import coalign, to_map
    >>> frame = to_map(read_cube(sample.SJI_1400)[0])
    >>> reference = frame.shift_reference_coord(2 * u.arcsec, -1 * u.arcsec)
    >>> found = coalign(frame, reference)
    >>> found.shift.round(1)
    <Quantity [ 2., -1.] arcsec>
    """
    iris = as_map(image)
    scale = np.asarray(u.Quantity(iris.scale).to_value(u.arcsec / u.pix), dtype=float)
    limit = u.Quantity(max_shift, u.arcsec).to_value(u.arcsec)
    cd = iris.rotation_matrix * np.array([[scale[0]], [scale[1]]])
    data = np.asarray(iris.data, dtype=float)
    data[data <= float(conf.fill_threshold)] = np.nan

    # A reference with finer pixels than the IRIS image is averaged once (adaptive
    # resampling) onto pixels of the IRIS size in its own frame; point-sampling it would
    # alias and bias the offset.
    reference_scale = np.min(np.abs(u.Quantity(reference.scale).to_value(u.arcsec / u.pix)))
    if reference_scale < 0.8 * np.min(np.abs(scale)):
        reference = _averaged_to(reference, iris, np.min(np.abs(scale)), limit)
        reference_scale = np.min(np.abs(scale))
    algorithm = "interpolation"
    # A coarser reference is compared with the IRIS image blurred to its pixel size.
    coarser = reference_scale / np.min(np.abs(scale))
    if coarser > 1.25:
        data = _blurred(data, 0.5 * coarser)

    def projected_at(shift):
        moved = iris.shift_reference_coord(shift[0] * u.arcsec, shift[1] * u.arcsec)
        return reproject_to(reference, moved, rotate=rotate, algorithm=algorithm).data

    start, _ = correlation_offset(data, projected_at(np.zeros(2)), limit / np.min(np.abs(scale)))
    shift = cd @ np.round(start)
    projected = projected_at(shift)
    # Compare over one fixed set of pixels, away from the edges of either image: a set
    # that changed with the shift would make the mismatch jump, and the search stall.
    region = _fixed_region(data, projected)
    data = np.where(region, data, np.nan)
    mismatch = _mismatch(data, projected)
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 - reported in the result
        step = cd @ gradient_offset(data, projected)
        trial = projected_at(shift + step)
        trial_mismatch = _mismatch(data, trial)
        if trial_mismatch > mismatch:
            break  # the linear model of a shift is too rough here: polish instead
        shift, projected, mismatch = shift + step, trial, trial_mismatch
        if np.hypot(*np.linalg.solve(cd, step)) < tolerance:
            break

    def mismatch_at(value):
        return _mismatch(data, projected_at(value))

    shift, mismatch = _polish(shift, mismatch, mismatch_at, cd, tolerance)
    if np.hypot(*shift) > limit:
        msg = (
            f"The offset found ({shift[0]:.1f}, {shift[1]:.1f}) arcsec is beyond max_shift={max_shift}; "
            "check that the reference shows the same region, or raise max_shift."
        )
        raise IrispyPlusMapError(msg)
    correlation = np.sqrt(max(1 - mismatch, 0.0))
    if correlation < 0.5:
        msg = (
            f"The aligned images correlate only at r = {correlation:.2f}: the reference does not "
            "seem to show the same structure (another region, time or passband?)."
        )
        raise IrispyPlusMapError(msg)
    return Coalignment(shift, correlation, iterations)


def _polish(shift, mismatch, mismatch_at, cd, tolerance):
    """
    Nelder-Mead on the mismatch, in pixels, from ``shift``: where Gauss-Newton steps
    stall on an undersampled image, this still finds the best match to ``tolerance``.
    """
    from scipy.optimize import minimize

    to_arcsec = lambda pixels: shift + cd @ pixels  # noqa: E731
    simplex = np.array([[0.0, 0.0], [0.25, 0.0], [0.0, 0.25]])
    result = minimize(
        lambda pixels: mismatch_at(to_arcsec(pixels)),
        np.zeros(2),
        method="Nelder-Mead",
        options={"initial_simplex": simplex, "xatol": tolerance, "fatol": 1e-12, "maxfev": 200},
    )
    if result.fun < mismatch:
        return to_arcsec(result.x), float(result.fun)
    return shift, mismatch


def _averaged_to(reference, iris, pixel, margin):
    """
    ``reference`` averaged onto square pixels of ``pixel`` arcsec, in its own frame and
    orientation, over the IRIS field and ``margin`` arcsec around it.
    """
    import sunpy.map
    from astropy.coordinates import SkyCoord

    centre = SkyCoord(iris.center.Tx, iris.center.Ty, frame=reference.coordinate_frame)
    extent = np.hypot(*(np.array(iris.data.shape) * pixel)) + 2 * margin
    size = int(np.ceil(extent / pixel)) + 2
    header = sunpy.map.make_fitswcs_header(
        (size, size),
        centre,
        scale=[pixel, pixel] * u.arcsec / u.pix,
        rotation_matrix=reference.rotation_matrix,
    )
    target = sunpy.map.Map(np.zeros((size, size)), header)
    return reproject_to(reference, target, rotate=False, algorithm="adaptive")


def _blurred(image, sigma):
    """A NaN-aware Gaussian blur (normalised convolution)."""
    from scipy.ndimage import gaussian_filter

    valid = np.isfinite(image)
    weight = gaussian_filter(valid.astype(float), sigma)
    with np.errstate(invalid="ignore", divide="ignore"):
        blurred = gaussian_filter(np.where(valid, image, 0.0), sigma) / weight
    return np.where(valid, blurred, np.nan)


def _fixed_region(image, reference, margin=_MARGIN):
    """
    The pixels valid in both images and at least ``margin`` pixels from any invalid one
    or the border: the refinement moves the reference by less than that, so these stay
    valid, and interpolation at an edge does not mix in the missing side.
    """
    from scipy.ndimage import binary_erosion

    valid = np.isfinite(image) & np.isfinite(reference)
    region = binary_erosion(valid, iterations=margin, border_value=0)
    if region.sum() < 16:
        msg = "The image and the reference overlap on fewer than 16 valid pixels; nothing to compare."
        raise IrispyPlusMapError(msg)
    return region


def _mismatch(image, reference):
    """1 - r^2 of the two images over their common pixels (0 for a perfect linear match)."""
    valid = np.isfinite(image) & np.isfinite(reference)
    if valid.sum() < 16:
        msg = "The image and the reference overlap on fewer than 16 valid pixels; nothing to compare."
        raise IrispyPlusMapError(msg)
    correlation = np.corrcoef(image[valid], reference[valid])[0, 1]
    return 1.0 - correlation**2 if correlation > 0 else 1.0
