"""
Configuration of the HCR client: endpoints and network time-outs.

Each item is an astropy configuration item of ``irispy_plus.net`` (so it can be set in the
``irispy_plus.cfg`` file or changed with ``conf.set_temp``); the endpoints are overridden by
an environment variable, read each time a query is made, so that tests can point them at a
loopback server.
"""

import os

from astropy import config as _config

__all__ = ["Conf", "archive_url", "conf", "hcr_url", "timeout"]

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
