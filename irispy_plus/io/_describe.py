"""
The description of an opened IRIS Level 2 file: the lines `irispy_plus.io.file_summary`
prints and ``repr`` of an `irispy_plus.io.Level2File` shows, and its table of windows.

Both functions take an opened file (anything with the attributes of a
`~irispy_plus.io.Level2File`), so the file class can use them without this module
importing it.
"""

from astropy.table import Table

from irispy_plus._keywords import Keywords

__all__ = ["describe_layout", "windows_table"]


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
        One row per window (`irispy_plus.io.WindowInfo`): ``index``, ``label``,
        ``dimensions`` (the data shape as text), ``wavelength_min`` and ``wavelength_max``
        (in angstrom) and ``band``.

    Examples
    --------
    >>> from irispy_plus.io import Level2File, windows_table
    >>> from irispy_plus.data import sample
    >>> table = windows_table(Level2File(sample.SNS_RASTER))
    >>> len(table)
    8
    >>> table["wavelength_min"].info.format = ".2f"
    >>> table["wavelength_max"].info.format = ".2f"
    >>> print(table[3:5])
    index   label     dimensions  wavelength_min wavelength_max band
                                     Angstrom       Angstrom
    ----- ---------- ------------- -------------- -------------- ----
        4 Si IV 1394 187 x 40 x 20        1390.87        1395.88 FUV2
        5 Si IV 1403 187 x 40 x 29        1398.61        1406.03 FUV2
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


def describe_layout(layout):
    """
    The description `~irispy_plus.io.file_summary` prints, of an opened file.

    Parameters
    ----------
    layout : irispy_plus.io.Level2File
        The file, opened.

    Returns
    -------
    str
        The description, several lines: name, observation, times, pointing, windows.

    Examples
    --------
    >>> from irispy_plus.data import sample
    >>> from irispy_plus.io import Level2File
    >>> from irispy_plus.io.summary import describe_layout
    >>> print(describe_layout(Level2File(sample.SNS_SJI_1400)).splitlines()[2])
      Start 2021-09-05T00:18:33.640, end 2021-09-05T05:07:36.665
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
