r"""
Non-thermal velocities from observed line widths.

An optically thin line observed by IRIS has a Gaussian profile whose full width at half
maximum adds in quadrature the instrumental, thermal and non-thermal widths:

.. math::

    \Delta\lambda_\mathrm{obs}^2 = \Delta\lambda_\mathrm{inst}^2 + \Delta\lambda_\mathrm{th}^2
        + \Delta\lambda_\mathrm{nt}^2,
    \qquad
    \Delta\lambda_\mathrm{th} = \sqrt{4\ln 2}\,\frac{\lambda_0}{c}\sqrt{\frac{2 k_B T}{m}},
    \qquad
    \xi = v_\mathrm{nt} = \frac{c}{\lambda_0}\frac{\Delta\lambda_\mathrm{nt}}{\sqrt{4 \ln 2}},

with :math:`T` the formation temperature and :math:`m` the ion mass (this is the
convention of ``eis_width2velocity.pro`` in SolarSoft and of the IRIS tutorial's
``iris_vnt``). Constants: :math:`c` and :math:`k_B` from `astropy.constants` (CODATA
2018), masses in atomic mass units. Where the observed width is narrower than the
instrumental and thermal widths together, the non-thermal width and velocity are 0.

Instrumental FWHM per channel (`INSTRUMENTAL_FWHM`): FUV short (1332-1358 Å) 0.0286 Å,
FUV long (1389-1407 Å) 0.0318 Å, NUV 0.0483 Å.
"""

import astropy.constants as const
import astropy.units as u
import numpy as np

from irispy_plus.physics.ions import formation_temperature, ion_mass, thermal_velocity
from irispy_plus.physics.lines import IrispyPlusLineError
from irispy_plus.utils.exceptions import warn_user

__all__ = [
    "FWHM_PER_SIGMA",
    "INSTRUMENTAL_FWHM",
    "instrumental_fwhm",
    "iris_vnt",
    "nonthermal_velocity",
    "thermal_fwhm",
]

#: FWHM of a Gaussian in units of its standard deviation, :math:`2\sqrt{2\ln 2}`.
FWHM_PER_SIGMA = float(2 * np.sqrt(2 * np.log(2)))

#: Instrumental FWHM of the IRIS spectrograph per detector channel.
INSTRUMENTAL_FWHM = {
    "FUV short": 0.0286 * u.AA,
    "FUV long": 0.0318 * u.AA,
    "NUV": 0.0483 * u.AA,
}

_C_KMS = const.c.to_value(u.km / u.s)
_SQRT_4LN2 = float(np.sqrt(4 * np.log(2)))


def instrumental_fwhm(wavelength) -> u.Quantity:
    """
    The instrumental FWHM of IRIS at a wavelength, from the channel it falls in.

    Parameters
    ----------
    wavelength : `~astropy.units.Quantity` or float
        A wavelength (float: Å), e.g. a line's rest wavelength.

    Returns
    -------
    `~astropy.units.Quantity`
        FWHM in Å: FUV short below 1370 Å, FUV long below 2000 Å, NUV above.

    Examples
    --------
    >>> from irispy_plus.physics import instrumental_fwhm
    >>> instrumental_fwhm(1402.77)
    <Quantity 0.0318 Angstrom>
    """
    wave = u.Quantity(wavelength, u.AA).to_value(u.AA)
    if np.ndim(wave):
        wave = float(np.mean(wave))
    if wave < 1370:
        return INSTRUMENTAL_FWHM["FUV short"]
    if wave < 2000:
        return INSTRUMENTAL_FWHM["FUV long"]
    return INSTRUMENTAL_FWHM["NUV"]


def thermal_fwhm(element: str, ion: str, wavelength, log_temperature=None) -> u.Quantity:
    r"""
    The thermal FWHM of a line, :math:`\sqrt{4\ln 2}\,\lambda_0 v_t / c`.

    Parameters
    ----------
    element : str
        Chemical symbol, e.g. ``"Si"``.
    ion : str
        Ionisation stage, e.g. ``"iv"``, or the full ion ``"Si IV"``.
    wavelength : `~astropy.units.Quantity` or float
        Rest wavelength (float: Å).
    log_temperature : float, optional
        log10 of the ion temperature in K; by default the formation temperature from the
        line list.

    Returns
    -------
    `~astropy.units.Quantity`
        Thermal FWHM in Å.

    Examples
    --------
    >>> from irispy_plus.physics import thermal_fwhm
    >>> thermal_fwhm("Si", "iv", 1402.77).round(5)
    <Quantity 0.05343 Angstrom>
    """
    temperature = (
        formation_temperature(element, ion) if log_temperature is None else 10**log_temperature * u.K
    )
    v_t = thermal_velocity(ion_mass(element), temperature)
    return (_SQRT_4LN2 * u.Quantity(wavelength, u.AA) * v_t / const.c).to(u.AA)


def _nonthermal(fwhm_aa, inst_aa, therm_aa, wave_aa):
    fwhm_aa = np.asarray(fwhm_aa, dtype=float)
    nt2 = fwhm_aa**2 - inst_aa**2 - therm_aa**2
    with np.errstate(invalid="ignore"):
        fwhm_nt = np.where(nt2 > 0, np.sqrt(np.where(nt2 > 0, nt2, 0.0)), 0.0)
    fwhm_nt = np.where(np.isfinite(fwhm_aa), fwhm_nt, np.nan)
    v_nt = _C_KMS * fwhm_nt / wave_aa / _SQRT_4LN2
    return v_nt, fwhm_nt


def iris_vnt(
    element: str,
    ion: str,
    wavelength,
    fwhm,
    inst_wid=None,
    *,
    ti=None,
    nt_fwhm=False,
    therm_v=False,
    verbose=False,
):
    """
    The non-thermal velocity of a line from its observed FWHM (the tutorial's interface).

    Parameters
    ----------
    element : str
        Chemical symbol, e.g. ``"Si"``.
    ion : str
        Ionisation stage, e.g. ``"iv"``.
    wavelength : float or `~astropy.units.Quantity`
        Rest wavelength of the line (float: Å).
    fwhm : float, array or `~astropy.units.Quantity`
        Observed FWHM (float: Å), any shape.
    inst_wid : float or `~astropy.units.Quantity`, optional
        Instrumental FWHM (float: Å), e.g. ``INSTRUMENTAL_FWHM["FUV long"]``. If not given,
        0 is used and a warning is emitted, as in the tutorial; `nonthermal_velocity`
        picks the channel's value instead.
    ti : float, optional
        log10 of the ion temperature in K; by default the formation temperature from the
        line list.
    nt_fwhm : bool, optional
        Also return the non-thermal FWHM.
    therm_v : bool, optional
        Also return the thermal velocity.
    verbose : bool, optional
        Print the temperature, the thermal velocity and the widths used, as the tutorial's
        ``iris_vnt`` does (this function prints only when asked).

    Returns
    -------
    v_nt : float or array
        Non-thermal velocity in km/s, 0 where the observed width is narrower than the
        instrumental and thermal widths together (a Quantity if ``fwhm`` was one).
    fwhm_nt : float or array
        Non-thermal FWHM in Å, if ``nt_fwhm``.
    v_t : float
        Thermal velocity in km/s, if ``therm_v``.

    Raises
    ------
    IrispyPlusLineError
        If the ion is not in the line list and ``ti`` is not given, or the element has no
        mass in the ion table.

    Examples
    --------
    >>> from irispy_plus.physics import iris_vnt
    >>> round(float(iris_vnt("Si", "iv", 1402.77, 0.1, inst_wid=0.0318)), 2)
    10.05
    >>> v_nt = iris_vnt("Si", "iv", 1402.77, 0.1, inst_wid=0.0318, verbose=True)
    iris_vnt Si IV 1402.77 Å: log T = 4.90, thermal velocity 6.86 km/s
      thermal FWHM 0.0534 Å, instrumental FWHM 0.0318 Å, observed FWHM 0.1000 Å
    """
    as_quantity = isinstance(fwhm, u.Quantity)
    wave_aa = u.Quantity(wavelength, u.AA).to_value(u.AA)
    fwhm_aa = u.Quantity(fwhm, u.AA).to_value(u.AA)
    if inst_wid is None:
        warn_user("iris_vnt: no instrumental width given (inst_wid=None); using 0.")
        inst_aa = 0.0
    else:
        inst_aa = u.Quantity(inst_wid, u.AA).to_value(u.AA)
    temperature = formation_temperature(element, ion) if ti is None else 10**ti * u.K
    v_t = thermal_velocity(ion_mass(element), temperature).to_value(u.km / u.s)
    therm_aa = _SQRT_4LN2 * wave_aa * v_t / _C_KMS
    v_nt, fwhm_nt = _nonthermal(fwhm_aa, inst_aa, therm_aa, wave_aa)
    if verbose:
        print(  # noqa: T201 - the tutorial's verbose=True prints; asked for explicitly
            f"iris_vnt {element.capitalize()} {ion.upper()} {wave_aa:g} Å: "
            f"log T = {np.log10(temperature.to_value(u.K)):.2f}, thermal velocity {v_t:.2f} km/s\n"
            f"  thermal FWHM {therm_aa:.4f} Å, instrumental FWHM {inst_aa:.4f} Å, observed FWHM "
            + (
                f"{float(fwhm_aa):.4f} Å"
                if np.ndim(fwhm_aa) == 0
                else f"median {np.nanmedian(fwhm_aa):.4f} Å"
            )
        )
    if np.ndim(fwhm_aa) == 0:
        v_nt, fwhm_nt = float(v_nt), float(fwhm_nt)
    if as_quantity:
        v_nt, fwhm_nt, v_t = v_nt * (u.km / u.s), fwhm_nt * u.AA, v_t * (u.km / u.s)
    out = [v_nt]
    if nt_fwhm:
        out.append(fwhm_nt)
    if therm_v:
        out.append(v_t)
    return out[0] if len(out) == 1 else tuple(out)


def nonthermal_velocity(
    width,
    ion: str,
    rest_wavelength=None,
    *,
    log_temperature=None,
    instrumental=None,
    sigma=True,
):
    """
    Non-thermal velocities for arrays, Quantities or cubes of line widths.

    Parameters
    ----------
    width : `~astropy.units.Quantity`, array or `ndcube.NDCube`
        Observed line widths (arrays and cubes without a unit are taken as Å), e.g. a
        `~irispy_plus.fitting.FitResult` width map.
    ion : str
        The ion, e.g. ``"Si IV"``.
    rest_wavelength : `~astropy.units.Quantity` or float, optional
        Rest wavelength; needed if the ion has several lines in the line list.
    log_temperature : float, optional
        log10 of the ion temperature in K; by default the formation temperature.
    instrumental : `~astropy.units.Quantity` or float, optional
        Instrumental FWHM; by default that of the channel of the rest wavelength
        (`instrumental_fwhm`).
    sigma : bool, optional
        If True (default) ``width`` is a Gaussian standard deviation, else a FWHM.

    Returns
    -------
    `~astropy.units.Quantity` or `~irispy_plus.utils.quality.DerivedMap`
        Non-thermal velocity in km/s (0 where the line is narrower than instrumental plus
        thermal, NaN where the width is NaN); a cube gives a map with the input's WCS,
        coordinates, mask and meta, and the width map's quality flags (``FILL`` where
        the width is masked or NaN if it has none).

    Raises
    ------
    IrispyPlusLineError
        If the ion is not in the line list.

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus.physics import nonthermal_velocity
    >>> nonthermal_velocity([0.1, 0.01] * u.AA, "Si IV", 1402.77 * u.AA, sigma=False).round(2)
    <Quantity [10.05,  0.  ] km / s>
    """
    from irispy_plus.physics.lines import rest_wavelength as _rest

    parts = ion.split()
    if len(parts) != 2:
        msg = f"ion={ion!r} must be element and stage, e.g. 'Si IV'."
        raise IrispyPlusLineError(msg)
    element, stage = parts
    wave = _rest(ion, near=rest_wavelength)
    if rest_wavelength is not None:
        wave = u.Quantity(rest_wavelength, u.AA)
    wave_aa = wave.to_value(u.AA)
    inst = instrumental_fwhm(wave) if instrumental is None else u.Quantity(instrumental, u.AA)
    therm = thermal_fwhm(element, stage, wave, log_temperature=log_temperature)
    cube = hasattr(width, "wcs") and hasattr(width, "data")
    if cube:
        unit = width.unit if width.unit is not None else u.AA
        values = u.Quantity(np.asarray(width.data), unit).to_value(u.AA)
    else:
        values = u.Quantity(width, u.AA).to_value(u.AA)
    fwhm = values * FWHM_PER_SIGMA if sigma else values
    v_nt, _ = _nonthermal(fwhm, inst.to_value(u.AA), therm.to_value(u.AA), wave_aa)
    if not cube:
        return v_nt * (u.km / u.s)
    from irispy_plus.utils._plotting import as_map
    from irispy_plus.utils.quality import DerivedMap

    meta = dict(width.meta or {})
    component = str(meta.get("parameter", "")).removeprefix("width")
    meta["parameter"] = f"nonthermal{component}"
    return as_map(
        DerivedMap(
            v_nt,
            wcs=width.wcs,
            unit=u.km / u.s,
            mask=getattr(width, "mask", None),
            meta=meta,
            extra_coords=getattr(width, "extra_coords", None),
            global_coords=getattr(width, "global_coords", None),
            flags=width.flags if isinstance(width, DerivedMap) else None,
        )
    )
