"""
`Level2File`: one IRIS Level 2 FITS file, its headers and layout read without touching
the data.

A spectrograph ("raster") file holds an empty primary HDU with the observation header,
one image extension per spectral window, then the auxiliary array (one row per exposure)
and an ASCII table of per-exposure file names and IDs. A slit-jaw file holds its image
series in the primary HDU, then the same two per-exposure extensions.
"""

import itertools
import math
import numbers
import warnings
from dataclasses import dataclass
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.io import fits
from astropy.table import Table
from astropy.utils.exceptions import AstropyUserWarning

from irispy_plus._keywords import Keywords
from irispy_plus.io._describe import describe_layout
from irispy_plus.utils._files import BufferFile, require_regular_file
from irispy_plus.utils.exceptions import (
    IrispyPlusDamagedFileError,
    IrispyPlusFileError,
    IrispyPlusHeaderError,
)

__all__ = ["Level2File", "WindowInfo"]

_FITS_DTYPES = {8: ">u1", 16: ">i2", 32: ">i4", 64: ">i8", -32: ">f4", -64: ">f8"}
_REQUIRED_PRIMARY = ("INSTRUME", "STARTOBS", "DATE_OBS", "OBSID")
_REQUIRED_WINDOW = ("CDELT1", "CDELT2", "CDELT3", "CRPIX1", "CRPIX2", "CRPIX3", "CRVAL1", "CRVAL2", "CRVAL3")
_REQUIRED_SJI = ("CDELT1", "CDELT2", "CRPIX1", "CRPIX2", "CRVAL1", "CRVAL2", "TWAVE1", "TWMIN1", "TWMAX1")
_AUX_COLUMNS = ("XCENIX", "YCENIX", "TIME")


@dataclass(frozen=True)
class WindowInfo:
    """
    What a file says of one of its windows (a spectral window, or the slit-jaw image).

    Attributes
    ----------
    index : int
        The extension that holds the window (0 for a slit-jaw file).
    label : str
        The window label as the file gives it, e.g. ``"Si IV 1403"`` or ``"SJI_1400"``.
    shape : tuple of int
        The data shape in numpy order.
    wavelength_min, wavelength_max : astropy.units.Quantity
        The wavelength range of the window.
    band : str
        The detector: ``"FUV1"``, ``"FUV2"``, ``"NUV"`` or the slit-jaw band.

    Examples
    --------
    >>> import astropy.units as u
    >>> from irispy_plus.io import Level2File
    >>> from irispy_plus.data import sample
    >>> info = Level2File(sample.SNS_RASTER).windows[4]
    >>> info.index, info.label, info.shape, info.band
    (5, 'Si IV 1403', (187, 40, 29), 'FUV2')
    >>> print(f"{info.wavelength_min:.2f} to {info.wavelength_max:.2f}")
    1398.61 Angstrom to 1406.03 Angstrom
    >>> info.contains(1402.77 * u.AA)
    True
    """

    index: int
    label: str
    shape: tuple
    wavelength_min: u.Quantity
    wavelength_max: u.Quantity
    band: str

    def contains(self, wavelength):
        """
        Whether ``wavelength`` lies inside the window.

        Parameters
        ----------
        wavelength : astropy.units.Quantity
            A wavelength, or a frequency or energy (converted with the spectral
            equivalencies).

        Returns
        -------
        bool
            True if it lies between ``wavelength_min`` and ``wavelength_max``.
        """
        wavelength = wavelength.to(u.AA, equivalencies=u.spectral())
        return bool(self.wavelength_min <= wavelength <= self.wavelength_max)


def _open_hdulist(source, name):
    """
    Open a FITS source with astropy, turning every failure into a clear error.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AstropyUserWarning)
        try:
            hdulist = fits.open(source, memmap=False, do_not_scale_image_data=True, lazy_load_hdus=False)
        except (OSError, ValueError, TypeError, IndexError, KeyError) as error:
            msg = (
                f"{name} could not be read as a FITS file ({error}). It may be damaged or "
                "not a FITS file at all: download it again from the IRIS archive."
            )
            raise IrispyPlusFileError(msg) from error
    truncated = [w for w in caught if "truncated" in str(w.message).lower()]
    if truncated:
        hdulist.close()
        msg = f"{name} is truncated ({truncated[0].message}). Download the file again."
        raise IrispyPlusDamagedFileError(msg)
    return hdulist


def _is_level2(value):
    """Whether DATA_LEV says Level 2 (a number that rounds to 2)."""
    is_number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    return is_number and math.isfinite(value) and round(value) == 2


class Level2File:
    """
    The structure of one IRIS Level 2 file: headers, data locations, windows and the
    per-exposure tables. Opening one reads the headers only.

    Parameters
    ----------
    source : str, pathlib.Path or bytes-like
        A path to a regular file, or its whole content in memory (as read from a ``.gz``
        file or a tar archive).
    name : str, optional
        How to name the file in messages; the path by default.

    Raises
    ------
    IrispyPlusFileError
        If the file is not a regular file or not an IRIS Level 2 file.
    IrispyPlusDamagedFileError
        If the file is truncated.
    IrispyPlusHeaderError
        If a keyword is missing or unusable, or the HDUs or tables are not those of an
        IRIS Level 2 file.

    Examples
    --------
    >>> from irispy_plus.io import Level2File
    >>> from irispy_plus.data import sample
    >>> layout = Level2File(sample.SNS_RASTER)
    >>> layout.kind, len(layout.windows), layout.n_exposures
    ('raster', 8, 187)
    """

    def __init__(self, source, name=None):
        if isinstance(source, bytes | bytearray | memoryview):
            self.path: Path | None = None
            self._buffer: memoryview | None = memoryview(source).toreadonly().cast("B")
            self.name = name or "<in-memory file>"
            hdulist = _open_hdulist(BufferFile(self._buffer), self.name)
            size = len(self._buffer)
        else:
            self.path = Path(source)
            self._buffer = None
            self.name = name or str(self.path)
            size = require_regular_file(self.path).st_size
            hdulist = _open_hdulist(self.path, self.name)
        with hdulist:
            self.headers = [hdu.header for hdu in hdulist]
            infos = [hdu.fileinfo() for hdu in hdulist]
            self._offsets = [info["datLoc"] for info in infos]
            self._spans = [info["datSpan"] for info in infos]
        self._check(size)
        self._aux_table = None
        self._filename_table = None
        self._header_values = {}
        self._raw_arrays = {}

    # --- validation --------------------------------------------------------------------
    def _check(self, size):
        primary = self.headers[0]
        instrument = str(primary.get("INSTRUME", "")).strip()
        if instrument not in ("SPEC", "SJI") or not _is_level2(primary.get("DATA_LEV")):
            msg = (
                f"{self.name} is not an IRIS Level 2 file (INSTRUME={instrument or 'missing'!r}, "
                f"DATA_LEV={primary.get('DATA_LEV', 'missing')!r}). irispy-plus reads IRIS Level 2 "
                "raster and slit-jaw files, named iris_l2_*_raster_t000_r*.fits or iris_l2_*_SJI_*.fits."
            )
            raise IrispyPlusFileError(msg)
        self.kind = "raster" if instrument == "SPEC" else "sji"
        self._require(primary, _REQUIRED_PRIMARY, "primary header")
        expected = self._offsets[-1] + self._spans[-1]
        if size < expected - 2880:
            msg = (
                f"{self.name} is truncated: its headers describe {expected} bytes but it holds "
                f"{size}. Download the file again."
            )
            raise IrispyPlusDamagedFileError(msg)
        keywords = Keywords(primary, self.name, "primary header")
        self._start_time = keywords.time("STARTOBS")
        self.date_obs = keywords.time("DATE_OBS")
        if self.kind == "raster":
            self._require(primary, ("NWIN",), "primary header")
            n_windows = keywords.integer("NWIN", minimum=1, maximum=len(self.headers))
            indices = range(1, n_windows + 1)
        else:
            indices = range(1)
        self._check_structure(len(indices) + (3 if self.kind == "raster" else 2))
        n_exposures = self._check_aux()
        self._scalings = {}
        self._windows = [self._check_window(index, n_exposures) for index in indices]

    def _check_structure(self, n_hdus):
        found = [str(header.get("XTENSION", "primary")).strip() for header in self.headers]
        layout = "the primary HDU, " + ("NWIN image extensions, " if self.kind == "raster" else "")
        if len(self.headers) != n_hdus or found[-2:] != ["IMAGE", "TABLE"]:
            msg = (
                f"{self.name} has {len(self.headers)} HDUs ({', '.join(found)}), but an IRIS Level 2 "
                f"{'raster' if self.kind == 'raster' else 'slit-jaw'} file has {n_hdus}: {layout}"
                "the auxiliary IMAGE and the file-name TABLE. The file is incomplete or cut short: "
                "download it again."
            )
            raise IrispyPlusDamagedFileError(msg)

    def _check_aux(self):
        """The number of exposures: rows of the auxiliary array, once it is checked."""
        index = len(self.headers) - 2
        header = self.headers[index]
        for required in _AUX_COLUMNS:
            if required not in header:
                msg = (
                    f"{self.name}: the auxiliary extension (HDU {index}) lacks the "
                    f"{required} column keyword; this is not a complete IRIS Level 2 file."
                )
                raise IrispyPlusHeaderError(msg)
        keywords = Keywords(header, self.name, f"auxiliary extension (HDU {index})")
        self._check_dtype(keywords, index)
        if keywords.integer("NAXIS") != 2:
            raise keywords.error("NAXIS", f"is {header['NAXIS']}, but the auxiliary array is 2-D")
        n_columns = keywords.integer("NAXIS1", minimum=1)
        n_rows = keywords.integer("NAXIS2", minimum=1)
        for column in _AUX_COLUMNS:
            keywords.integer(column, minimum=0, maximum=n_columns - 1)
        table = Keywords(self.headers[-1], self.name, f"file-name table (HDU {index + 1})")
        table.integer("NAXIS1", minimum=0)
        table.integer("NAXIS2", minimum=0)
        return n_rows

    def _check_dtype(self, keywords, index):
        bitpix = keywords.integer("BITPIX")
        if bitpix not in _FITS_DTYPES:
            raise keywords.error("BITPIX", f"is {bitpix}, not one of the FITS values {sorted(_FITS_DTYPES)}")

    def _check_window(self, index, n_exposures):
        header = self.headers[index]
        where = "primary header" if index == 0 else f"extension {index}"
        keywords = Keywords(header, self.name, where)
        primary = Keywords(self.headers[0], self.name, "primary header")
        if self.kind == "raster":
            described = (f"TDESC{index}", f"TWMIN{index}", f"TWMAX{index}")
            self._require(primary.header, described, "primary header")
            self._require(header, _REQUIRED_WINDOW, where)
            numbers_of = _REQUIRED_WINDOW
        else:
            self._require(header, _REQUIRED_SJI, where)
            numbers_of = _REQUIRED_SJI
        for key in numbers_of:
            keywords.number(key)
        self._check_dtype(keywords, index)
        n_axes = keywords.integer("NAXIS")
        if n_axes != 3:
            raise keywords.error("NAXIS", f"is {n_axes}, but an IRIS Level 2 window is a 3-D image")
        shape = tuple(keywords.integer(f"NAXIS{axis}") for axis in (3, 2, 1))
        if min(shape) < 1:
            raise keywords.error("NAXIS1-3", f"give the empty shape {shape}: the window holds no data")
        if shape[0] != n_exposures:
            msg = (
                f"{self.name}: the window of {where} has {shape[0]} exposures but the auxiliary "
                f"array has {n_exposures} rows, one per exposure; times and pointing would not "
                "match the data. The file was altered or is damaged: download it again."
            )
            raise IrispyPlusHeaderError(msg)
        self._scalings[index] = self._check_scaling(index, keywords, primary)
        if self.kind == "sji":
            band = f"SJI_{round(keywords.number('TWAVE1'))}"
            return WindowInfo(
                index=0,
                label=band,
                shape=shape,
                wavelength_min=keywords.number("TWMIN1") * u.AA,
                wavelength_max=keywords.number("TWMAX1") * u.AA,
                band=band,
            )
        return WindowInfo(
            index=index,
            label=str(primary.header[f"TDESC{index}"]).strip(),
            shape=shape,
            wavelength_min=primary.number(f"TWMIN{index}") * u.AA,
            wavelength_max=primary.number(f"TWMAX{index}") * u.AA,
            band=str(primary.header.get(f"TDET{index}", "")).strip(),
        )

    def _check_scaling(self, index, keywords, primary):
        if keywords.integer("BITPIX") < 0:
            return 1.0, 0.0
        # IRIS spectrograph files carry BSCALE and BZERO in the primary header.
        source = {key: keywords if key in keywords.header else primary for key in ("BSCALE", "BZERO")}
        bscale = source["BSCALE"].number("BSCALE", 1.0, nonzero=True)
        bzero = source["BZERO"].number("BZERO", 0.0)
        return bscale, bzero

    def _require(self, header, keywords, where):
        """Refuse a header that lacks any of ``keywords``."""
        missing = [key for key in keywords if key not in header]
        if missing:
            msg = (
                f"{self.name}: the {where} lacks the keyword(s) {', '.join(missing)} that every "
                "IRIS Level 2 file has. The file was altered or is not IRIS Level 2; use the "
                "original file from the IRIS archive."
            )
            raise IrispyPlusHeaderError(msg)

    # --- headers -----------------------------------------------------------------------
    def header(self, extension=0):
        """
        The header of an extension; negative indices count from the end.

        Parameters
        ----------
        extension : int
            The HDU index, e.g. 0 for the primary, -2 for the auxiliary array.

        Returns
        -------
        astropy.io.fits.Header
        """
        try:
            return self.headers[extension]
        except IndexError:
            msg = f"{self.name} has {len(self.headers)} HDUs; there is no extension {extension}."
            raise IrispyPlusFileError(msg) from None

    def header_values(self, extension):
        """
        The keywords and values of an extension's header as a plain dict (without
        COMMENT and HISTORY), computed once: astropy's card values are slow to read.
        """
        values = self._header_values.get(extension)
        if values is None:
            skip = ("COMMENT", "HISTORY", "")
            values = {
                card.keyword: card.value for card in self.headers[extension].cards if card.keyword not in skip
            }
            self._header_values[extension] = values
        return values

    @property
    def primary_header(self):
        """
        The primary header.
        """
        return self.headers[0]

    @property
    def start_time(self):
        """
        The start of the observation, STARTOBS.
        """
        return self._start_time

    @property
    def n_exposures(self):
        """
        How many exposures the file holds (rows of the auxiliary array).
        """
        return int(self.headers[-2]["NAXIS2"])

    # --- windows -----------------------------------------------------------------------
    @property
    def windows(self):
        """
        The windows of the file, as a list of `WindowInfo`.
        """
        return list(self._windows)

    def window_shape(self, index):
        """
        The data shape of an HDU, in numpy order.
        """
        return self._shape(index)

    def _shape(self, index):
        header = self.headers[index]
        return tuple(int(header[f"NAXIS{axis}"]) for axis in range(int(header["NAXIS"]), 0, -1))

    # --- data --------------------------------------------------------------------------
    def raw_array(self, index, keep=True):
        """
        The stored values of an image HDU, memory-mapped (or a view of the in-memory
        file), unscaled and big-endian as in the file.

        Parameters
        ----------
        index : int
            The HDU index.
        keep : bool, optional
            Keep the map for later calls (the data and mask of a window share it); a
            table read once is not kept, so it holds no file open.

        Returns
        -------
        numpy.ndarray
            A read-only array of the file's raw values.
        """
        cached = self._raw_arrays.get(index)
        if cached is not None:
            return cached
        header = self.headers[index]
        dtype = np.dtype(_FITS_DTYPES[int(header["BITPIX"])])
        shape = self._shape(index)
        if self._buffer is not None:
            count = int(np.prod(shape))
            raw = np.frombuffer(self._buffer, dtype=dtype, count=count, offset=self._offsets[index])
            raw = raw.reshape(shape)
        else:
            raw = np.memmap(self._file_path, dtype=dtype, mode="r", offset=self._offsets[index], shape=shape)
        if keep:
            # One map per HDU, shared by the data and the mask, so pages are mapped once.
            self._raw_arrays[index] = raw
        return raw

    def __getstate__(self):
        # Pickled to dask workers: they map the file again rather than copy the data.
        state = self.__dict__.copy()
        state["_raw_arrays"] = {}
        return state

    def scaling(self, index):
        """
        ``(bscale, bzero)`` of an image HDU: from its own header or, as IRIS spectrograph
        files carry them, the primary header's (checked when the file was opened).
        """
        scaling = self._scalings.get(index)
        if scaling is None:
            keywords = Keywords(self.headers[index], self.name, f"extension {index}")
            primary = Keywords(self.headers[0], self.name, "primary header")
            scaling = self._scalings[index] = self._check_scaling(index, keywords, primary)
        return scaling

    # --- per-exposure tables -----------------------------------------------------------
    @property
    def aux_table(self):
        """
        The auxiliary array as a table: one row per exposure, one named column per
        quantity (TIME, XCENIX, YCENIX, OBS_VRIX, EXPTIMEF, ...), plus ``DATE_OBS``, the
        start time of each exposure (STARTOBS + TIME).
        """
        if self._aux_table is None:
            header = self.headers[-2]
            values = np.array(self.raw_array(len(self.headers) - 2, keep=False), dtype=float)
            skip = ("NAXIS1", "NAXIS2", "PCOUNT", "GCOUNT", "NAXIS", "BITPIX")
            columns = {
                card.keyword: card.value
                for card in header.cards
                if card.keyword not in skip
                and isinstance(card.value, int)
                and not isinstance(card.value, bool)
                and 0 <= card.value < values.shape[1]
            }
            table = Table({name: values[:, column] for name, column in columns.items()})
            table["DATE_OBS"] = self.start_time + table["TIME"] * u.s
            self._aux_table = table
        return self._aux_table

    @property
    def filename_table(self):
        """
        The per-exposure table of frame IDs and level 1 file names.

        The table extension of real files declares fewer columns (TFIELDS) than its rows
        hold: the temperature strings are left undeclared. Its own keywords give each
        field's start (e.g. ``FILEF``) and the keyword after it its length (``LFILEF``);
        the rows are cut by those.
        """
        if self._filename_table is None:
            self._filename_table = self._read_filename_table()
        return self._filename_table

    def _read_filename_table(self):
        index = len(self.headers) - 1
        header = self.headers[index]
        width, n_rows = int(header["NAXIS1"]), int(header["NAXIS2"])
        raw = self._read_bytes(index, width * n_rows)
        rows = [raw[row * width : (row + 1) * width] for row in range(n_rows)]
        cards = list(header.cards)
        fields = {}
        for card, following in itertools.pairwise(cards):
            is_offset = isinstance(card.value, int) and not card.keyword.startswith(("T", "NAXIS"))
            if is_offset and following.keyword.startswith("L") and "length" in following.comment.lower():
                start, length = int(card.value), int(following.value)
                fields[card.keyword] = [
                    row[start : start + length].decode("ascii", "replace").strip() for row in rows
                ]
        return Table(fields)

    @property
    def _file_path(self) -> Path:
        """The path of a file on disk (not one read into memory)."""
        if self.path is None:
            msg = f"{self.name} was read into memory; it has no path to read from."
            raise IrispyPlusFileError(msg)
        return self.path

    def _read_bytes(self, index, count):
        offset = self._offsets[index]
        if self._buffer is not None:
            return bytes(self._buffer[offset : offset + count])
        with open(self._file_path, "rb") as file:
            file.seek(offset)
            return file.read(count)

    def __repr__(self):
        return describe_layout(self)
