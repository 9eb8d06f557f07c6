"""
What a Level 2 file holds, in a few lines: its observation and windows.
"""

from astropy.table import Table

from irispy_plus.io._keywords import Keywords
from irispy_plus.io._sources import open_sources

__all__ = ["describe_layout", "file_summary", "windows_table"]


def windows_table(layout):
    """
    The windows of a file as a table: index, label, dimensions, wavelength range, band.

    Parameters
    ----------
    layout : irispy_plus.io.Level2File
        The file, opened.

    Returns
    -------
    astropy.table.Table
    """
    windows = layout.windows
    return Table(
        {
            "index": [info.index for info in windows],
            "label": [info.label for info in windows],
            "dimensions": [" x ".join(map(str, info.shape)) for info in windows],
            "wavelength_min": [info.wavelength_min for info in windows],
            "wavelength_max": [info.wavelength_max for info in windows],
            "band": [info.band for info in windows],
        }
    )


def file_summary(filename):
    """
    Describe an IRIS Level 2 file: observation, times, pointing and windows.

    Parameters
    ----------
    filename : str or pathlib.Path
        A raster or slit-jaw file (``.fits``, ``.fits.gz`` or a raster archive, whose
        first file is described).

    Returns
    -------
    str
        The description, several lines.

    Examples
    --------
    >>> from irispy_plus.io import file_summary
    >>> from irispy_plus.data import sample
    >>> print(file_summary(sample.RASTER))  # doctest: +ELLIPSIS
    iris_l2_20140329_140938_3860258481_raster_t000_r00000.fits
      OBSID 3860258481: Very large coarse 8-step raster 14x175 8s  Si IV   Mg II h/k   Mg II
      Start 2014-03-29T14:09:38.830, end 2014-03-29T17:54:20.671
      8 exposures, pointing (489.97, 280.17) arcsec, raster repeat 1 of 180
    index    label      dimensions  wavelength_min wavelength_max band
    ...
        5   Si IV 1403 8 x 109 x 29       1398.631       1405.958 FUV2
    ...
    """
    return describe_layout(open_sources(filename)[0])


def describe_layout(layout):
    """
    The description `file_summary` prints, of an opened `irispy_plus.io.Level2File`.
    """
    header = layout.primary_header
    keywords = Keywords(header, layout.name, "primary header")
    kind = "raster" if layout.kind == "raster" else "slit-jaw"
    lines = [
        f"{layout.name.rsplit('/', 1)[-1]}",
        f"  OBSID {str(header['OBSID']).strip()}: {str(header.get('OBS_DESC', '')).strip()}",
        f"  Start {header['STARTOBS']}, end {header.get('ENDOBS', 'unknown')}",
        f"  {layout.n_exposures} exposures, pointing ({keywords.number('XCEN', float('nan')):.2f}, "
        f"{keywords.number('YCEN', float('nan')):.2f}) arcsec"
        + (f", raster repeat {header.get('RASRPT')} of {header.get('RASNRPT')}" if kind == "raster" else ""),
    ]
    table = windows_table(layout)
    table["wavelength_min"].info.format = ".3f"
    table["wavelength_max"].info.format = ".3f"
    return "\n".join(lines + table.pformat(max_lines=-1, max_width=-1, show_unit=False))
