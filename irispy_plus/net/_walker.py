"""
Turn a tree of search attributes into HCR queries.

`walker.create(query)` gives a list of `HCRQuery`, one per branch of an ``|`` (OR): the
parameters sent to the HCR and the selections applied to the rows afterwards.
"""

import dataclasses

import astropy.units as u
from sunpy.net import attrs as a
from sunpy.net.attr import AttrAnd, AttrOr, AttrWalker, DataAttr

from irispy_plus.net._hcr_api import parse_query_url
from irispy_plus.net.attrs import FileKind, QueryURL, _HCRParameter, _HCRRange
from irispy_plus.utils.exceptions import IrispyPlusSearchError

__all__ = ["HCRQuery", "walker"]


@dataclasses.dataclass
class HCRQuery:
    """
    One query of the HCR and the row selections that go with it.

    Attributes
    ----------
    params : dict
        HCR query parameters (strings), including ``startTime`` and ``stopTime``.
    kinds : tuple of str or None
        File kinds to keep (`irispy_plus.net.attrs.FILE_KINDS`), or None for all.
    wavelength : tuple of Quantity or None
        ``(min, max)`` of `sunpy.net.attrs.Wavelength`, or None.
    """

    params: dict = dataclasses.field(default_factory=dict)
    kinds: tuple | None = None
    wavelength: tuple | None = None

    def check(self):
        """
        Raise if the query lacks a time range.

        Raises
        ------
        IrispyPlusSearchError
            Without ``a.Time`` or a `~irispy_plus.net.attrs.QueryURL`.
        """
        if not {"startTime", "stopTime"} <= set(self.params):
            msg = "An HCR search needs a time range: add a.Time(start, end) or a.iris.QueryURL(url)."
            raise IrispyPlusSearchError(msg)


walker = AttrWalker()


@walker.add_creator(AttrOr)
def _create_or(wlk, tree):
    queries = []
    for branch in tree.attrs:
        queries.extend(wlk.create(branch))
    return queries


@walker.add_creator(AttrAnd, DataAttr)
def _create_and(wlk, tree):
    query = HCRQuery()
    wlk.apply(tree, query)
    query.check()
    return [query]


@walker.add_applier(AttrAnd)
def _apply_and(wlk, tree, query):
    for attr in tree.attrs:
        wlk.apply(attr, query)


@walker.add_applier(a.Time)
def _apply_time(wlk, attr, query):
    query.params["startTime"] = attr.start.utc.to_datetime().isoformat(timespec="seconds")
    query.params["stopTime"] = attr.end.utc.to_datetime().isoformat(timespec="seconds")


@walker.add_applier(a.Instrument)
def _apply_instrument(wlk, attr, query):
    if attr.value.upper() != "IRIS":
        msg = f"The HCR client searches IRIS data only, not {attr.value}."
        raise IrispyPlusSearchError(msg)


@walker.add_applier(a.Level)
def _apply_level(wlk, attr, query):
    if str(attr.value) != "2":
        msg = f"The HCR lists IRIS Level 2 files only, not level {attr.value}."
        raise IrispyPlusSearchError(msg)


@walker.add_applier(a.Wavelength)
def _apply_wavelength(wlk, attr, query):
    query.wavelength = (attr.min.to(u.AA, u.spectral()), attr.max.to(u.AA, u.spectral()))


@walker.add_applier(_HCRParameter, _HCRRange)
def _apply_parameter(wlk, attr, query):
    query.params.update(attr.hcr_params())


@walker.add_applier(FileKind)
def _apply_kind(wlk, attr, query):
    query.kinds = tuple(attr.value)


@walker.add_applier(QueryURL)
def _apply_url(wlk, attr, query):
    query.params.update(parse_query_url(attr.value))
