"""
Package-wide configuration items of irispy-plus.

Each item is an astropy configuration item of the ``irispy_plus`` section (set it in the
``irispy_plus.cfg`` file, or for a while with ``conf.set_temp``). The network items live in
`irispy_plus.net.conf`.
"""

from astropy import config as _config

__all__ = ["Conf", "conf"]


class Conf(_config.ConfigNamespace):
    """
    Configuration items of `irispy_plus`.
    """

    max_decompressed_size = _config.ConfigItem(
        64 * 2**30,
        "The most bytes one compressed file (.fits.gz or a raster tarball) may unpack to; "
        "a larger one is refused while it is being unpacked.",
        module="irispy_plus",
    )
    max_archive_members = _config.ConfigItem(
        20_000,
        "The most members a raster tarball may hold; one with more is refused.",
        module="irispy_plus",
    )
    fill_threshold = _config.ConfigItem(
        -199.0,
        "Values at or below this, in DN, are Level 2 fill (-200, smeared by the warping) and "
        "are masked when a file is read; display scaling ignores them.",
        module="irispy_plus",
    )
    scheduler_timeout = _config.ConfigItem(
        30.0,
        "Seconds to wait when connecting to a dask scheduler for batch work over an archive "
        "(irispy_plus.archive.Archive.map, irispy-plus batch --scheduler).",
        module="irispy_plus",
    )
    log_level = _config.ConfigItem(
        "WARNING",
        "The level from which the irispy-plus command line prints log messages; its "
        "--verbose flag lowers it to INFO.",
        module="irispy_plus",
    )


conf = Conf()
