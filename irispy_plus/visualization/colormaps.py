"""
The IRIS colour maps, as SolarSoft's ``iris_lct`` loads them, for each band and window.

sunpy ports ``iris_lct`` and registers the maps with matplotlib as ``irissji1330``,
``irissji1400``, ``irissji2796``, ``irissji2832``, ``irissjiFUV`` and ``irissjiNUV``;
importing this module makes sure they are registered and picks the one for a cube.
"""

import matplotlib as mpl
import sunpy.visualization.colormaps  # noqa: F401  (registers the IRIS maps with matplotlib)

__all__ = ["IRIS_COLORMAPS", "iris_colormap"]

#: The registered colour map name for each slit-jaw band and spectrograph detector.
IRIS_COLORMAPS = {
    "SJI_1330": "irissji1330",
    "SJI_1400": "irissji1400",
    "SJI_1600": "irissji1600",
    "SJI_2796": "irissji2796",
    "SJI_2832": "irissji2832",
    "SJI_5000": "irissji5000",
    "FUV": "irissjiFUV",
    "NUV": "irissjiNUV",
}


def iris_colormap(band: str):
    """
    The IRIS colour map for a slit-jaw band or spectrograph detector.

    Parameters
    ----------
    band : str
        ``"SJI_1400"`` (or ``"1400"``), ``"FUV"``, ``"FUV1"``, ``"FUV2"`` or ``"NUV"``
        (``cube.meta.detector`` or ``cube.meta.band``); anything else gives ``"gray"``.

    Returns
    -------
    matplotlib.colors.Colormap

    Examples
    --------
    >>> from irispy_plus.visualization import iris_colormap
    >>> iris_colormap("SJI_1400").name
    'irissji1400'
    >>> iris_colormap("FUV2").name
    'irissjiFUV'
    """
    key = str(band).upper()
    if key.isdigit():
        key = f"SJI_{key}"
    if key.startswith("FUV"):
        key = "FUV"
    return mpl.colormaps[IRIS_COLORMAPS.get(key, "gray")]
