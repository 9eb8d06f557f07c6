"""
One observation of an archive: its files, and the cubes irispy-plus builds from them.
"""

from pathlib import Path

import astropy.units as u

from irispy_plus.utils.exceptions import IrispyPlusError

__all__ = ["Observation", "normalize_band"]


def normalize_band(band):
    """
    A slit-jaw band as the catalogue names it: ``1400``, ``"1400"`` and ``"SJI_1400"``
    all give ``"SJI_1400"``.

    Examples
    --------
    >>> from irispy_plus.archive._observation import normalize_band
    >>> normalize_band(2796), normalize_band("sji_1330")
    ('SJI_2796', 'SJI_1330')
    """
    text = str(band).strip().upper().removeprefix("SJI").strip("_ ")
    return f"SJI_{text}"


class Observation:
    """
    One observation of an `~irispy_plus.archive.Archive`: what the catalogue knows of
    it, and its cubes, read lazily when asked for.

    Observations are small (paths and catalogue values), so they travel cheaply to
    dask workers. Get them by iterating an archive, or by index or observation id.

    Parameters
    ----------
    root : pathlib.Path
        The folder of the archive.
    row : dict
        The observation's catalogue row as plain values (see `Archive.table`).

    Examples
    --------
    >>> from irispy_plus.archive import Archive
    >>> from irispy_plus.testing.archives import make_archive
    >>> archive = Archive(make_archive(tmp_path / "iris", n_observations=2))
    >>> obs = archive[0]
    >>> obs.obs_id, obs.windows[:2]
    ('20150101_000000_3600000000', ['C II 1336', '1343'])
    >>> obs.raster("Si IV 1403").shape
    (8, 109, 29)
    >>> obs.sji(1400).shape
    (2, 109, 178)
    """

    def __init__(self, root, row):
        self.root = Path(root)
        self.row = dict(row)

    def __reduce__(self):
        return (type(self), (self.root, self.row))

    @property
    def obs_id(self):
        """The observation's id and folder name, ``YYYYMMDD_HHMMSS_OBSID``."""
        return self.row["obs_id"]

    @property
    def obsid(self):
        """The OBSID (the observing program)."""
        return int(self.row["obsid"])

    @property
    def description(self):
        """OBS_DESC, the observing program in words."""
        return self.row["description"]

    @property
    def time_range(self):
        """
        The observation's start and end, as a `sunpy.time.TimeRange`.
        """
        from sunpy.time import TimeRange

        return TimeRange(self.row["start"], self.row["end"])

    @property
    def windows(self):
        """The spectral windows of its rasters, as labels."""
        return _split(self.row["windows"], ", ")

    @property
    def bands(self):
        """The slit-jaw bands present, e.g. ``["SJI_1400", "SJI_2796"]``."""
        return _split(self.row["sji_bands"], ", ")

    @property
    def files(self):
        """Every file of the observation, as absolute paths."""
        return [self.root / name for name in _split(self.row["files"], "|")]

    @property
    def raster_files(self):
        """The raster files (or raster archives) of the observation."""
        return [self.root / name for name in _split(self.row["raster_files"], "|")]

    def sji_files(self, band=None):
        """
        The slit-jaw files, all or of one band.

        Parameters
        ----------
        band : int or str, optional
            ``1400``, ``"1400"`` or ``"SJI_1400"``.

        Returns
        -------
        list of pathlib.Path
        """
        pairs = zip(_split(self.row["sji_files"], "|"), _split(self.row["sji_file_bands"], "|"), strict=True)
        wanted = None if band is None else normalize_band(band)
        return [self.root / name for name, file_band in pairs if wanted in (None, file_band)]

    def raster(self, window=None, uncertainty=False):
        """
        The raster cube of one spectral window, or all of them.

        Parameters
        ----------
        window : str or astropy.units.Quantity, optional
            A window label (``"Si IV 1403"``) or a wavelength inside it. All windows by
            default.
        uncertainty : bool, optional
            Attach photon and read-noise uncertainties.

        Returns
        -------
        IRISSpectrogramCube or IRISRasterSequence or RasterCollection
            One window: its cube (one raster file) or sequence (several repeats); no
            window: the `~irispy_plus.cubes.RasterCollection`.

        Raises
        ------
        IrispyPlusError
            If the observation has no raster files or no such window.
        """
        from irispy_plus.io import read_files
        from irispy_plus.io.raster import single_file_collection

        files = self.raster_files
        if not files:
            msg = f"Observation {self.obs_id} has no raster files in the archive (only slit-jaw files)."
            raise IrispyPlusError(msg)
        collection = read_files(files, windows=window, uncertainty=uncertainty, as_observation=True)
        one_file = all(len(sequence.data) == 1 for sequence in collection.values())
        if window is None:
            return single_file_collection(collection) if one_file else collection
        (sequence,) = collection.values()
        return sequence.data[0] if one_file else sequence

    def sji(self, band, uncertainty=False):
        """
        The slit-jaw cube of one band.

        Parameters
        ----------
        band : int or str
            ``1400``, ``"1400"`` or ``"SJI_1400"``.
        uncertainty : bool, optional
            Attach photon and read-noise uncertainties.

        Returns
        -------
        IRISSJICube

        Raises
        ------
        IrispyPlusError
            If the observation has no slit-jaw file of that band.
        """
        from irispy_plus.io import read_files

        files = self.sji_files(band)
        if not files:
            msg = (
                f"Observation {self.obs_id} has no {normalize_band(band)} slit-jaw file; "
                f"its bands: {', '.join(self.bands) or 'none'}."
            )
            raise IrispyPlusError(msg)
        return read_files(files[0], uncertainty=uncertainty, as_observation=True).cube()

    def read(self):
        """
        Every file of the observation, through
        ``irispy_plus.read_files(files, as_observation=True)``.

        Returns
        -------
        IRISObservation
            Raster windows (each an `~irispy_plus.cubes.IRISRasterSequence`) and
            slit-jaw bands under their labels.
        """
        from irispy_plus.io import read_files

        return read_files(self.files, as_observation=True)

    @property
    def pointing(self):
        """The pointing (XCEN, YCEN) as a Quantity pair in arcsec."""
        return u.Quantity([self.row["x_cen"], self.row["y_cen"]], u.arcsec)

    def __repr__(self):
        return f"<Observation {self.obs_id}: {self.description}>"


def _split(text, separator):
    return [part for part in str(text).split(separator) if part] if text else []
