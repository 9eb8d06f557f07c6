"""
Find and fetch IRIS data: a `sunpy.net.Fido` client for the HEK Coverage Registry (HCR).

Importing this package (which ``import irispy_plus`` does) registers `IRISHCRClient` with
Fido and the search attributes as ``sunpy.net.attrs.iris``. The HCR URL, the network
time-out, the number of retries and the limits of every transfer (deadlines, minimum rate,
largest search answer) are configuration items in `conf`; the environment variable
``IRISPY_PLUS_HCR_URL`` overrides the URL. What is checked on the way is listed in the
documentation page "What irispy-plus checks".

Examples
--------
>>> from sunpy.net import Fido, attrs as a
>>> import irispy_plus
>>> from irispy_plus.net import IRISHCRClient
>>> IRISHCRClient in Fido.registry
True
>>> a.iris.FileKind.raster.value
('raster',)
"""

from irispy_plus.net import attrs
from irispy_plus.net._config import conf
from irispy_plus.net._safety import check_folder
from irispy_plus.net._table import IRISHCRResponseTable, save_results
from irispy_plus.net.client import IRISHCRClient, check_destination, get_fits, load_results

__all__ = [
    "IRISHCRClient",
    "IRISHCRResponseTable",
    "attrs",
    "check_destination",
    "check_folder",
    "conf",
    "get_fits",
    "load_results",
    "save_results",
]
