"""
Search attributes for the HEK Coverage Registry (available as ``sunpy.net.attrs.iris``).

One attribute per HCR filter; combine them with ``&`` and ``|`` and the general attributes
``a.Time``, ``a.Instrument.iris``, ``a.Level(2)`` and ``a.Wavelength``.

Examples
--------
>>> import astropy.units as u
>>> from sunpy.net import attrs as a
>>> import irispy_plus
>>> query = a.iris.Description("sit-and-stare") & a.iris.XCen(-200 * u.arcsec, 200 * u.arcsec)
>>> a.iris.Target.ar
<irispy_plus.net.attrs.Target(AR: Active region) object at ...>
"""

from typing import Any

import astropy.units as u
from sunpy.net.attr import Range, SimpleAttr

from irispy_plus.utils.exceptions import IrispyPlusSearchError

__all__ = [
    "FOVX",
    "FOVY",
    "OBSID",
    "Cadence",
    "Description",
    "ExposureTime",
    "FileKind",
    "HasData",
    "HasSDOCubes",
    "HideLimbScans",
    "NOAANumber",
    "ObsID",
    "QueryURL",
    "RasterSteps",
    "SpectralWindows",
    "StepSize",
    "Target",
    "XCen",
    "YCen",
]

FILE_KINDS = ("raster", "sji", "sji_deconvolved", "sdo")
"""The kinds of downloadable file, as in the ``File Kind`` column."""


class _HCRParameter(SimpleAttr):
    """A filter sent to the HCR as one query parameter."""

    hcr_key = ""

    def hcr_params(self) -> dict[str, str]:
        """
        The HCR query parameters of this attribute.

        Returns
        -------
        dict of str
            Parameter name to value, as sent in the query URL.
        """
        return {self.hcr_key: str(self.value)}


class _HCRFlag(_HCRParameter):
    """A true/false HCR filter."""

    def __init__(self, value: bool = True) -> None:
        super().__init__(bool(value))

    def hcr_params(self) -> dict[str, str]:
        """
        The HCR query parameter of this flag: ``"true"`` or ``"false"``.

        Returns
        -------
        dict of str
            Parameter name to value, as sent in the query URL.
        """
        return {self.hcr_key: "true" if self.value else "false"}


class _HCRRange(Range):
    """A ``min<column>``/``max<column>`` pair of HCR filters; either bound may be left open."""

    hcr_column = ""
    unit: u.UnitBase | None = None

    def __init__(self, min_: Any = None, max_: Any = None) -> None:
        if min_ is None and max_ is None:
            msg = f"{type(self).__name__} needs a lower bound, an upper bound or both."
            raise IrispyPlusSearchError(msg)
        if self.unit is not None:
            min_ = None if min_ is None else min_.to(self.unit)
            max_ = None if max_ is None else max_.to(self.unit)
        super().__init__(min_, max_)

    def __repr__(self) -> str:
        return f"<irispy_plus.net.attrs.{type(self).__name__}({self.min}, {self.max})>"

    def collides(self, other: object) -> bool:
        """Two ranges of the same column cannot be combined with AND."""
        return isinstance(other, type(self))

    def hcr_params(self) -> dict[str, str]:
        """
        The HCR query parameters of this attribute.

        Returns
        -------
        dict of str
            Parameter name to value, as sent in the query URL.
        """
        params = {}
        for prefix, bound in (("min", self.min), ("max", self.max)):
            if bound is not None:
                value = bound.to_value(self.unit) if self.unit is not None else bound
                params[f"{prefix}{self.hcr_column}"] = f"{value:g}"
        return params


class OBSID(_HCRParameter):
    """
    One or several IRIS observation programme numbers (OBSIDs).

    Parameters
    ----------
    *obsids : int or str
        The OBSIDs, e.g. ``3620258102``.

    Examples
    --------
    >>> from sunpy.net import attrs as a
    >>> import irispy_plus
    >>> a.iris.OBSID(3620258102, 3880012095).hcr_params()
    {'obsId': '3620258102,3880012095'}
    """

    hcr_key = "obsId"

    def __init__(self, *obsids: int | str) -> None:
        if not obsids:
            msg = "OBSID needs at least one OBSID, e.g. a.iris.OBSID(3620258102)."
            raise IrispyPlusSearchError(msg)
        super().__init__(",".join(str(int(obsid)) for obsid in obsids))


#: The same attribute as `OBSID`, under the name the sunpy-style ``a.iris.ObsID`` reads.
ObsID = OBSID


class Description(_HCRParameter):
    """
    Text to look for in the observation description (the HCR's ``obsDesc``).

    Parameters
    ----------
    value : str
        E.g. ``"sit-and-stare"`` or ``"320-step"``.

    Examples
    --------
    >>> from sunpy.net import attrs as a
    >>> import irispy_plus
    >>> a.iris.Description("sit-and-stare").hcr_params()
    {'obsDesc': 'sit-and-stare'}
    """

    hcr_key = "obsDesc"


class Target(_HCRParameter):
    """
    The planned target: ``AR`` (active region), ``QS``, ``CH``, ``FS``, ``PR``, ...

    Parameters
    ----------
    value : str
        The HCR target code (tab-complete ``a.iris.Target.``).

    Examples
    --------
    >>> from sunpy.net import attrs as a
    >>> import irispy_plus
    >>> a.iris.Target("QS").hcr_params()
    {'target': 'QS'}
    >>> a.iris.Target.ar.hcr_params()
    {'target': 'AR'}
    """

    hcr_key = "target"


class NOAANumber(_HCRParameter):
    """
    The NOAA active-region number of the target.

    Parameters
    ----------
    value : int
        E.g. ``12868``.

    Examples
    --------
    >>> from sunpy.net import attrs as a
    >>> import irispy_plus
    >>> a.iris.NOAANumber(12868).hcr_params()
    {'noaanum': '12868'}
    """

    hcr_key = "noaanum"

    def __init__(self, value: int) -> None:
        super().__init__(int(value))


class SpectralWindows(_HCRParameter):
    """
    Spectral windows that must all be in the observation (e.g. ``"Mg II k 2796"``).

    Parameters
    ----------
    *windows : str
        Window names as the HCR writes them (tab-complete ``a.iris.SpectralWindows.``).

    Examples
    --------
    >>> from sunpy.net import attrs as a
    >>> import irispy_plus
    >>> a.iris.SpectralWindows("Mg II k 2796", "Si IV 1403").hcr_params()
    {'specWindows': 'Mg II k 2796,Si IV 1403'}
    >>> a.iris.SpectralWindows.siiv1403.value
    'Si IV 1403'
    """

    hcr_key = "specWindows"

    def __init__(self, *windows: str) -> None:
        super().__init__(",".join(windows))


class HasData(_HCRFlag):
    """
    Only observations whose final Level 2 data exist (``True``) or do not yet (``False``).

    Parameters
    ----------
    value : bool, optional
        True for observations with final Level 2 data, False for those without yet.

    Examples
    --------
    >>> from sunpy.net import attrs as a
    >>> import irispy_plus
    >>> a.iris.HasData().hcr_params()
    {'hasData': 'true'}
    >>> a.iris.HasData(False).hcr_params()
    {'hasData': 'false'}
    """

    hcr_key = "hasData"


class HideLimbScans(_HCRFlag):
    """
    Leave out most limb-scan observations.

    Parameters
    ----------
    value : bool, optional
        Whether to leave them out, sent as ``hideMostLimbScans=true`` or ``false``.

    Examples
    --------
    >>> from sunpy.net import attrs as a
    >>> import irispy_plus
    >>> a.iris.HideLimbScans().hcr_params()
    {'hideMostLimbScans': 'true'}
    """

    hcr_key = "hideMostLimbScans"


class HasSDOCubes(_HCRFlag):
    """
    Only observations with co-aligned SDO cubes.

    Parameters
    ----------
    value : bool, optional
        Whether to ask for them, sent as ``hasSdoCubes=true`` or ``false``.

    Examples
    --------
    >>> from sunpy.net import attrs as a
    >>> import irispy_plus
    >>> a.iris.HasSDOCubes().hcr_params()
    {'hasSdoCubes': 'true'}
    """

    hcr_key = "hasSdoCubes"


class FileKind(SimpleAttr):
    """
    Which kinds of file to list: ``raster``, ``sji``, ``sji_deconvolved``, ``sdo``.

    Applied to the rows after the search (the HCR lists every file of an observation).

    Parameters
    ----------
    *kinds : str
        One or several of `FILE_KINDS`.

    Examples
    --------
    >>> from sunpy.net import attrs as a
    >>> import irispy_plus
    >>> a.iris.FileKind("raster", "sji").value
    ('raster', 'sji')
    >>> a.iris.FileKind.sji_deconvolved.value
    ('sji_deconvolved',)
    """

    def __init__(self, *kinds: str) -> None:
        unknown = sorted(set(kinds) - set(FILE_KINDS))
        if unknown or not kinds:
            msg = f"FileKind takes one or several of {FILE_KINDS}, not {unknown or 'nothing'}."
            raise IrispyPlusSearchError(msg)
        super().__init__(tuple(kinds))


class QueryURL(SimpleAttr):
    """
    A query URL of the IRIS search tool ("Export Python"), pasted whole, with all its filters.

    Parameters
    ----------
    value : str
        The URL, e.g. ``https://www.lmsal.com/hek/hcr?cmd=search-events3&startTime=...``.

    Examples
    --------
    The parameters of the URL are sent to the HCR (here a loopback stand-in for it, so
    that the example runs offline), without ``outputformat``, which the client sets:

    >>> from sunpy.net import attrs as a
    >>> from irispy_plus.net import IRISHCRClient, conf
    >>> from irispy_plus.testing.hcr_server import HCRTestServer
    >>> url = ("https://www.lmsal.com/hek/hcr?cmd=search-events3&outputformat=json"
    ...        "&startTime=2021-09-05T00:00&stopTime=2021-09-05T06:00&obsDesc=sit")
    >>> with HCRTestServer() as server, conf.set_temp("hcr_url", server.hcr_url):
    ...     results = IRISHCRClient().search(a.iris.QueryURL(url), a.iris.FileKind("raster"))
    >>> params = results.meta["hcr_query"][0]["params"]
    >>> params["obsDesc"], params["startTime"], params["stopTime"], "outputformat" in params
    ('sit', '2021-09-05T00:00', '2021-09-05T06:00', False)
    """


class XCen(_HCRRange):
    """
    Solar-X of the pointing centre, as a range.

    Parameters
    ----------
    min_, max_ : `~astropy.units.Quantity`, optional
        Bounds (angles); one may be left out.

    Examples
    --------
    >>> import astropy.units as u
    >>> from sunpy.net import attrs as a
    >>> import irispy_plus
    >>> a.iris.XCen(-200 * u.arcsec, 200 * u.arcsec).hcr_params()
    {'minxCen': '-200', 'maxxCen': '200'}
    >>> a.iris.XCen(max_=-15 * u.arcmin).hcr_params()
    {'maxxCen': '-900'}
    """

    hcr_column = "xCen"
    unit = u.arcsec

    @u.quantity_input
    def __init__(
        self, min_: u.Quantity[u.arcsec] | None = None, max_: u.Quantity[u.arcsec] | None = None
    ) -> None:
        super().__init__(min_, max_)


class YCen(_HCRRange):
    """
    Solar-Y of the pointing centre, as a range.

    Parameters
    ----------
    min_, max_ : `~astropy.units.Quantity`, optional
        Bounds (angles); one may be left out.

    Examples
    --------
    >>> import astropy.units as u
    >>> from sunpy.net import attrs as a
    >>> import irispy_plus
    >>> a.iris.YCen(min_=0 * u.arcsec).hcr_params()
    {'minyCen': '0'}
    """

    hcr_column = "yCen"
    unit = u.arcsec

    @u.quantity_input
    def __init__(
        self, min_: u.Quantity[u.arcsec] | None = None, max_: u.Quantity[u.arcsec] | None = None
    ) -> None:
        super().__init__(min_, max_)


class FOVX(_HCRRange):
    """
    Slit-jaw field of view along solar-X, as a range.

    Parameters
    ----------
    min_, max_ : `~astropy.units.Quantity`, optional
        Bounds (angles); one may be left out.

    Examples
    --------
    >>> import astropy.units as u
    >>> from sunpy.net import attrs as a
    >>> import irispy_plus
    >>> a.iris.FOVX(60 * u.arcsec, 2 * u.arcmin).hcr_params()
    {'minsjiFOVX': '60', 'maxsjiFOVX': '120'}
    """

    hcr_column = "sjiFOVX"
    unit = u.arcsec

    @u.quantity_input
    def __init__(
        self, min_: u.Quantity[u.arcsec] | None = None, max_: u.Quantity[u.arcsec] | None = None
    ) -> None:
        super().__init__(min_, max_)


class FOVY(_HCRRange):
    """
    Slit-jaw field of view along solar-Y, as a range.

    Parameters
    ----------
    min_, max_ : `~astropy.units.Quantity`, optional
        Bounds (angles); one may be left out.

    Examples
    --------
    >>> import astropy.units as u
    >>> from sunpy.net import attrs as a
    >>> import irispy_plus
    >>> a.iris.FOVY(min_=100 * u.arcsec).hcr_params()
    {'minsjiFOVY': '100'}
    """

    hcr_column = "sjiFOVY"
    unit = u.arcsec

    @u.quantity_input
    def __init__(
        self, min_: u.Quantity[u.arcsec] | None = None, max_: u.Quantity[u.arcsec] | None = None
    ) -> None:
        super().__init__(min_, max_)


class StepSize(_HCRRange):
    """
    Raster step size, as a range.

    Parameters
    ----------
    min_, max_ : `~astropy.units.Quantity`, optional
        Bounds (angles); one may be left out.

    Examples
    --------
    >>> import astropy.units as u
    >>> from sunpy.net import attrs as a
    >>> import irispy_plus
    >>> a.iris.StepSize(max_=0.35 * u.arcsec).hcr_params()
    {'maxrasterStepsize': '0.35'}
    """

    hcr_column = "rasterStepsize"
    unit = u.arcsec

    @u.quantity_input
    def __init__(
        self, min_: u.Quantity[u.arcsec] | None = None, max_: u.Quantity[u.arcsec] | None = None
    ) -> None:
        super().__init__(min_, max_)


class Cadence(_HCRRange):
    """
    Mean raster cadence as run, as a range.

    Parameters
    ----------
    min_, max_ : `~astropy.units.Quantity`, optional
        Bounds (times); one may be left out.

    Examples
    --------
    >>> import astropy.units as u
    >>> from sunpy.net import attrs as a
    >>> import irispy_plus
    >>> a.iris.Cadence(max_=10 * u.s).hcr_params()
    {'maxcadMeanAsrun': '10'}
    """

    hcr_column = "cadMeanAsrun"
    unit = u.s

    @u.quantity_input
    def __init__(self, min_: u.Quantity[u.s] | None = None, max_: u.Quantity[u.s] | None = None) -> None:
        super().__init__(min_, max_)


class ExposureTime(_HCRRange):
    """
    Longest exposure time of the observation, as a range.

    Parameters
    ----------
    min_, max_ : `~astropy.units.Quantity`, optional
        Bounds (times); one may be left out.

    Examples
    --------
    >>> import astropy.units as u
    >>> from sunpy.net import attrs as a
    >>> import irispy_plus
    >>> a.iris.ExposureTime(4 * u.s, 8 * u.s).hcr_params()
    {'minexpMax': '4', 'maxexpMax': '8'}
    """

    hcr_column = "expMax"
    unit = u.s

    @u.quantity_input
    def __init__(self, min_: u.Quantity[u.s] | None = None, max_: u.Quantity[u.s] | None = None) -> None:
        super().__init__(min_, max_)


class RasterSteps(_HCRRange):
    """
    Number of raster steps, as a range (1 for a sit-and-stare).

    Parameters
    ----------
    min_, max_ : int, optional
        Bounds; one may be left out.

    Examples
    --------
    >>> from sunpy.net import attrs as a
    >>> import irispy_plus
    >>> a.iris.RasterSteps(1, 1).hcr_params()
    {'minnumRasterSteps': '1', 'maxnumRasterSteps': '1'}
    >>> a.iris.RasterSteps(min_=64).hcr_params()
    {'minnumRasterSteps': '64'}
    """

    hcr_column = "numRasterSteps"

    def __init__(self, min_: int | None = None, max_: int | None = None) -> None:
        super().__init__(None if min_ is None else int(min_), None if max_ is None else int(max_))
