"""
Configuration of the HCR client: endpoints and network time-outs.

Each item is an astropy configuration item of ``irispy_plus.net`` (so it can be set in the
``irispy_plus.cfg`` file or changed with ``conf.set_temp``); the endpoints are overridden by
an environment variable, read each time a query is made, so that tests can point them at a
loopback server.
"""

import os

from astropy import config as _config

__all__ = ["Conf", "archive_url", "conf", "hcr_url", "limits", "timeout"]

HCR_URL_ENV = "IRISPY_PLUS_HCR_URL"
ARCHIVE_URL_ENV = "IRISPY_PLUS_ARCHIVE_URL"


class Conf(_config.ConfigNamespace):
    """
    Configuration items of `irispy_plus.net`.
    """

    hcr_url = _config.ConfigItem(
        "https://www.lmsal.com/hek/hcr",
        f"Base URL of the HEK Coverage Registry. The environment variable {HCR_URL_ENV} overrides it.",
        module="irispy_plus.net",
    )
    archive_url = _config.ConfigItem(
        "https://www.lmsal.com",
        "Scheme and host of the IRIS archive, used to build a file URL when the HCR gives "
        f"none. The environment variable {ARCHIVE_URL_ENV} overrides it.",
        module="irispy_plus.net",
    )
    timeout = _config.ConfigItem(
        60.0,
        "Seconds to wait for a connection or for the next bytes of an answer before giving up.",
        module="irispy_plus.net",
    )
    retries = _config.ConfigItem(
        2,
        "How many times a failed download is tried again before it is reported.",
        module="irispy_plus.net",
    )
    search_deadline = _config.ConfigItem(
        300.0,
        "Most seconds one HCR search request may take from start to end, however steadily "
        "the answer arrives.",
        module="irispy_plus.net",
    )
    download_deadline = _config.ConfigItem(
        14400.0,
        "Most seconds the download of one file (each of its connections) may take, however "
        "steadily it arrives.",
        module="irispy_plus.net",
    )
    min_rate = _config.ConfigItem(
        1000.0,
        "Slowest accepted transfer, in bytes per second per connection, averaged over "
        "rate_window seconds; a slower search or download is stopped with an error.",
        module="irispy_plus.net",
    )
    rate_window = _config.ConfigItem(
        30.0,
        "Seconds over which the transfer rate is averaged before it is compared with min_rate.",
        module="irispy_plus.net",
    )
    max_search_size = _config.ConfigItem(
        64 * 1024 * 1024,
        "Most bytes accepted in one HCR search answer (a full answer of 400 events is about "
        "2 MB); a larger answer is refused while it streams in.",
        module="irispy_plus.net",
    )


conf = Conf()


def hcr_url():
    """
    The HCR base URL in force now: the environment variable, else the configuration item.

    Returns
    -------
    str
        The URL, without a trailing ``/``.

    Examples
    --------
    >>> from irispy_plus.net._config import hcr_url
    >>> hcr_url().startswith("http")
    True
    """
    return (os.environ.get(HCR_URL_ENV) or conf.hcr_url).rstrip("/")


def archive_url():
    """
    The archive's scheme and host in force now: the environment variable, else the config item.

    Returns
    -------
    str
        The URL, without a trailing ``/``.
    """
    return (os.environ.get(ARCHIVE_URL_ENV) or conf.archive_url).rstrip("/")


def timeout():
    """
    The network time-out in seconds.

    Returns
    -------
    float
        Seconds to wait for a connection or for the next bytes of an answer.
    """
    return float(conf.timeout)


def limits(kind):
    """
    The transfer limits in force now for a search or a download.

    Parameters
    ----------
    kind : {"search", "download"}
        Which deadline to use.

    Returns
    -------
    dict
        ``deadline``, ``min_rate`` and ``window`` (floats, seconds and bytes per second)
        and, for a search, ``max_size`` (int, bytes).

    Examples
    --------
    >>> from irispy_plus.net._config import conf, limits
    >>> with conf.set_temp("search_deadline", 5.0):
    ...     limits("search")["deadline"]
    5.0
    """
    found = {
        "deadline": float(conf.search_deadline if kind == "search" else conf.download_deadline),
        "min_rate": float(conf.min_rate),
        "window": float(conf.rate_window),
    }
    if kind == "search":
        found["max_size"] = int(conf.max_search_size)
    return found
