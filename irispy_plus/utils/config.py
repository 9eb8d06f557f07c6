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

    The package's instance is ``irispy_plus.utils.config.conf``; read an item as an
    attribute, and change it for a while with ``conf.set_temp`` (or for good in the
    ``irispy_plus.cfg`` file).

    Examples
    --------
    >>> from irispy_plus.utils.config import conf
    >>> conf.fill_threshold
    -50.0
    >>> with conf.set_temp("fill_threshold", -100.0):
    ...     conf.fill_threshold
    -100.0
    >>> conf.fill_threshold
    -50.0
    """

    max_decompressed_size = _config.ConfigItem(
        128 * 2**30,
        "The most bytes one compressed file (.fits.gz or a raster tarball) may unpack to; "
        "a larger one is refused while it is being unpacked. Reading in memory lowers it to "
        "half the memory available, unpacking a download to the free space of its folder.",
        module="irispy_plus",
    )
    max_archive_members = _config.ConfigItem(
        20_000,
        "The most members a raster tarball may hold; one with more is refused.",
        module="irispy_plus",
    )
    # Level 2 warping mixes the -200 fill into its neighbours: a pixel that is a fraction
    # w fill holds about -200 w + (1 - w) * signal, anywhere from -200 up to the signal.
    # In the real files of the bundled sample, 18,083 of the 18,088 values in
    # (-199, -100] lie within two pixels of fill (about 1% of all pixels: enough to set
    # the low end of a display range), and smeared values reach -50 DN often enough to
    # set it on single slit-jaw frames. Real data stay far above -50 DN: the read noise
    # is 3.1 DN (FUV) and 1.2 DN (NUV), under 9 DN even for 8 summed FUV pixels. So the
    # default masks values at or below -50 DN (pixels at least about a quarter fill).
    fill_threshold = _config.ConfigItem(
        -50.0,
        "Values at or below this, in DN, are Level 2 fill (-200, smeared into its "
        "neighbours by the warping) and are masked when a file is read; display scaling "
        "(histo_opt, the viewers' default ranges) ignores them.",
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
