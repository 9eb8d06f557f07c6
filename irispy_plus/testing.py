"""
Helpers shared by the tests and benchmarks of irispy-plus: files made from the sample.
"""

import gzip
import io
import shutil
import tarfile
from pathlib import Path

import numpy as np
from astropy.io import fits

__all__ = ["write_gzip", "write_int16_copy", "write_raster_tar"]

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
