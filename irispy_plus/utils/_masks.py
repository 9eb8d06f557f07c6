"""
The data of a cube, an NDData or a plain array with its mask applied.
"""

import numpy as np

__all__ = ["mask_array", "masked_values"]


def mask_array(obj, shape):
    """
    The mask of ``obj`` as a boolean array of ``shape``.

    A cube's mask may be None, a single bool or an array (numpy or dask); a plain array
    has none. All come back as a boolean numpy array, all False where nothing is masked.

    Parameters
    ----------
    obj : ndcube.NDCube, astropy.nddata.NDData or array-like
        What the mask belongs to.
    shape : tuple of int
        The shape of its data.

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> import numpy as np
    >>> from irispy_plus.utils._masks import mask_array
    >>> mask_array(np.ones(3), (3,)).tolist()
    [False, False, False]
    """
    mask = getattr(obj, "mask", None)
    if mask is None:
        return np.zeros(shape, dtype=bool)
    return np.broadcast_to(np.asarray(mask, dtype=bool), shape).copy()


def masked_values(obj):
    """
    A float64 copy of the data of ``obj``, NaN where it is masked.

    Parameters
    ----------
    obj : ndcube.NDCube, astropy.nddata.NDData or array-like
        A cube (its ``data`` and ``mask``) or a plain array.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from astropy.nddata import NDData
    >>> from irispy_plus.utils._masks import masked_values
    >>> masked_values(NDData([1.0, 2.0], mask=[False, True])).tolist()
    [1.0, nan]
    """
    data = np.array(getattr(obj, "data", obj), dtype=float)
    data[mask_array(obj, data.shape)] = np.nan
    return data
