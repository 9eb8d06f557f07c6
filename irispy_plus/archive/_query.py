"""
Query the catalogue of an archive: which observations meet given criteria.
"""

import astropy.units as u
import numpy as np

from irispy_plus.archive._observation import normalize_band
from irispy_plus.utils.exceptions import IrispyPlusError

__all__ = ["select_mask"]

_CRITERIA = (
    "time",
    "obsid",
    "description",
    "windows",
    "bands",
    "fov_x",
    "fov_y",
    "distance",
    "steps",
    "repeats",
)


def _as_list(value):
    return [value] if isinstance(value, str | int | np.integer) else list(value)


def _time_mask(table, value):
    from sunpy.time import TimeRange, parse_time

    if isinstance(value, TimeRange):
        start, end = value.start, value.end
    else:
        try:
            start, end = (parse_time(item) for item in value)
        except (TypeError, ValueError) as error:
            msg = f"time= takes (start, end) or a sunpy TimeRange, not {value!r} ({error})."
            raise IrispyPlusError(msg) from None
    return np.asarray((table["start"] <= end) & (table["end"] >= start))


def _range(value, name):
    if isinstance(value, tuple | list):
        if len(value) != 2:
            msg = f"{name}= takes one value or a (minimum, maximum) pair, None for no limit; got {value!r}."
            raise IrispyPlusError(msg)
        return value
    return value, value


def _numeric_mask(column, value, name):
    low, high = _range(value, name)
    unit = getattr(column, "unit", None)
    values = column.to_value(unit) if unit is not None else np.asarray(column)
    mask = np.ones(len(column), dtype=bool)
    for bound, compare in ((low, np.greater_equal), (high, np.less_equal)):
        if bound is None:
            continue
        limit = bound
        if unit is not None:
            if not isinstance(bound, u.Quantity):
                msg = f"{name}= takes quantities (e.g. 60 * u.arcsec), not {bound!r}."
                raise IrispyPlusError(msg)
            try:
                limit = bound.to_value(unit)
            except u.UnitConversionError:
                msg = f"{name}= takes quantities in {unit} or convertible units, not {bound.unit}."
                raise IrispyPlusError(msg) from None
        with np.errstate(invalid="ignore"):
            mask &= compare(values, limit)
    return mask


def _labels(column):
    return [{label.lower() for label in str(text).split(", ") if label} for text in column]


def select_mask(table, **criteria):
    """
    Which rows of a catalogue meet every criterion given.

    Parameters
    ----------
    table : astropy.table.QTable
        The catalogue (`Archive.table`).
    time : tuple or sunpy.time.TimeRange, optional
        ``(start, end)``: observations that overlap this time range.
    obsid : int or list of int, optional
        One OBSID or any of several.
    description : str or list of str, optional
        Text that the description (OBS_DESC) holds, case-insensitive; all of several.
    windows : str or list of str, optional
        Spectral window labels, e.g. ``"Mg II k 2796"``; all must be present.
    bands : int, str or list of them, optional
        Slit-jaw bands (``1400``, ``"SJI_2796"``); all must be present.
    fov_x, fov_y : astropy.units.Quantity or pair of them, optional
        Field of view across and along the slit: an exact value or ``(min, max)``, None
        for no limit.
    distance : astropy.units.Quantity or pair of them, optional
        Distance of the pointing from disk centre, ``(min, max)``.
    steps, repeats : int or pair of int, optional
        Raster steps (1 for sit-and-stare) and raster repeats: exact or ``(min, max)``.

    Returns
    -------
    numpy.ndarray of bool
        True for the rows that meet every criterion (``len(table)`` values).

    Raises
    ------
    IrispyPlusError
        For an unknown criterion or a value of the wrong kind.

    Examples
    --------
    `Archive.select` uses it; on the catalogue of a small archive:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import astropy.units as u
    >>> from irispy_plus.archive import Archive, select_mask
    >>> from irispy_plus.testing.archives import make_archive
    >>> folder = tempfile.TemporaryDirectory()
    >>> table = Archive(make_archive(Path(folder.name) / "iris", n_observations=4)).table
    >>> table["sji_bands"].tolist()
    ['SJI_1400', 'SJI_2832', 'SJI_1400', 'SJI_2832']
    >>> select_mask(table, bands=1400)
    array([ True, False,  True, False])
    >>> mask = select_mask(table, bands=1400, distance=(None, 900 * u.arcsec))
    >>> table["obs_id"][mask].tolist()
    ['20150103_020000_3600000002']
    >>> folder.cleanup()
    """
    unknown = sorted(set(criteria) - set(_CRITERIA))
    if unknown:
        msg = f"Unknown selection criteria {unknown}; the criteria are: {', '.join(_CRITERIA)}."
        raise IrispyPlusError(msg)
    mask = np.ones(len(table), dtype=bool)
    for name, value in criteria.items():
        if value is None:
            continue
        if name == "time":
            mask &= _time_mask(table, value)
        elif name == "obsid":
            mask &= np.isin(np.asarray(table["obsid"]), [int(item) for item in _as_list(value)])
        elif name == "description":
            words = [str(word).lower() for word in _as_list(value)]
            texts = [str(text).lower() for text in table["description"]]
            mask &= np.array([all(word in text for word in words) for text in texts], dtype=bool)
        elif name in ("windows", "bands"):
            column = "windows" if name == "windows" else "sji_bands"
            wanted = [str(item) if name == "windows" else normalize_band(item) for item in _as_list(value)]
            wanted = {item.lower() for item in wanted}
            present = _labels(table[column])
            mask &= np.array([wanted <= labels for labels in present], dtype=bool)
        else:
            column = {"steps": "n_steps", "repeats": "n_repeats"}.get(name, name)
            mask &= _numeric_mask(table[column], value, name)
    return mask
