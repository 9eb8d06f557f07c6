"""
Filling small holes in images from their surroundings.
"""

import numpy as np
from scipy import ndimage

__all__ = ["inpaint"]


def inpaint(image, holes, tolerance=1e-4):
    """
    Fill ``holes`` in ``image`` with the harmonic interpolant of the pixels around them.

    Each hole pixel becomes the mean of its four neighbours, repeated until the largest
    change is below ``tolerance`` times the image's spread (Jacobi iterations of
    Laplace's equation, Dirichlet boundary on the surrounding pixels). The result is the
    smoothest surface that meets the surroundings, which suits holes of a few pixels
    such as dust specks. NaN pixels outside the holes count as absent neighbours.

    Parameters
    ----------
    image : numpy.ndarray
        A 2-D image.
    holes : numpy.ndarray of bool
        The pixels to fill.
    tolerance : float
        Relative convergence threshold.

    Returns
    -------
    numpy.ndarray
        A float copy of ``image`` with the holes filled (NaN where a hole has no valid
        pixel around it at all).

    Examples
    --------
    >>> import numpy as np
    >>> from irispy_plus.cleaning._inpaint import inpaint
    >>> y, x = np.mgrid[:9, :9]
    >>> plane = 2.0 * x + y
    >>> holes = np.zeros(plane.shape, bool)
    >>> holes[3:6, 3:6] = True
    >>> bool(np.allclose(inpaint(np.where(holes, 0.0, plane), holes), plane, atol=1e-2))
    True
    """
    result = np.array(image, dtype=float)
    holes = np.asarray(holes, dtype=bool) & np.ones(result.shape, bool)
    if not holes.any():
        return result
    known = np.isfinite(result) & ~holes
    if not known.any():
        result[holes] = np.nan
        return result
    # Start from the nearest known value: few iterations are then needed.
    nearest = ndimage.distance_transform_edt(~known, return_distances=False, return_indices=True)
    result[holes] = result[tuple(index[holes] for index in nearest)]
    spread = float(np.nanstd(result[known])) or 1.0
    region = ndimage.binary_dilation(holes)
    rows, columns = np.nonzero(region)
    low, high = rows.min(), rows.max() + 1
    left, right = columns.min(), columns.max() + 1
    window = np.pad(result[low:high, left:right], 1, constant_values=np.nan)
    inside = np.pad(holes[low:high, left:right], 1, constant_values=False)
    valid = np.isfinite(window)
    for _ in range(10 * max(window.shape)):
        values = np.where(valid, window, 0.0)
        weights = valid.astype(float)
        total = values[:-2, 1:-1] + values[2:, 1:-1] + values[1:-1, :-2] + values[1:-1, 2:]
        count = weights[:-2, 1:-1] + weights[2:, 1:-1] + weights[1:-1, :-2] + weights[1:-1, 2:]
        with np.errstate(invalid="ignore", divide="ignore"):
            average = total / count
        update = inside[1:-1, 1:-1] & (count > 0)
        change = np.abs(average[update] - window[1:-1, 1:-1][update])
        window[1:-1, 1:-1][update] = average[update]
        valid[1:-1, 1:-1] |= update
        if change.size == 0 or np.max(change) < tolerance * spread:
            break
    result[low:high, left:right] = window[1:-1, 1:-1]
    return result
