"""
The table of HCR search results, and saving it to (and loading it from) ECSV or ASDF.
"""

from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.table import Column, QTable
from astropy.time import Time
from sunpy.net.base_client import QueryResponseTable

from irispy_plus.net._rows import HIDDEN_COLUMNS
from irispy_plus.utils.exceptions import IrispyPlusFileError

__all__ = ["IRISHCRResponseTable", "read_saved_results", "save_results"]

_ASDF_KEY = "irispy_plus_hcr_results"


class IRISHCRResponseTable(QueryResponseTable):
    """
    HCR search results: one row per downloadable file, with the observation it belongs to.

    ``meta["hcr_query"]`` holds the queries made (their HCR parameters and URL) so a saved
    table says how it was found.

    What `IRISHCRClient.search <irispy_plus.net.IRISHCRClient.search>` returns (and
    ``Fido.search`` shows for the HCR); the columns of ``hide_keys`` (the URL, the file name,
    the spectral windows, ...) are in the table but left out of its display.

    Examples
    --------
    Search a loopback stand-in for the HCR, so that the example runs offline:

    >>> from sunpy.net import attrs as a
    >>> from irispy_plus.net import IRISHCRClient, conf
    >>> from irispy_plus.testing.hcr_events import make_event
    >>> from irispy_plus.testing.hcr_server import HCRTestServer
    >>> event = make_event("20210905_001833_3620258102", "2021-09-05T05:07:36")
    >>> with HCRTestServer([event]) as server, conf.set_temp("hcr_url", server.hcr_url):
    ...     results = IRISHCRClient().search(a.Time("2021-09-05", "2021-09-06"))
    >>> type(results).__name__, len(results)
    ('IRISHCRResponseTable', 5)
    >>> print(results["OBSID", "File Kind", "Band", "Exposure Time"])
      OBSID    File Kind Band Exposure Time
                                    s
    ---------- --------- ---- -------------
    3620258102    raster                8.0
    3620258102       sji 1330           8.0
    3620258102       sji 1400           8.0
    3620258102       sji 2796           8.0
    3620258102       sji 2832           8.0
    >>> "filename" in results.hide_keys, str(results["filename"][1])
    (True, 'iris_l2_20210905_001833_3620258102_SJI_1330_t000.fits.gz')
    >>> results.meta["hcr_query"][0]["params"]
    {'startTime': '2021-09-05T00:00:00', 'stopTime': '2021-09-06T00:00:00'}
    """

    hide_keys = HIDDEN_COLUMNS

    def save(self, filename):
        """
        Save the table and its query to an ``.ecsv`` or ``.asdf`` file.

        Parameters
        ----------
        filename : path-like
            The file; its suffix chooses the format.

        Returns
        -------
        pathlib.Path
            The file written.

        Raises
        ------
        IrispyPlusFileError
            For a suffix other than ``.ecsv`` and ``.asdf``.
        """
        return save_results(self, filename)


def _plain(table):
    plain = QTable()
    for name in table.colnames:
        column = table[name]
        plain[name] = (
            column if isinstance(column, Time | u.Quantity) else Column(np.asarray(column), name=name)
        )
    plain.meta = {"hcr_query": list(table.meta.get("hcr_query", []))}
    return plain


def save_results(table, filename):
    """
    Save search results and their query to an ``.ecsv`` or ``.asdf`` file.

    Parameters
    ----------
    table : IRISHCRResponseTable
        Results of `IRISHCRClient.search <irispy_plus.net.IRISHCRClient.search>`.
    filename : path-like
        The file; ``.ecsv`` or ``.asdf``.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    IrispyPlusFileError
        For another suffix.

    See Also
    --------
    irispy_plus.net.load_results : Load them back, ready for ``Fido.fetch``.

    Examples
    --------
    Search a loopback stand-in for the HCR (so that the example runs offline), then save
    the results in a temporary folder and load them back:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from sunpy.net import attrs as a
    >>> from irispy_plus.net import IRISHCRClient, conf, load_results, save_results
    >>> from irispy_plus.testing.hcr_events import make_event
    >>> from irispy_plus.testing.hcr_server import HCRTestServer
    >>> event = make_event("20210905_001833_3620258102", "2021-09-05T05:07:36")
    >>> with HCRTestServer([event]) as server, conf.set_temp("hcr_url", server.hcr_url):
    ...     results = IRISHCRClient().search(a.Time("2021-09-05", "2021-09-06"), a.iris.FileKind("sji"))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = save_results(results, Path(folder) / "results.ecsv")
    ...     loaded = load_results(path)
    >>> path.name
    'results.ecsv'
    >>> loaded["Band"].tolist(), loaded.meta["hcr_query"][0]["kinds"]
    (['1330', '1400', '2796', '2832'], ['sji'])
    """
    path = Path(filename)
    suffix = path.suffix.lower()
    if suffix == ".ecsv":
        _plain(table).write(path, format="ascii.ecsv", overwrite=True)
    elif suffix == ".asdf":
        import asdf

        plain = _plain(table)
        asdf.AsdfFile({_ASDF_KEY: plain, "hcr_query": plain.meta["hcr_query"]}).write_to(path)
    else:
        msg = f"Cannot save search results as {path.name!r}: use a .ecsv or .asdf file name."
        raise IrispyPlusFileError(msg)
    return path


def read_saved_results(filename):
    """
    The table and the queries of search results saved by `save_results`.

    `irispy_plus.net.load_results` attaches the client to them.

    Parameters
    ----------
    filename : path-like
        An ``.ecsv`` or ``.asdf`` file.

    Returns
    -------
    table : astropy.table.QTable
        The rows, as saved.
    query : list of dict
        The queries made (``meta["hcr_query"]`` of the saved table).

    Raises
    ------
    IrispyPlusFileError
        If the file cannot be read as saved results.
    """
    path = Path(filename)
    try:
        if path.suffix.lower() == ".asdf":
            import asdf

            with asdf.open(path, lazy_load=False, memmap=False) as handle:
                plain = QTable(handle[_ASDF_KEY], copy=True)
                query = list(handle.tree.get("hcr_query", []))
        else:
            plain = QTable.read(path, format="ascii.ecsv")
            query = list(plain.meta.get("hcr_query", []))
    except (OSError, ValueError, KeyError) as error:
        msg = f"{path} does not hold saved HCR search results: {error}"
        raise IrispyPlusFileError(msg) from error
    for name in plain.colnames:
        # ECSV writes an empty text as a missing value: a raster row's empty band would
        # come back masked. Saved results have no missing texts, only empty ones.
        column = plain[name]
        is_text = getattr(column, "dtype", None) is not None and column.dtype.kind in "US"
        if is_text and hasattr(column, "filled"):
            plain[name] = column.filled("")
    return plain, query
