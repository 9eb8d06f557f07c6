"""
Decode an IRIS OBSID into the observing programme it stands for.

An IRIS OBSID is a ten-digit number such as ``3620258102``. Its first two digits are the
version of the OBS tables the programme was built from (``36``); the other eight are a
sum with one term from each of the tables of that version, which irispy-plus ships in
``irispy_plus/data/obsid/``:

============  =====================================================  ======================
terms         what the term chooses                                  in 3620258102
============  =====================================================  ======================
1-99          raster: size, step, field of view, nominal cadence     2: Medium sit-and-stare
0-1900        the slit-jaw filters                                   100: C II Si IV Mg II
                                                                     h/k Mg II w s
0-14000       the exposure time (1 s, or "Deep x N": N seconds)      8000: Deep x 8
0-220000      spatial and spectral summing                           0: no summing
0-750000      extra spectral summing of the FUV                      250000: FUV x 2
0-4000000     the slit-jaw cadence (v40: also AEC, flat fields)      0: default
0, 5000000    simultaneous readout (v34 and v36 only)                0: non-simultaneous
0, 10000000   compression                                            0: default
0-180000000   the spectrograph line list                             20000000: medium
============  =====================================================  ======================

Each table's terms are larger than all the terms of the tables below it can add up to, so
the terms are found from the largest table down, each time taking the largest term that
fits. The description IRIS writes to the ``OBS_DESC`` header keyword is the raster's
description, field of view and cadence followed by the non-default choices, without the
line list; Level 2 headers cut it to 68 characters.

Examples
--------
>>> from irispy_plus.obsid import ObsID
>>> obsid = ObsID(3620258102)
>>> obsid.exposure_time
<Quantity 8. s>
>>> obsid.raster_description
'Medium sit-and-stare'
>>> obsid["linelist"]
'Medium linelist'
"""

import csv
import functools
import operator
import re
import textwrap
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import astropy.units as u

from irispy_plus.data.files import OBSID_TABLE_DIR
from irispy_plus.utils.exceptions import IrispyPlusObsIDError

__all__ = ["Binning", "IrispyPlusObsIDError", "ObsID", "decode_obsid"]

# Which group of table2000 entries is which, known by the group's default (code 0) entry.
_GROUP_BY_DEFAULT = {
    "C II   Si IV   Mg II h/k   Mg II w": "sji_filters",
    "Exposure 1s": "exposure",
    "Spatial x 1, Spectral x 1": "binning",
    "FUV binned same as NUV": "fuv_binning",
    "SJI cadence default": "sji_cadence",
    "SJI cadence 10s": "sji_cadence",
    "Non-simultaneous readout": "readout",
    "Default compression": "compression",
    "Lossy compression": "compression",
    "Large linelist": "linelist",
}
# Groups that IRIS leaves out of OBS_DESC (3880012095, "Full readout", is described
# as "Very large coarse 64-step raster 126x175 64s   Deep x 30").
_NOT_IN_DESCRIPTION = frozenset({"linelist"})
_TABLE10 = re.compile(r"v(\d{2})-table10\.csv")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_TEN_DIGITS = re.compile(r"[0-9]{10}")


class Binning(NamedTuple):
    """
    On-board summing of spectrograph pixels: along the slit and along wavelength.

    What `ObsID.binning` gives: a named tuple, compared and unpacked like ``(2, 2)``.

    Parameters
    ----------
    spatial : int
        How many pixels along the slit are summed into one.
    spectral : int
        How many pixels along wavelength are summed into one.

    Examples
    --------
    >>> from irispy_plus.obsid import Binning, ObsID
    >>> ObsID(3620258102).binning
    Binning(spatial=1, spectral=1)
    >>> binning = ObsID(3620358102).binning
    >>> binning.spatial, binning.spectral
    (2, 2)
    >>> binning == Binning(spatial=2, spectral=2)
    True
    """

    spatial: int
    spectral: int


class _Entry(NamedTuple):
    code: int
    text: str


class _Raster(NamedTuple):
    code: int
    spectral_windows: str
    raster_step: str
    raster_fov: str
    spectral_cadence: str
    sji_fov: str
    description: str


class _Tables(NamedTuple):
    rasters: dict[int, _Raster]
    # (group name, entries), from the smallest terms to the largest.
    groups: tuple[tuple[str, tuple[_Entry, ...]], ...]


@functools.cache
def _table_versions() -> tuple[int, ...]:
    """
    The OBS table versions shipped, from the file names in ``OBSID_TABLE_DIR``.
    """
    matches = (_TABLE10.fullmatch(path.name) for path in OBSID_TABLE_DIR.iterdir())
    return tuple(sorted(int(match[1]) for match in matches if match))


@functools.cache
def _read_tables(version: int) -> _Tables:
    """
    Read the two OBS tables of one version (once per process).
    """
    path = OBSID_TABLE_DIR / f"v{version}-table10.csv"
    with path.open(newline="", encoding="utf-8") as file:
        rasters = {
            int(row["OBS-ID"]): _Raster(
                code=int(row["OBS-ID"]),
                spectral_windows=row["Spectral WL"].strip(),
                raster_step=row["Raster step"].strip(),
                raster_fov=row["Raster FOV"].strip(),
                spectral_cadence=row["Spectral cadence"].strip(),
                sji_fov=row["SJI FOV"].strip(),
                description=row["Description"].strip(),
            )
            for row in csv.DictReader(file)
        }
    path = OBSID_TABLE_DIR / f"v{version}-table2000.csv"
    groups: list[tuple[str, list[_Entry]]] = []
    with path.open(newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            entry = _Entry(int(row["OBS ID"]), row["Size + description"].strip())
            if entry.code == 0:
                if entry.text not in _GROUP_BY_DEFAULT:
                    msg = (
                        f"{path} starts a group of OBS entries with {entry.text!r}, which "
                        "irispy-plus does not know; the table file is damaged or newer than "
                        "this version of irispy-plus."
                    )
                    raise IrispyPlusObsIDError(msg)
                groups.append((_GROUP_BY_DEFAULT[entry.text], []))
            groups[-1][1].append(entry)
    return _Tables(rasters, tuple((name, tuple(entries)) for name, entries in groups))


def _parse_obsid(obsid: Any) -> int:
    """
    Check that ``obsid`` is a ten-digit number, given as an int or a str.
    """
    if isinstance(obsid, ObsID):
        return obsid.obsid
    if isinstance(obsid, str):
        if _TEN_DIGITS.fullmatch(obsid.strip()):
            return int(obsid)
    elif not isinstance(obsid, bool):
        try:
            number = operator.index(obsid)
        except TypeError:
            pass
        else:
            if 10**9 <= number < 10**10:
                return number
    msg = (
        f"OBSID {obsid!r} is not a ten-digit IRIS OBSID such as 3620258102; pass the "
        "OBSID header keyword or the number in a Level 2 file name, as an int or a str."
    )
    raise IrispyPlusObsIDError(msg)


def _numbers(text: str) -> list[float]:
    return [float(number) for number in _NUMBER.findall(text)]


def _size(text: str) -> u.Quantity:
    """
    ``"0.3x60"`` -> [0.3, 60] arcsec; for a combined raster, its total (``"t: 5.67 x30"``).
    """
    return u.Quantity(_numbers(text.rpartition("t:")[2])[:2], u.arcsec)


class ObsID(Mapping):
    """
    An IRIS OBSID decoded into the observing programme it stands for.

    The values are also available by name, as in a read-only dict, so ``dict(obsid)``
    gives them all.

    Parameters
    ----------
    obsid : int or str
        The ten-digit OBSID, e.g. the ``OBSID`` header keyword of a Level 2 file.

    Raises
    ------
    IrispyPlusObsIDError
        If ``obsid`` is not a ten-digit number, if irispy-plus has no OBS tables of the
        version its first two digits give, or if its digits are not a sum of table terms.

    Examples
    --------
    >>> from irispy_plus.obsid import ObsID
    >>> obsid = ObsID("3860258481")
    >>> obsid
    <ObsID 3860258481: Very large coarse 8-step raster 14x175 8s>
    >>> obsid.raster_step, obsid.raster_fov
    (<Quantity 2. arcsec>, <Quantity [ 14., 175.] arcsec>)
    >>> obsid.binning, obsid.fuv_binning
    (Binning(spatial=1, spectral=1), 2)
    >>> print(obsid)
    IRIS OBSID 3860258481 (OBS tables version 38)
    Description:   Very large coarse 8-step raster 14x175 8s  Si IV   Mg II h/k   Mg II w s Deep x 8
                   FUV spectrally rebinned x 2
    Raster:        step 2 arcsec, field of view 14 x 175 arcsec, cadence 8 s
    SJI:           Si IV, Mg II h/k, Mg II w s; field of view 175 x 175 arcsec; SJI cadence default
    Exposure time: 8 s
    Binning:       spatial x 1, spectral x 1; FUV spectral x 2
    Compression:   Default compression
    Line list:     Flare linelist 1
    """

    _KEYS = (
        "obsid",
        "version",
        "description",
        "raster_description",
        "raster_step",
        "raster_fov",
        "spectral_cadence",
        "sji_filters",
        "sji_fov",
        "sji_cadence",
        "exposure_time",
        "binning",
        "fuv_binning",
        "compression",
        "linelist",
    )

    def __init__(self, obsid: int | str) -> None:
        self._obsid = _parse_obsid(obsid)
        self._version = self._obsid // 10**8
        if self._version not in _table_versions():
            versions = ", ".join(str(version) for version in _table_versions())
            msg = (
                f"OBSID {self._obsid} was built from version {self._version} of the OBS "
                f"tables, but irispy-plus has only versions {versions}. Check the OBSID; "
                "calibration OBSIDs and newer table versions cannot be decoded yet."
            )
            raise IrispyPlusObsIDError(msg)
        tables = _read_tables(self._version)
        remainder = self._obsid % 10**8
        chosen = {}
        for name, entries in reversed(tables.groups):
            entry = max((entry for entry in entries if entry.code <= remainder), key=lambda e: e.code)
            chosen[name] = entry
            remainder -= entry.code
        if remainder not in tables.rasters:
            msg = (
                f"OBSID {self._obsid} does not decode with the version {self._version} OBS "
                f"tables: the other terms leave {remainder}, which is not one of the raster "
                f"terms {min(tables.rasters)}-{max(tables.rasters)} of v{self._version}-"
                "table10.csv. Check the OBSID."
            )
            raise IrispyPlusObsIDError(msg)
        self._raster = tables.rasters[remainder]
        self._entries = dict(reversed(chosen.items()))

    # Mapping interface and dunder methods.
    def __getitem__(self, key: str) -> Any:
        if key not in self._KEYS:
            msg = f"{key!r} is not an OBSID field; the fields are {', '.join(self._KEYS)}"
            raise KeyError(msg)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._KEYS)

    def __len__(self) -> int:
        return len(self._KEYS)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ObsID):
            return self._obsid == other._obsid
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._obsid)

    def __repr__(self) -> str:
        raster = self._raster
        return f"<ObsID {self._obsid}: {raster.description} {raster.raster_fov} {raster.spectral_cadence}>"

    def __str__(self) -> str:
        def size(quantity):
            return " x ".join(f"{value:g}" for value in quantity.value) + f" {quantity.unit}"

        step = self.raster_step
        step = ", ".join(f"{value:g}" for value in step.value.ravel()) + f" {step.unit}"
        fuv = f"; FUV spectral x {self.fuv_binning}" if self.fuv_binning != self.binning.spectral else ""
        rows = {
            "Description": self.description,
            "Raster": (
                f"step {step}, field of view {size(self.raster_fov)}, "
                f"cadence {self.spectral_cadence.value:g} {self.spectral_cadence.unit}"
            ),
            "SJI": (f"{', '.join(self.sji_filters)}; field of view {size(self.sji_fov)}; {self.sji_cadence}"),
            "Exposure time": f"{self.exposure_time.value:g} {self.exposure_time.unit}",
            "Binning": f"spatial x {self.binning.spatial}, spectral x {self.binning.spectral}{fuv}",
            "Compression": self.compression,
            "Line list": self.linelist,
        }
        lines = [f"IRIS OBSID {self._obsid} (OBS tables version {self._version})"]
        lines += [
            f"{label + ':':<14} " + f"\n{'':<15}".join(textwrap.wrap(value, width=80))
            for label, value in rows.items()
        ]
        return "\n".join(lines)

    # The decoded values.
    @property
    def obsid(self) -> int:
        """
        The OBSID as a number.
        """
        return self._obsid

    @property
    def version(self) -> int:
        """
        The version of the OBS tables the OBSID was built from: its first two digits.
        """
        return self._version

    @property
    def terms(self) -> dict[str, tuple[int, str]]:
        """
        How the last eight digits decompose: table name -> (term, table text).

        The ``"raster"`` term comes first, then one per table from the smallest terms
        to the largest, defaults (term 0) included. The terms add up to
        ``obsid - version * 10**8``.

        Examples
        --------
        >>> from irispy_plus.obsid import ObsID
        >>> ObsID(3620258102).terms["exposure"]
        (8000, 'Deep x 8')
        """
        terms = {"raster": (self._raster.code, self._raster.description)}
        return terms | {name: (entry.code, entry.text) for name, entry in self._entries.items()}

    @property
    def description(self) -> str:
        """
        The programme's description, as IRIS writes it to the ``OBS_DESC`` keyword.

        The raster's description, field of view and nominal cadence, then the non-default
        choices of the other tables but the line list. Level 2 headers cut ``OBS_DESC``
        to 68 characters, so a header holds ``description[:68].rstrip()``.

        Examples
        --------
        >>> from irispy_plus.obsid import ObsID
        >>> ObsID(3880012095).description
        'Very large coarse 64-step raster 126x175 64s   Deep x 30'
        """
        raster = self._raster
        parts = [
            f"{raster.description} {raster.raster_fov} {raster.spectral_cadence}",
            "" if raster.spectral_windows == "default" else raster.spectral_windows,
        ]
        parts += [
            entry.text if entry.code else ""
            for name, entry in self._entries.items()
            if name not in _NOT_IN_DESCRIPTION
        ]
        return " ".join(parts).rstrip()

    @property
    def raster_description(self) -> str:
        """
        The kind and size of raster, e.g. ``"Very large coarse 8-step raster"``.
        """
        return self._raster.description

    @property
    def raster_step(self) -> u.Quantity:
        """
        The step between slit positions (arcsec).

        One value, or one per part of a combined raster such as the version 40
        "sparse/dense/sparse" rasters. The nominal step of a sit-and-stare is 0.33 arcsec.
        """
        steps = _numbers(self._raster.raster_step)
        return u.Quantity(steps[0] if len(steps) == 1 else steps, u.arcsec)

    @property
    def raster_fov(self) -> u.Quantity:
        """
        The field of view of the spectrograph: [across the slit, along the slit] (arcsec).
        """
        return _size(self._raster.raster_fov)

    @property
    def spectral_cadence(self) -> u.Quantity:
        """
        The nominal time of one raster with 1 s exposures, as the raster table gives it.
        """
        return _numbers(self._raster.spectral_cadence)[0] * u.s

    @property
    def sji_filters(self) -> tuple[str, ...]:
        """
        The slit-jaw filters used, e.g. ``("C II", "Si IV", "Mg II h/k", "Mg II w s")``.
        """
        return tuple(re.split(r"\s{2,}", self._entries["sji_filters"].text))

    @property
    def sji_fov(self) -> u.Quantity:
        """
        The field of view of the slit-jaw images: [x, y] (arcsec).
        """
        return _size(self._raster.sji_fov)

    @property
    def sji_cadence(self) -> str:
        """
        The slit-jaw cadence, as the table gives it (e.g. ``"SJI cadence default"``).
        """
        return self._entries["sji_cadence"].text

    @property
    def exposure_time(self) -> u.Quantity:
        """
        The nominal exposure time: 1 s, or N s for "Deep x N" (s).

        Automatic exposure control can shorten exposures during flares; the actual
        times are in each file's auxiliary table.
        """
        return _numbers(self._entries["exposure"].text)[-1] * u.s

    @property
    def binning(self) -> Binning:
        """
        The on-board summing of spectrograph pixels: along the slit and along wavelength.
        """
        spatial, spectral = _numbers(self._entries["binning"].text)
        return Binning(int(spatial), int(spectral))

    @property
    def fuv_binning(self) -> int:
        """
        The summing of FUV spectrograph pixels along wavelength.

        The same as ``binning.spectral`` unless the FUV is rebinned on its own (the
        ``SUMSPTRF`` keyword of a raster file).
        """
        entry = self._entries["fuv_binning"]
        return int(_numbers(entry.text)[-1]) if entry.code else self.binning.spectral

    @property
    def compression(self) -> str:
        """
        The compression of the data on board, as the table gives it.
        """
        return self._entries["compression"].text

    @property
    def linelist(self) -> str:
        """
        The spectrograph line list (the windows read out), as the table gives it.
        """
        return self._entries["linelist"].text


def decode_obsid(obsid: int | str) -> ObsID:
    """
    Decode an IRIS OBSID.

    Parameters
    ----------
    obsid : int or str
        The ten-digit OBSID, e.g. the ``OBSID`` header keyword of a Level 2 file.

    Returns
    -------
    ObsID
        The decoded programme.

    Raises
    ------
    IrispyPlusObsIDError
        If ``obsid`` is malformed or the OBS tables shipped cannot decode it.

    Examples
    --------
    >>> from irispy_plus.obsid import decode_obsid
    >>> obsid = decode_obsid(3620258102)
    >>> obsid.description[:68]
    'Medium sit-and-stare 0.3x60 1s  C II   Si IV   Mg II h/k   Mg II w s'
    >>> obsid.sji_filters
    ('C II', 'Si IV', 'Mg II h/k', 'Mg II w s')
    """
    return ObsID(obsid)
