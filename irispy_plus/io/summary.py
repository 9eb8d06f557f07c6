"""
What a Level 2 file holds, in a few lines: its observation and windows.
"""

from irispy_plus.io._describe import describe_layout, windows_table
from irispy_plus.io._sources import open_sources

__all__ = ["describe_layout", "file_summary", "windows_table"]


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
