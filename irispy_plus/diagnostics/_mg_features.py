"""
Mg II k and h spectral features of whole observations: `mg_features`.
"""

import astropy.units as u
import numpy as np

from irispy_plus.diagnostics._common import (
    band_weights,
    flag_map,
    make_map,
    map_coordinates,
    read_input,
    run_blocks,
    split_sequence,
)
from irispy_plus.diagnostics._mg_arrays import (
    MGII_H_REST,
    MGII_K_REST,
    TRIPLET_BAND,
    TRIPLET_REFERENCE,
    feature_block,
    line_setup,
)
from irispy_plus.utils.exceptions import IrispyPlusDiagnosticError
from irispy_plus.utils.logger import log
from irispy_plus.utils.quality import QualityFlag

__all__ = ["mg_features"]

_SERIOUS = QualityFlag.FILL | QualityFlag.NO_DATA | QualityFlag.NO_PEAK | QualityFlag.NO_SIGNAL


def _triplet_setup(x):
    (b0, b1), (r0, r1) = TRIPLET_REFERENCE
    if x[0] > b0 or x[-1] < r1:
        return None
    line_w = band_weights(x, *TRIPLET_BAND)
    blue_w = band_weights(x, b0, b1)
    red_w = band_weights(x, r0, r1)
    # The reference: the two wing bands' means interpolated linearly to the line band.
    centre = np.mean(TRIPLET_BAND)
    cb, cr = 0.5 * (b0 + b1), 0.5 * (r0 + r1)
    share = (centre - cb) / (cr - cb)
    ref_w = (1 - share) * blue_w + share * red_w
    needed = (line_w != 0) | (ref_w != 0)
    return line_w, ref_w, needed


def _check_arguments(vrange, n_points, tension, noise_limit):
    lo, hi = vrange.to_value(u.km / u.s)
    problems = []
    if not lo < 0 < hi:
        problems.append(f"vrange={vrange} must go from a negative to a positive velocity")
    if not isinstance(n_points, (int, np.integer)) or n_points < 16:
        problems.append(f"n_points={n_points!r} must be a whole number >= 16")
    if not np.isfinite(tension) or tension < 0:
        problems.append(f"tension={tension!r} must be a number >= 0")
    if not np.isfinite(noise_limit) or noise_limit <= 0:
        problems.append(f"noise_limit={noise_limit!r} must be a positive number")
    if problems:
        raise IrispyPlusDiagnosticError("mg_features: " + "; ".join(problems) + ".")
    return float(lo), float(hi)


@u.quantity_input(vrange=u.km / u.s, wing_range=u.km / u.s)
def mg_features(
    data,
    wavelength=None,
    *,
    vrange: u.Quantity = (-40, 40) * u.km / u.s,
    tension: float = 0.0,
    n_points: int = 300,
    noise_limit: float = 0.1,
    wing_range: u.Quantity | None = None,
    mask=None,
):
    """
    Mg II k and h features of every spectrum: cores, peaks, their separation and asymmetry.

    For each of Mg II k (2796.352 Å) and h (2803.530 Å) the profile is put on a velocity
    axis about the rest wavelength and interpolated with IDL's spline (``tension``), and
    its extrema within ``vrange`` are searched on the interpolated profile, as in
    SolarSoft's ``iris_get_mg_features_lev2`` (Pereira et al. 2013): k3/h3 is the lowest
    point between the two emission peaks, k2v/h2v and k2r/h2r the peaks, each refined with
    a least-squares parabola over two spectral pixels either side of it on the
    ``n_points``-point interpolated profile. Two peaks count as such only if the dip
    between them is deeper than three times the noise. A profile with one peak and no
    reversal keeps that peak as its core (flag ``SINGLE_PEAK``, no k2v/k2r); one with no
    peak at all has no core either (``NO_PEAK``).

    Parameters
    ----------
    data : `ndcube.NDCube`, `~ndcube.NDCubeSequence`, array or `~astropy.units.Quantity`
        Spectra with wavelength last (a Mg II k window, or any window holding both
        lines); numpy or dask. A cube gives wavelengths, mask and coordinates.
    wavelength : `~astropy.units.Quantity` or array, optional
        Wavelengths (vacuum; float: Å), needed for arrays.
    vrange : `~astropy.units.Quantity`, optional
        Velocities about each rest wavelength within which features are searched.
    tension : float, optional
        Tension of the interpolating spline (IDL's ``SPLINE`` ``sigma``; 0 as in
        SolarSoft: a cubic spline).
    n_points : int, optional
        Points of the interpolated profile over ``vrange`` on which the extrema are
        refined (300 as in SolarSoft; they are found on a grid of three points per
        spectral pixel first).
    noise_limit : float, optional
        Spectra whose noise (estimated from the pixel-to-pixel scatter about the lines)
        is above this fraction of the peak intensity are flagged ``NOISY``.
    wing_range : `~astropy.units.Quantity`, optional
        Velocities about each rest wavelength within which to look for the k1 and h1
        minima outside the peaks (e.g. ``(-120, 120) * u.km / u.s``); not computed by
        default.
    mask : array of bool, optional
        Pixels to ignore (a cube's own mask otherwise). Non-finite values and Level 2
        fill (``irispy_plus.conf.fill_threshold``) are always ignored.

    Returns
    -------
    dict of ndcube.NDCube
        Maps with the input's celestial and time coordinates (a list of such dicts for
        a sequence), NaN and masked where there is no value:

        - ``k3_velocity``, ``k2v_velocity``, ``k2r_velocity`` and the same for h: Doppler
          velocities (km/s, positive away from the observer) from the rest wavelength;
        - ``k3_intensity``, ``k2v_intensity``, ``k2r_intensity`` and the same for h
          (the data's unit);
        - ``k_separation``, ``h_separation``: red minus blue peak velocity (km/s);
        - ``k_asymmetry``, ``h_asymmetry``: ``(I2v - I2r) / (I2v + I2r)``;
        - ``kh_ratio``: mean intensity over ``vrange`` of k divided by that of h;
        - ``triplet_emission``: the subordinate triplet (2798.75 and 2798.82 Å) mean
          intensity over 2798.70-2798.87 Å divided by the wing level interpolated from
          2798.35-2798.50 Å and 2799.10-2799.25 Å, minus 1 (positive: in emission);
        - ``k_flags``, ``h_flags``: `~irispy_plus.fitting.QualityFlag` bits;
        - with ``wing_range``, ``k1v_velocity``, ``k1v_intensity``, ``k1r_velocity``,
          ``k1r_intensity`` and the same for h: the lowest points between the ends of
          ``wing_range`` and the peaks (NaN where the profile falls all the way to the
          end).

    Raises
    ------
    IrispyPlusDiagnosticError
        If the data, wavelengths or arguments cannot be used, or the window holds
        neither line over ``vrange``.

    References
    ----------
    Pereira, T. M. D., Leenaarts, J., De Pontieu, B., Carlsson, M., Uitenbroek, H. 2013,
    ApJ 778, 143 (arXiv:1310.1926), section 3; SolarSoft ``iris_get_mg_features_lev2``.

    Examples
    --------
    >>> from irispy_plus.diagnostics import mg_features
    >>> from irispy_plus.diagnostics.synthetic import mg_profile
    >>> wave, spectrum = mg_profile()
    >>> maps = mg_features(spectrum, wave)
    >>> float(maps["k2v_velocity"].data), float(maps["k3_velocity"].data)  # km/s
    (-9.6..., 2.5...)
    """
    lo, hi = _check_arguments(vrange, n_points, tension, noise_limit)
    sequence = split_sequence(data)
    if sequence is not None:
        options = {
            "vrange": vrange,
            "tension": tension,
            "n_points": n_points,
            "noise_limit": noise_limit,
            "wing_range": wing_range,
        }
        return [mg_features(cube, wavelength, mask=mask, **options) for cube in sequence]
    y, x, mask, unit, cube = read_input(data, wavelength, mask, "mg_features")
    setups = [line_setup(x, rest, (lo, hi), n_points, tension) for rest in (MGII_K_REST, MGII_H_REST)]
    if all(s is None for s in setups):
        msg = (
            f"mg_features: the wavelengths ({x[0]:.2f}-{x[-1]:.2f} Å) cover neither Mg II k "
            f"({MGII_K_REST} Å) nor h ({MGII_H_REST} Å) over vrange={vrange}; pass the Mg II "
            "k window (e.g. 'Mg II k 2796')."
        )
        raise IrispyPlusDiagnosticError(msg)
    for name, setup in zip("kh", setups, strict=True):
        if setup is None:
            log.info("mg_features: Mg II %s is not covered over %s; its maps are NaN.", name, vrange)
    triplet = _triplet_setup(x)
    wings = None
    if wing_range is not None:
        ends = np.ravel(wing_range.to_value(u.km / u.s))
        if ends.size != 2 or not (ends[0] < lo and ends[1] > hi):
            msg = (
                f"mg_features: wing_range={wing_range} must be two velocities either side of vrange={vrange}."
            )
            raise IrispyPlusDiagnosticError(msg)
        w_lo, w_hi = float(ends[0]), float(ends[1])
        wings = [
            None if setup is None else line_setup(x, rest, (w_lo, w_hi), n_points, tension)
            for rest, setup in zip((MGII_K_REST, MGII_H_REST), setups, strict=True)
        ]
    packed = run_blocks(
        feature_block,
        y,
        mask,
        17 + (8 if wings is not None else 0),
        x=x,
        setups=setups,
        noise_limit=noise_limit,
        triplet=triplet,
        wings=wings,
    )
    return _maps(packed, unit, map_coordinates(cube, packed.ndim - 1), vrange)


def _maps(packed, unit, coords, vrange):
    kms = u.km / u.s
    data_unit = unit if unit is not None else u.dimensionless_unscaled
    out = {}
    means = {}
    line_flags = {}
    for i, line in enumerate("kh"):
        col = 8 * i
        flags = packed[..., col + 7].astype(np.int32)
        serious = (flags & _SERIOUS) != 0
        rest = (MGII_K_REST, MGII_H_REST)[i] * u.AA
        for j, feature in enumerate(("3", "2v", "2r")):
            name = f"{line}{feature}"
            meta = {"diagnostic": "mg_features", "feature": name, "rest_wavelength": rest, "vrange": vrange}
            velocity = packed[..., col + 2 * j]
            intensity = packed[..., col + 2 * j + 1]
            out[f"{name}_velocity"] = make_map(
                velocity, coords, kms, meta, ~np.isfinite(velocity) | serious, flags=flags
            )
            out[f"{name}_intensity"] = make_map(
                intensity, coords, data_unit, meta, ~np.isfinite(intensity) | serious, flags=flags
            )
        blue_v, blue_i = packed[..., col + 2], packed[..., col + 3]
        red_v, red_i = packed[..., col + 4], packed[..., col + 5]
        with np.errstate(invalid="ignore", divide="ignore"):
            asym = (blue_i - red_i) / (blue_i + red_i)
        meta = {"diagnostic": "mg_features", "line": line}
        out[f"{line}_separation"] = make_map(red_v - blue_v, coords, kms, meta, flags=flags)
        out[f"{line}_asymmetry"] = make_map(asym, coords, u.dimensionless_unscaled, meta, flags=flags)
        out[f"{line}_flags"] = flag_map(flags, coords, f"mg_features {line}")
        means[line] = packed[..., col + 6]
        line_flags[line] = flags
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = means["k"] / means["h"]
    out["kh_ratio"] = make_map(
        ratio,
        coords,
        u.dimensionless_unscaled,
        {"diagnostic": "mg_features"},
        flags=line_flags["k"] | line_flags["h"],
    )
    out["triplet_emission"] = make_map(
        packed[..., 16], coords, u.dimensionless_unscaled, {"diagnostic": "mg_features"}
    )
    if packed.shape[-1] > 17:
        for i, line in enumerate("kh"):
            for j, feature in enumerate(("1v", "1r")):
                col = 17 + 4 * i + 2 * j
                meta = {"diagnostic": "mg_features", "feature": f"{line}{feature}"}
                flags = line_flags[line]
                out[f"{line}{feature}_velocity"] = make_map(packed[..., col], coords, kms, meta, flags=flags)
                out[f"{line}{feature}_intensity"] = make_map(
                    packed[..., col + 1], coords, data_unit, meta, flags=flags
                )
    return out
