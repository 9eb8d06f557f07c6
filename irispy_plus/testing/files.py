"""
Files for tests and benchmarks, made from the bundled sample: the int16 form the archive
stores, ``.fits.gz`` and ``raster.tar.gz`` copies, full-size synthetic rasters and
slit-jaw series, in-memory ``.tar.gz`` archives, and the list of files under a folder.
"""

import gzip
import io
import shutil
import tarfile
from pathlib import Path

import numpy as np
from astropy.io import fits

__all__ = [
    "files_under",
    "tar_gz",
    "write_full_size_raster",
    "write_full_size_sji",
    "write_gzip",
    "write_int16_copy",
    "write_raster_tar",
]

_BSCALE, _BZERO = 0.25, 7992.0


def _to_int16(values):
    values = np.where(np.isposinf(values), (32767 * _BSCALE) + _BZERO, values)
    raw = np.round((np.nan_to_num(values, nan=-200.0) - _BZERO) / _BSCALE)
    return np.clip(raw, -32768, 32767).astype(np.int16)


def write_int16_copy(source, destination):
    """
    Write ``source`` (a float32 Level 2 file) as the archive stores full files: int16
    images with BSCALE=0.25, BZERO=7992, so the -200 fill maps to -32768.

    Returns
    -------
    pathlib.Path
        ``destination``.
    """
    with fits.open(source) as hdulist:
        new = fits.HDUList()
        for index, hdu in enumerate(hdulist):
            is_image = isinstance(hdu, fits.PrimaryHDU | fits.ImageHDU) and hdu.data is not None
            is_window = is_image and hdu.data.dtype.kind == "f" and hdu.header["BITPIX"] == -32
            header = hdu.header.copy()
            if is_window:
                raw = _to_int16(hdu.data)
                header["BITPIX"] = 16
                cls = fits.PrimaryHDU if index == 0 else fits.ImageHDU
                new_hdu = cls(data=raw, header=header, do_not_scale_image_data=True)
                new_hdu.header["BSCALE"] = _BSCALE
                new_hdu.header["BZERO"] = _BZERO
                new.append(new_hdu)
            else:
                new.append(hdu.copy())
        new.writeto(destination, overwrite=True, output_verify="silentfix")
    return Path(destination)


def write_gzip(source, destination):
    """
    Gzip ``source`` to ``destination`` and return the destination path.
    """
    with open(source, "rb") as raw, gzip.open(destination, "wb") as packed:
        shutil.copyfileobj(raw, packed)
    return Path(destination)


def write_raster_tar(sources, destination):
    """
    Pack raster files into a ``*_raster.tar.gz`` archive as the IRIS archive does.
    """
    with tarfile.open(destination, "w:gz") as archive:
        for source in sources:
            data = Path(source).read_bytes()
            info = tarfile.TarInfo(Path(source).name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return Path(destination)


def _write_hdu(file, header, data=None):
    """
    Write one HDU: its header, then ``data`` (an iterable of big-endian byte blocks).
    """
    text = header.tostring()
    file.write(text.encode("ascii"))
    written = 0
    for block in data or ():
        file.write(block)
        written += len(block)
    if written % 2880:
        file.write(b"\0" * (2880 - written % 2880))


def _interpolated_rows(table, n_rows):
    """
    Resample the rows of a (n, m) float array to ``n_rows`` rows, linearly.
    """
    old = np.linspace(0.0, 1.0, len(table))
    new = np.linspace(0.0, 1.0, n_rows)
    return np.stack([np.interp(new, old, table[:, column]) for column in range(table.shape[1])], axis=1)


def write_full_size_raster(destination, n_steps=320, n_slit=548, n_waves=None, seed=0):
    """
    Write a full-size int16 IRIS raster file with the real header structure.

    The headers are the bundled 8-step raster's, with the dimensions, reference pixels,
    auxiliary array and file-name table stretched to ``n_steps`` exposures. Pixel values
    are random Poisson counts with some -200 fill. Data are written in blocks, never held
    in memory whole.

    Parameters
    ----------
    destination : str or pathlib.Path
        The file to write.
    n_steps, n_slit : int
        Raster steps and pixels along the slit.
    n_waves : sequence of int, optional
        Wavelength pixels of each window; by default 8 windows of about 1.3 GB in all.

    Returns
    -------
    pathlib.Path
        ``destination``.
    """
    from irispy_plus.data import sample

    n_waves = list(n_waves or (520, 520, 400, 400, 520, 300, 300, 747))
    rng = np.random.default_rng(seed)
    with fits.open(sample.RASTER) as template:
        primary = template[0].header.copy()
        window_headers = [hdu.header.copy() for hdu in template[1 : len(n_waves) + 1]]
        aux_header, aux = template[-2].header.copy(), template[-2].data.astype(">f8")
        names_header = template[-1].header.copy()
        names = template[-1].data
    primary["NWIN"] = len(n_waves)
    primary["NEXP"] = n_steps
    for index in range(len(n_waves) + 1, 10):
        for key in list(primary):
            if key.endswith(str(index)) and key.startswith(("TDESC", "TWAVE", "TWMIN", "TWMAX", "TDET")):
                del primary[key]
    aux = _interpolated_rows(np.asarray(aux, dtype=float), n_steps).astype(">f8")
    aux_header["NAXIS2"] = n_steps
    row_bytes = int(names_header["NAXIS1"])
    first_row = names.tobytes()[:row_bytes] if hasattr(names, "tobytes") else b" " * row_bytes
    names_header["NAXIS2"] = n_steps
    with open(destination, "wb") as file:
        _write_hdu(file, primary)
        for header, n_wave in zip(window_headers, n_waves, strict=True):
            header["BITPIX"] = 16
            header["NAXIS1"], header["NAXIS2"], header["NAXIS3"] = n_wave, n_slit, n_steps
            header["CDELT1"] = header["CDELT1"] / 10
            header["CDELT2"] = 0.16635
            header["CDELT3"] = 0.35
            header["CRPIX2"] = (n_slit + 1) / 2
            header["CRPIX3"] = (n_steps + 1) / 2
            header["BSCALE"], header["BZERO"] = _BSCALE, _BZERO
            blocks = (
                _random_block(rng, min(16, n_steps - start), n_slit, n_wave).tobytes()
                for start in range(0, n_steps, 16)
            )
            _write_hdu(file, header, blocks)
        _write_hdu(file, aux_header, [aux.tobytes()])
        _write_hdu(file, names_header, [first_row * n_steps])
    return Path(destination)


def _random_block(rng, n_steps, n_slit, n_wave):
    counts = rng.poisson(40.0, size=(n_steps, n_slit, n_wave)).astype(np.float32)
    counts[:, :8, :] = -200.0
    return _to_int16(counts).astype(">i2")


def write_full_size_sji(destination, n_frames=80, ny=779, nx=1400, seed=0):
    """
    Write a full-size int16 IRIS slit-jaw file with the real header structure (the
    bundled 1400 slit-jaw's, stretched to ``n_frames`` frames of ``ny`` x ``nx``).

    Returns
    -------
    pathlib.Path
        ``destination``.
    """
    from irispy_plus.data import sample

    rng = np.random.default_rng(seed)
    with fits.open(sample.SJI_1400) as template:
        primary = template[0].header.copy()
        aux_header, aux = template[1].header.copy(), np.asarray(template[1].data, dtype=float)
        names_header = template[2].header.copy()
        row = template[2].data.tobytes()[: int(names_header["NAXIS1"])]
    primary["BITPIX"] = 16
    primary["NAXIS1"], primary["NAXIS2"], primary["NAXIS3"] = nx, ny, n_frames
    primary["CDELT1"] = primary["CDELT2"] = 0.16635
    primary["CRPIX1"], primary["CRPIX2"] = (nx + 1) / 2, (ny + 1) / 2
    primary["BSCALE"], primary["BZERO"] = _BSCALE, _BZERO
    primary["NEXP"] = n_frames
    aux_header["NAXIS2"] = n_frames
    names_header["NAXIS2"] = n_frames
    with open(destination, "wb") as file:
        blocks = (_random_block(rng, 1, ny, nx).tobytes() for _ in range(n_frames))
        _write_hdu(file, primary, blocks)
        _write_hdu(file, aux_header, [_interpolated_rows(aux, n_frames).astype(">f8").tobytes()])
        _write_hdu(file, names_header, [row * n_frames])
    return Path(destination)


def files_under(folder):
    """
    Every file below ``folder``, as sorted relative POSIX paths (hidden ones included).

    Parameters
    ----------
    folder : path-like
        The folder.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.testing.files import files_under
    >>> files_under(sample.SAMPLE_DIR / "sji")[:1]
    ['iris_l2_20230408_110821_3880012095_SJI_1400_t000.fits']
    """
    folder = Path(folder)
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def tar_gz(members):
    """
    Build a ``.tar.gz`` in memory.

    Parameters
    ----------
    members : iterable of tarfile.TarInfo or (name, bytes)
        Members; a ``TarInfo`` is added as is (links, devices...), a pair as a regular file.

    Returns
    -------
    bytes

    Examples
    --------
    >>> import io, tarfile
    >>> from irispy_plus.testing.files import tar_gz
    >>> tarfile.open(fileobj=io.BytesIO(tar_gz([("a.fits", b"x")]))).getnames()
    ['a.fits']
    """
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=1, mtime=0) as packed,
        tarfile.open(fileobj=packed, mode="w") as archive,
    ):
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                archive.addfile(member)
                continue
            name, data = member
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
