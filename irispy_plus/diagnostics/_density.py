"""
Electron densities from line ratios: a given ratio-density curve, or one from CHIANTI.
"""

import configparser
import importlib.util
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.nddata import StdDevUncertainty
from astropy.table import QTable

from irispy_plus.diagnostics._ratios import RATIO_FLAGS, RATIOS
from irispy_plus.utils.exceptions import IrispyPlusError
from irispy_plus.utils.optional import import_optional
from irispy_plus.utils.quality import DerivedMap

__all__ = ["chianti_ratio_curve", "density_from_ratio"]


def _curve(curve, density_range, n_samples):
    if callable(curve):
        density = np.geomspace(*u.Quantity(density_range, u.cm**-3).value, n_samples)
        ratio = u.Quantity(curve(density * u.cm**-3)).to_value(u.one)
    elif hasattr(curve, "colnames") or isinstance(curve, dict):
        density = u.Quantity(curve["density"], u.cm**-3).value
        ratio = u.Quantity(curve["ratio"]).to_value(u.one)
    else:
        density_part, ratio_part = curve
        density = u.Quantity(density_part, u.cm**-3).value
        ratio = u.Quantity(ratio_part).to_value(u.one)
    density, ratio = np.asarray(density, float), np.asarray(ratio, float)
    if density.shape != ratio.shape or density.size < 2 or not np.all(np.isfinite(ratio)):
        msg = "The ratio curve needs at least two finite (density, ratio) pairs of the same length."
        raise IrispyPlusError(msg)
    order = np.argsort(density)
    density, ratio = density[order], ratio[order]
    steps = np.diff(ratio)
    if not (np.all(steps > 0) or np.all(steps < 0)):
        msg = (
            "The ratio curve is not monotonic in density over the range given, so a ratio does "
            "not determine one density; restrict density_range (or the table) to one branch."
        )
        raise IrispyPlusError(msg)
    return np.log10(density), ratio


def density_from_ratio(ratio, curve, *, density_range=(1e8, 1e13) * u.cm**-3, n_samples=201) -> dict:
    """
    Electron density from a line ratio map and an atomic-physics ratio-density curve.

    The curve is inverted by linear interpolation of log10(density) against the ratio;
    the density's uncertainty is the ratio's times the local slope,
    ``sigma_n = n ln(10) |d log10 n / dR| sigma_R``.

    Parameters
    ----------
    ratio : dict or ndcube.NDCube
        The output of `line_ratio` or `ratio_map` (or its ``"ratio"`` map).
    curve : table, pair of arrays or callable
        The theoretical ratio as a function of density: a table with ``density`` (cm-3)
        and ``ratio`` columns (e.g. from `chianti_ratio_curve`), a ``(density, ratio)``
        pair, or a callable taking densities (Quantity, cm-3) and returning ratios.
        It must be monotonic over the range used.
    density_range : astropy.units.Quantity, optional
        Where a callable is sampled (log-spaced).
    n_samples : int, optional
        How many samples of a callable.

    Returns
    -------
    dict
        ``"density"``: a `~irispy_plus.utils.quality.DerivedMap` in cm-3 with
        uncertainty, NaN and masked outside the curve's range or where the ratio is
        masked, whose ``flags`` are those of ``"flags"``: the ratio's flags plus
        ``OUT_OF_RANGE`` where the ratio is beyond the curve's ends (the low- or
        high-density limit).

    Raises
    ------
    IrispyPlusError
        If the curve is not usable (too short, not finite or not monotonic).

    Examples
    --------
    >>> import numpy as np
    >>> import astropy.units as u
    >>> from ndcube import NDCube
    >>> from astropy.nddata import StdDevUncertainty
    >>> from astropy.wcs import WCS
    >>> from irispy_plus.diagnostics import density_from_ratio
    >>> curve = (np.array([1e9, 1e10, 1e11, 1e12]) * u.cm**-3, [0.15, 0.2, 0.3, 0.4])
    >>> ratio = NDCube(np.array([0.25]), wcs=WCS(naxis=1), uncertainty=StdDevUncertainty([0.01]))
    >>> out = density_from_ratio(ratio, curve)
    >>> out["density"].data.round(-8), out["density"].unit
    (array([3.16e+10]), Unit("1 / cm3"))
    """
    log_density, curve_ratio = _curve(curve, density_range, n_samples)
    if isinstance(ratio, dict):
        cube, flags_in = ratio["ratio"], np.asarray(ratio["flags"].data)
    elif isinstance(ratio, DerivedMap):
        cube, flags_in = ratio, ratio.flags
    else:
        cube, flags_in = ratio, np.zeros(np.shape(ratio.data), np.int32)
    values = np.asarray(cube.data, float)
    errors = (
        np.full(values.shape, np.nan)
        if cube.uncertainty is None
        else np.asarray(cube.uncertainty.represent_as(StdDevUncertainty).array, float)
    )
    order = np.argsort(curve_ratio)
    x, y = curve_ratio[order], log_density[order]
    with np.errstate(invalid="ignore"):
        outside = np.isfinite(values) & ((values < x[0]) | (values > x[-1]))
        log_n = np.interp(values, x, y)
        segment = np.clip(np.searchsorted(x, values) - 1, 0, x.size - 2)
        slope = (y[segment + 1] - y[segment]) / (x[segment + 1] - x[segment])
        density = 10**log_n
        sigma = density * np.log(10) * np.abs(slope) * errors
    flags = flags_in.astype(np.int32).copy()
    flags[outside] |= RATIO_FLAGS["OUT_OF_RANGE"]
    mask = ~np.isfinite(values) | outside
    if cube.mask is not None:
        mask |= np.asarray(cube.mask, bool)
    density = np.where(mask, np.nan, density)
    sigma = np.where(mask, np.nan, sigma)
    unit = u.cm**-3
    common = {
        "wcs": cube.wcs,
        "extra_coords": cube.extra_coords,
        "global_coords": getattr(cube, "global_coords", None),
    }
    return {
        "density": DerivedMap(
            density,
            unit=unit,
            uncertainty=StdDevUncertainty(sigma, unit=unit),
            mask=mask,
            meta={"curve": {"density": 10**log_density * unit, "ratio": curve_ratio}},
            flags=flags,
            **common,
        ),
        "flags": DerivedMap(
            flags, mask=np.zeros(flags.shape, bool), meta={"bits": dict(RATIO_FLAGS)}, flags=flags, **common
        ),
    }


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}


def _fiasco_ion(fiasco, name, temperature, root):
    element, stage = name.split()
    return fiasco.Ion(f"{element} {_ROMAN[stage]}", temperature, hdf5_dbase_root=root)


def _chianti_database(path):
    """
    The CHIANTI HDF5 database fiasco would use (``path`` if given), found without importing
    fiasco: importing it imports plasmapy, which contacts the network.
    """
    if path is None:
        home = Path.home() / ".fiasco"
        path = home / "chianti_dbase.h5"
        rc = home / "fiascorc"
        if rc.is_file():
            config = configparser.ConfigParser()
            config.read(rc)
            path = config.get("database", "hdf5_dbase_root", fallback=str(path))
    path = Path(path).expanduser()
    if importlib.util.find_spec("fiasco") is None:
        msg = (
            "fiasco is needed for CHIANTI ratio curves but is not installed. Install it with: "
            "pip install 'irispy-plus[density]'"
        )
        raise IrispyPlusError(msg)
    if not path.is_file():
        msg = (
            f"No CHIANTI database for fiasco at {path}. Build it once as the fiasco documentation "
            "describes (fiasco.util.check_database), pass its path as database=, or pass your "
            "own ratio-density curve to density_from_ratio."
        )
        raise IrispyPlusError(msg)
    return path


def chianti_ratio_curve(name, *, temperature=None, density=None, database=None) -> QTable:
    """
    A ratio-density curve from CHIANTI through fiasco (``pip install 'irispy-plus[density]'``).

    The ratio of the contribution functions of the two lines of a `RATIOS` entry (each
    the ion's transition nearest the given wavelength) at one temperature.

    Parameters
    ----------
    name : str
        A key of `RATIOS`.
    temperature : astropy.units.Quantity, optional
        By default the formation temperature of the numerator's ion in
        `irispy_plus.physics.line_list`.
    density : astropy.units.Quantity, optional
        The densities of the curve; 51 log-spaced from 1e8 to 1e13 cm-3 by default.
    database : path-like, optional
        The CHIANTI HDF5 database; by default fiasco's (``hdf5_dbase_root`` of
        ``~/.fiasco/fiascorc``, else ``~/.fiasco/chianti_dbase.h5``).

    Returns
    -------
    astropy.table.QTable
        ``density`` and ``ratio`` columns, for `density_from_ratio`.

    Raises
    ------
    IrispyPlusError
        If fiasco is not installed, no CHIANTI database is found (nothing is downloaded
        here), or ``name`` is unknown.

    Examples
    --------
    The curves that can be asked for are the keys of `RATIOS`:

    >>> from irispy_plus.diagnostics import RATIOS
    >>> list(RATIOS)[0]
    'O IV 1399.77/1401.16'

    Computing a curve needs fiasco and a CHIANTI database (some hundreds of MB, built
    once as the fiasco documentation describes). Neither is installed where these
    examples are tested, so the following lines are shown but not run:

    >>> import astropy.units as u
    >>> from irispy_plus.diagnostics import chianti_ratio_curve
    >>> curve = chianti_ratio_curve("O IV 1399.77/1401.16", temperature=10**5.15 * u.K)  # doctest: +SKIP
    >>> curve.colnames, len(curve)  # doctest: +SKIP
    (['density', 'ratio'], 51)

    The table is the ``curve`` of `density_from_ratio`, e.g.
    ``density_from_ratio(ratio_map, curve)``.
    """
    if name not in RATIOS:
        msg = f"Unknown ratio {name!r}; choose one of {', '.join(map(repr, RATIOS))}."
        raise IrispyPlusError(msg)
    root = _chianti_database(database)
    fiasco = import_optional("fiasco", "density")
    density = np.geomspace(1e8, 1e13, 51) * u.cm**-3 if density is None else density
    (ion_a, line_a), (ion_b, line_b) = RATIOS[name]
    if temperature is None:
        from irispy_plus.physics.lines import find_lines

        rows = find_lines(ion=ion_a)
        temperature = 10 ** float(rows["log_temperature"][0]) * u.K
    temperature = np.atleast_1d(u.Quantity(temperature, u.K))
    values = []
    for ion_name, line in ((ion_a, line_a), (ion_b, line_b)):
        ion = _fiasco_ion(fiasco, ion_name, temperature, root)
        wavelengths = u.Quantity(ion.transitions.wavelength, u.AA)
        index = int(np.nanargmin(np.abs(wavelengths - line)))
        contribution = ion.contribution_function(u.Quantity(density, u.cm**-3))
        values.append(np.asarray(contribution[0, :, index].value, dtype=float))
    table = QTable({"density": u.Quantity(density, u.cm**-3), "ratio": values[0] / values[1]})
    table.meta.update({"ratio": name, "temperature": temperature[0], "source": "CHIANTI via fiasco"})
    return table
