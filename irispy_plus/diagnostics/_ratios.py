"""
Line intensities and their ratios, with propagated uncertainties and quality flags.

The IRIS FUV long-wavelength windows hold the density-sensitive O IV intercombination
lines (1399.77 and 1401.16 Å; their ratio rises with density between about 1e10 and
1e12 cm-3), the Si IV resonance lines (1393.76 and 1402.77 Å; their ratio is 2 where
the plasma is optically thin, less where opacity matters), and the Si IV / O IV ratio
used as a density and abundance diagnostic. Intensities come from moments or line fits
(`irispy_plus.fitting`), ratios from any two intensity maps taken at the same exposures
and slit pixels; densities from them are in ``_density``.
"""

import astropy.units as u
import numpy as np
from astropy.nddata import StdDevUncertainty
from astropy.time import Time
from ndcube import NDCube

from irispy_plus.utils.exceptions import IrispyPlusAlignmentError, IrispyPlusError
from irispy_plus.utils.quality import DerivedMap, QualityFlag

__all__ = ["RATIOS", "RATIO_FLAGS", "SI_IV_THIN_RATIO", "line_intensity", "line_ratio", "ratio_map"]

#: The standard IRIS ratios: name -> ((ion, numerator), (ion, denominator)).
RATIOS = {
    "O IV 1399.77/1401.16": (("O IV", 1399.77 * u.AA), ("O IV", 1401.16 * u.AA)),
    "Si IV 1402.77/O IV 1401.16": (("Si IV", 1402.77 * u.AA), ("O IV", 1401.16 * u.AA)),
    "Si IV 1393.76/1402.77": (("Si IV", 1393.76 * u.AA), ("Si IV", 1402.77 * u.AA)),
}
#: The Si IV 1393.76 / 1402.77 ratio of optically thin plasma (the ratio of the
#: oscillator strengths); lower values indicate opacity.
SI_IV_THIN_RATIO = 2.0
#: Flag bits of ratio and density maps; the values are those of the package's quality
#: flags (``QualityFlag``) for the same meaning, plus ``OUT_OF_RANGE``.
#: The `~irispy_plus.fitting.QualityFlag` bits that ratio and density maps use.
RATIO_FLAGS = {name: int(QualityFlag[name]) for name in ("NO_SIGNAL", "FILL", "NOISY", "OUT_OF_RANGE")}


def _window_name(cube):
    meta = getattr(cube, "meta", None)
    return getattr(meta, "spectral_window", None) or (meta.get("window") if isinstance(meta, dict) else None)


#: Samples at each end of the range that set the background of a moment intensity.
_EDGE = 2


def _integral_weights(wavelength):
    """
    Weights ``c`` such that ``y @ c`` is the integral of ``y`` above a straight background.

    The background runs through the means of the first and of the last `_EDGE` samples;
    the integral is over the samples between them, each times its width. Being linear in
    the data, its variance is exactly ``sigma**2 @ c**2`` for independent errors.
    """
    m = wavelength.size
    step = np.gradient(wavelength)
    inner = np.arange(_EDGE, m - _EDGE)
    left, right = wavelength[:_EDGE].mean(), wavelength[-_EDGE:].mean()
    fraction = (wavelength[inner] - left) / (right - left)
    weights = np.zeros(m)
    weights[inner] = step[inner]
    weights[:_EDGE] = -np.sum(step[inner] * (1 - fraction)) / _EDGE
    weights[-_EDGE:] = -np.sum(step[inner] * fraction) / _EDGE
    return weights


def _moment_intensity(cube, columns):
    if cube.uncertainty is None:
        msg = (
            f"line_intensity needs the data's uncertainty to propagate it ({_window_name(cube)}); "
            "read the file with read_files(..., uncertainty=True) or attach a StdDevUncertainty."
        )
        raise IrispyPlusError(msg)
    wavelength = u.Quantity(cube.spectral_axis, u.AA).value[columns]
    weights = _integral_weights(wavelength)
    data = np.asarray(cube.data[..., columns], dtype=float)
    sigma = np.asarray(cube.uncertainty.represent_as(StdDevUncertainty).array[..., columns], dtype=float)
    invalid = ~np.isfinite(data) | ~np.isfinite(sigma)
    if cube.mask is not None and not isinstance(cube.mask, bool | np.bool_):
        invalid |= np.asarray(cube.mask[..., columns], dtype=bool)
    bad = invalid.any(axis=-1)
    value = np.where(invalid, 0, data) @ weights
    error = np.sqrt(np.where(invalid, 0, sigma**2) @ weights**2)
    return np.where(bad, np.nan, value), np.where(bad, np.nan, error)


def line_intensity(cube, line, *, half_width=0.2 * u.AA, method="moments", **fit_options) -> NDCube:
    """
    The integrated intensity of one line at every spectrum of a window, with uncertainty.

    Parameters
    ----------
    cube : irispy_plus.cubes.IRISSpectrogramCube
        The window holding the line, with an uncertainty (``read_files(...,
        uncertainty=True)``).
    line : astropy.units.Quantity
        The rest wavelength.
    half_width : astropy.units.Quantity, optional
        The spectral range used is ``line ± half_width``.
    method : {"moments", "fit"}, optional
        ``"moments"``: the zeroth moment, the integral over the range above a straight
        background through the means of its two first and two last samples. It is
        linear in the data, so its uncertainty is exact: the square root of the sum of
        each sample's variance times its weight squared. (`irispy_plus.fitting.moments`
        estimates its background by a percentile and clips negative values, which
        cannot be propagated exactly, so it is not used here.) Any masked sample in
        the range masks the intensity. ``"fit"``: a Gaussian on a constant fitted with
        `irispy_plus.fitting.fit_lines` over the range, and
        `~irispy_plus.fitting.FitResult.intensity` with its uncertainty (from the
        amplitude's and width's, their correlation neglected).
    **fit_options
        Passed to `~irispy_plus.fitting.fit_lines` with ``method="fit"``.

    Returns
    -------
    irispy_plus.utils.quality.DerivedMap
        The intensity map (data unit times Å) with a `~astropy.nddata.StdDevUncertainty`,
        the cube's celestial and time coordinates, and ``meta`` naming the line, window
        and method; its ``flags`` are ``FILL`` where a sample is masked (moments) or
        the fit's flags (fit).

    Raises
    ------
    IrispyPlusError
        If the cube has no uncertainty, the line is not in the window or the method is
        unknown.

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.diagnostics import line_intensity
    >>> cube = read_cube(sample.SNS_RASTER, "Si IV 1403", uncertainty=True)
    >>> # The sample keeps every 10th wavelength pixel (0.26 Å): a wide range.
    >>> intensity = line_intensity(cube, 1402.77 * u.AA, half_width=0.7 * u.AA)
    >>> intensity.shape, intensity.unit, type(intensity.uncertainty).__name__
    ((187, 40), Unit("Angstrom DN_IRIS_FUV"), 'StdDevUncertainty')
    """
    rest = u.Quantity(line, u.AA).to_value(u.AA)
    half = u.Quantity(half_width, u.AA).to_value(u.AA)
    lo, hi = rest - half, rest + half
    wavelength = u.Quantity(cube.spectral_axis, u.AA).value
    window = _window_name(cube)
    if np.count_nonzero((wavelength >= lo) & (wavelength <= hi)) < 3:
        msg = f"Window {window!r} has fewer than 3 samples within {lo:.2f}-{hi:.2f} Å; is the line in it?"
        raise IrispyPlusError(msg)
    meta = {"line": rest * u.AA, "window": window, "method": method, "half_width": half * u.AA}
    if method == "moments":
        columns = np.flatnonzero((wavelength >= lo) & (wavelength <= hi))
        if columns.size < 2 * _EDGE + 1:
            msg = (
                f"Window {window!r} has {columns.size} samples within {lo:.2f}-{hi:.2f} Å; widen half_width."
            )
            raise IrispyPlusError(msg)
        value, error = _moment_intensity(cube, columns)
        template = cube[..., 0]
        unit = None if cube.unit is None else u.Unit(cube.unit) * u.AA
        mask = ~np.isfinite(value)
        extra, global_coords, wcs = template.extra_coords, template.global_coords, template.wcs
        flags = None
    elif method == "fit":
        from irispy_plus.fitting import fit_lines

        result = fit_lines(cube, wl_range=(lo, hi), rest_wavelength=rest, **fit_options)
        if isinstance(result, list):
            msg = "line_intensity takes one cube, not a raster sequence: call it on each of its cubes."
            raise IrispyPlusError(msg)
        fitted = result.intensity()
        value, error = fitted.data, fitted.uncertainty.array
        unit, wcs = fitted.unit, fitted.wcs
        extra, global_coords = fitted.extra_coords, getattr(fitted, "global_coords", None)
        mask = ~np.isfinite(value) | result.failed
        flags = fitted.flags
    else:
        msg = f"method must be 'moments' or 'fit', not {method!r}."
        raise IrispyPlusError(msg)
    return DerivedMap(
        value,
        wcs=wcs,
        unit=unit,
        uncertainty=StdDevUncertainty(error, unit=unit),
        mask=mask,
        meta=meta,
        extra_coords=extra,
        global_coords=global_coords,
        flags=flags,
    )


def _times(cube):
    """The time of each exposure of a map (its ``time`` extra coordinate), or None."""
    extra = getattr(cube, "extra_coords", None)
    if extra is None or "time" not in list(extra.keys()):
        return None
    try:
        coordinates = cube.axis_world_coords(wcs=extra)
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    times = [c for c in coordinates if isinstance(c, Time)]
    return np.atleast_1d(times[0]) if times else None


def _check_aligned(a, b, names):
    """Raise IrispyPlusAlignmentError unless ``a`` and ``b`` share exposures and slit pixels."""
    if np.shape(a.data) != np.shape(b.data):
        msg = (
            f"The {names[0]} map has shape {np.shape(a.data)} and the {names[1]} map "
            f"{np.shape(b.data)}: a ratio needs the same exposures and slit pixels (take both "
            "from windows of one raster file, sliced alike)."
        )
        raise IrispyPlusAlignmentError(msg)
    ta, tb = _times(a), _times(b)
    if (ta is not None and tb is not None) and (
        ta.shape != tb.shape or np.max(np.abs((ta - tb).to_value(u.s))) > 0.5
    ):
        msg = (
            f"The {names[0]} and {names[1]} maps are not from the same exposures (their times "
            "differ by more than 0.5 s); take both from windows of one raster file."
        )
        raise IrispyPlusAlignmentError(msg)
    wa, wb = getattr(a, "wcs", None), getattr(b, "wcs", None)
    if wa is not None and wb is not None and wa.pixel_n_dim == wb.pixel_n_dim and a.data.ndim:
        corners = [np.array([0, n - 1, (n - 1) // 2]) for n in a.data.shape[::-1]]
        grid = np.meshgrid(*corners, indexing="ij")
        pa = wa.low_level_wcs.pixel_to_world_values(*[g.ravel() for g in grid])
        pb = wb.low_level_wcs.pixel_to_world_values(*[g.ravel() for g in grid])
        pa, pb = np.atleast_2d(pa), np.atleast_2d(pb)
        if pa.shape != pb.shape or not np.allclose(pa, pb, rtol=0, atol=1e-3, equal_nan=True):
            msg = (
                f"The {names[0]} and {names[1]} maps do not cover the same slit pixels (their "
                "world coordinates differ); take both from windows of one raster file."
            )
            raise IrispyPlusAlignmentError(msg)


def _coordinates(cube):
    """The WCS, extra and global coordinates of a map, for new maps on the same pixels."""
    if cube.wcs is None:
        from irispy_plus.fitting._result import pixel_wcs

        return {"wcs": pixel_wcs(np.ndim(cube.data))}
    return {
        "wcs": cube.wcs,
        "extra_coords": cube.extra_coords,
        "global_coords": getattr(cube, "global_coords", None),
    }


def _values(item):
    if isinstance(item, NDCube):
        if item.uncertainty is None:
            msg = "A ratio needs intensity maps with an uncertainty (e.g. from line_intensity)."
            raise IrispyPlusError(msg)
        error = item.uncertainty.represent_as(StdDevUncertainty).array
        mask = np.zeros(item.data.shape, bool) if item.mask is None else np.asarray(item.mask, bool)
        return np.asarray(item.data, float), np.asarray(error, float), mask, item.unit
    msg = f"line_ratio takes intensity maps (NDCube with uncertainty), not {type(item).__name__}."
    raise IrispyPlusError(msg)


def line_ratio(numerator, denominator, *, min_snr=3.0) -> dict:
    """
    The ratio of two intensity maps with its propagated uncertainty and quality flags.

    ``R = a / b`` and, to first order with independent errors,
    ``sigma_R = |R| sqrt((sigma_a / a)^2 + (sigma_b / b)^2)``.

    Parameters
    ----------
    numerator, denominator : ndcube.NDCube or irispy_plus.fitting.FitResult
        Intensity maps with uncertainties (`line_intensity`, or
        `~irispy_plus.fitting.FitResult.intensity`; a FitResult gives its first
        component's), of the same exposures and slit pixels.
    min_snr : float, optional
        Below this signal-to-noise in either map the ratio is flagged ``NOISY`` (kept).

    Returns
    -------
    dict
        ``"ratio"``: an NDCube (dimensionless if both maps share a unit) with a
        `~astropy.nddata.StdDevUncertainty`, masked where a flag other than ``NOISY`` is
        set; ``"flags"``: an int32 NDCube of `RATIO_FLAGS` bits (``FILL``: either map is
        masked or not finite; ``NO_SIGNAL``: the denominator is not positive or the
        numerator is negative; ``NOISY``), whose ``meta["bits"]`` lists them.

    Raises
    ------
    IrispyPlusAlignmentError
        If the maps differ in shape, exposure times or slit pixel coordinates.

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus import read_files
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.diagnostics import line_intensity, line_ratio
    >>> windows = read_files(sample.SNS_RASTER, uncertainty=True, as_observation=True)
    >>> a = line_intensity(windows.cube("Si IV 1394"), 1393.76 * u.AA, half_width=0.7 * u.AA)
    >>> b = line_intensity(windows.cube("Si IV 1403"), 1402.77 * u.AA, half_width=0.7 * u.AA)
    >>> out = line_ratio(a, b)
    >>> out["ratio"].shape, out["ratio"].unit, sorted(out["flags"].meta["bits"])
    ((187, 40), Unit(dimensionless), ['FILL', 'NOISY', 'NO_SIGNAL', 'OUT_OF_RANGE'])
    """
    numerator, denominator = (
        item.intensity() if hasattr(item, "intensity") and hasattr(item, "model") else item
        for item in (numerator, denominator)
    )
    _check_aligned(numerator, denominator, ("numerator", "denominator"))
    a, sa, ma, unit_a = _values(numerator)
    b, sb, mb, unit_b = _values(denominator)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = a / b
        error = np.abs(ratio) * np.hypot(sa / a, sb / b)
        # Where the numerator is zero, the first-order error is sigma_a / b.
        error = np.where(a == 0, sa / np.abs(b), error)
        flags = np.zeros(ratio.shape, np.int32)
        fill = ma | mb | ~np.isfinite(a) | ~np.isfinite(b)
        flags[fill] |= RATIO_FLAGS["FILL"]
        flags[~fill & ((b <= 0) | (a < 0))] |= RATIO_FLAGS["NO_SIGNAL"]
        noisy = (a < min_snr * sa) | (b < min_snr * sb)
    flags[~fill & noisy] |= RATIO_FLAGS["NOISY"]
    mask = (flags & ~RATIO_FLAGS["NOISY"]) != 0
    ratio = np.where(mask, np.nan, ratio)
    error = np.where(mask, np.nan, error)
    unit = (u.Unit(unit_a) / u.Unit(unit_b)) if unit_a is not None and unit_b is not None else None
    scale = unit.to(u.dimensionless_unscaled) if unit is not None and unit.is_equivalent(u.one) else 1.0
    unit = u.dimensionless_unscaled if unit is None or unit.is_equivalent(u.one) else unit
    meta = {
        "numerator": dict(getattr(numerator, "meta", {}) or {}),
        "denominator": dict(getattr(denominator, "meta", {}) or {}),
    }
    common = _coordinates(numerator)
    return {
        "ratio": DerivedMap(
            ratio * scale,
            unit=unit,
            uncertainty=StdDevUncertainty(error * scale, unit=unit),
            mask=mask,
            meta=meta,
            flags=flags,
            **common,
        ),
        "flags": DerivedMap(
            flags, mask=np.zeros(flags.shape, bool), meta={"bits": dict(RATIO_FLAGS)}, flags=flags, **common
        ),
    }


def _find_window(windows, wavelength):
    # An observation's raster windows (one cube each, for one file); a plain mapping's values.
    cubes = (
        [windows.cube(label) for label in windows.windows] if hasattr(windows, "cube") else windows.values()
    )
    for cube in cubes:
        axis = u.Quantity(cube.spectral_axis, u.AA).value
        if axis.min() < wavelength < axis.max():
            return cube
    msg = f"No window ({', '.join(map(repr, windows))}) holds {wavelength:.2f} Å."
    raise IrispyPlusError(msg)


def ratio_map(windows, name, *, method="moments", half_width=0.2 * u.AA, min_snr=3.0) -> dict:
    """
    One of the standard `RATIOS` from the windows of a raster file.

    Parameters
    ----------
    windows : irispy_plus.cubes.IRISObservation
        The windows of one raster file, read with uncertainties
        (``read_files(file, uncertainty=True, as_observation=True)``).
    name : str
        A key of `RATIOS`, e.g. ``"O IV 1399.77/1401.16"``.
    method, half_width
        As `line_intensity`.
    min_snr
        As `line_ratio`.

    Returns
    -------
    dict
        As `line_ratio`, plus the two intensity maps as ``"numerator"`` and
        ``"denominator"``.

    Raises
    ------
    IrispyPlusError
        If ``name`` is unknown or a line is in no window.

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus import read_files
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.diagnostics import ratio_map
    >>> windows = read_files(sample.SNS_RASTER, uncertainty=True, as_observation=True)
    >>> out = ratio_map(windows, "Si IV 1393.76/1402.77", half_width=0.7 * u.AA)
    >>> sorted(out)
    ['denominator', 'flags', 'numerator', 'ratio']
    """
    if name not in RATIOS:
        msg = f"Unknown ratio {name!r}; choose one of {', '.join(map(repr, RATIOS))}."
        raise IrispyPlusError(msg)
    (_, top), (_, bottom) = RATIOS[name]
    maps = [
        line_intensity(_find_window(windows, line.value), line, half_width=half_width, method=method)
        for line in (top, bottom)
    ]
    out = line_ratio(*maps, min_snr=min_snr)
    out["ratio"].meta["ratio"] = name
    return {**out, "numerator": maps[0], "denominator": maps[1]}
