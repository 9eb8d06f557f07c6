"""
Metadata of IRIS cubes: the header keywords, with typed properties over them.
"""

import copy

import astropy.units as u
import numpy as np
from ndcube.meta import NDMeta

__all__ = ["IRISMeta"]

#: Key of the per-exposure index (into the file's auxiliary array), sliced with the cube.
EXPOSURE_INDEX = "exposure index"
#: Key of the file's whole auxiliary table.
AUX_TABLE = "aux table"
#: Key of the file's whole per-exposure file-name table.
FILENAME_TABLE = "filename table"


class IRISMeta(NDMeta):
    """
    The metadata of an IRIS cube: the primary header merged with the window's own
    extension header (its keywords win), plus the per-exposure tables.

    Mapping access gives header keywords (``meta["OBSID"]``); the properties give the
    commonly used ones as Python and astropy types. Per-exposure metadata is attached to
    the exposure axis, so slicing the cube slices it too.

    Examples
    --------
    >>> from irispy_plus import read_cube
    >>> from irispy_plus.data import sample
    >>> meta = read_cube(sample.SNS_RASTER, "Si IV 1403").meta
    >>> meta.detector, meta.spectral_window, meta.obsid
    ('FUV', 'Si IV 1403', '3620258102')
    >>> meta["OBS_DESC"][:25]
    'Medium sit-and-stare 0.3x'
    """

    def __deepcopy__(self, memo):
        # Header values are immutable and the per-exposure tables are shared read-only;
        # only the axis-aware values (which slicing replaces) need copies. Slicing a cube
        # copies its metadata, so this keeps slicing fast.
        new = self.__class__.__new__(self.__class__)
        dict.update(new, self)
        new.__dict__.update(self.__dict__)
        new._data_shape = np.array(self._data_shape, copy=True)
        new._axes = dict(self._axes)
        new._key_comments = dict(self._key_comments)
        for key in self._axes:
            dict.__setitem__(new, key, copy.deepcopy(dict.__getitem__(self, key), memo))
        return new

    def _text(self, key):
        value = self.get(key)
        return None if value is None else str(value).strip()

    def _keywords(self):
        """Typed access to the header values, whose errors name the file."""
        from irispy_plus._keywords import Keywords

        return Keywords(self, self.filename or "this cube", "header")

    @property
    def filename(self):
        """
        The file the cube was read from.
        """
        return self.get("filename")

    @property
    def detector(self):
        """
        ``"FUV"`` or ``"NUV"`` for a spectral window; the band (``"SJI_1400"``) for a
        slit-jaw.
        """
        return self.get("detector")

    @property
    def band(self):
        """
        The detector part: ``"FUV1"``, ``"FUV2"``, ``"NUV"`` or the slit-jaw band.
        """
        return self.get("band")

    @property
    def spectral_window(self):
        """
        The window label, e.g. ``"Si IV 1403"`` (the band for a slit-jaw).
        """
        return self.get("spectral_window")

    @property
    def instrument(self):
        """
        ``"SPEC"`` or ``"SJI"``.
        """
        return self._text("INSTRUME")

    @property
    def obsid(self):
        """
        The OBSID, as a string.
        """
        return self._text("OBSID")

    @property
    def observation_description(self):
        """
        The observation's description (OBS_DESC).
        """
        return self._text("OBS_DESC")

    @property
    def date_start(self):
        """
        The start of the observation (STARTOBS).
        """
        return self._keywords().time("STARTOBS")

    @property
    def date_end(self):
        """
        The end of the observation (ENDOBS).
        """
        return self._keywords().time("ENDOBS") if "ENDOBS" in self else None

    @property
    def date_reference(self):
        """
        The time of the first exposure in the file (DATE_OBS).
        """
        return self._keywords().time("DATE_OBS")

    @property
    def distance_to_sun(self):
        """
        The spacecraft's distance to the Sun (DSUN_OBS).
        """
        return self._keywords().number("DSUN_OBS") * u.m if "DSUN_OBS" in self else None

    @property
    def exposure_index(self):
        """
        The rows of the file's auxiliary array that the cube holds (an int or array).
        """
        return self.get(EXPOSURE_INDEX)

    @property
    def aux(self):
        """
        The auxiliary array rows of the exposures the cube holds, as a table.
        """
        table = self.get(AUX_TABLE)
        return None if table is None else table[np.atleast_1d(self.exposure_index)]

    @property
    def observer_radial_velocity(self):
        """
        The observer's velocity along the line of sight, per exposure (OBS_VRIX), in
        m/s; positive away from the Sun.
        """
        aux = self.aux
        return None if aux is None else aux["OBS_VRIX"].data * u.m / u.s

    def __str__(self):
        return (
            f"IRISMeta({self.instrument} {self.spectral_window}, OBSID {self.obsid}, "
            f"start {self.get('STARTOBS')}, file {self.filename})"
        )

    def __repr__(self):
        return f"<{self}>"
