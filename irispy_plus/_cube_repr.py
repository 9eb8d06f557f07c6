"""
The ``repr`` of the IRIS cubes and their containers: what a user wants to see at the
prompt (window, shape, time range, field of view, unit), computed from the coordinates
only, so showing a lazily read cube reads none of its data.
"""

import itertools
from pathlib import Path

import astropy.units as u
import numpy as np

__all__ = ["coverage_lines", "cube_summary", "sequence_summary", "sji_collection_summary"]


def cube_summary(cube, title, axes):
    """
    The repr of one cube.

    Parameters
    ----------
    cube : ndcube.NDCube
        An `~irispy_plus.cubes.IRISSpectrogramCube` or `~irispy_plus.cubes.IRISSJICube`.
    title : str
        What the cube is, e.g. ``"IRISSpectrogramCube Si IV 1403"``.
    axes : tuple of str
        The names of the array axes, in numpy order, before any slicing.

    Returns
    -------
    str
    """
    shape = tuple(int(n) for n in cube.shape)
    names = axes if len(axes) == len(shape) else ()
    lines = [
        f"<{title} from {Path(str(cube.meta.get('filename', 'memory'))).name}",
        f"  shape {shape}" + (f" ({', '.join(names)})" if names else ""),
        f"  time {_time_range(_times(cube))}",
        f"  field of view {_field_of_view([cube])}",
    ]
    spectral = _spectral_range(cube)
    if spectral:
        lines.append(f"  wavelength {spectral}")
    state = "on disk (lazy)" if getattr(cube, "is_lazy", False) else "in memory"
    lines.append(f"  unit {cube.unit}, data {state}>")
    return "\n".join(lines)


def sequence_summary(sequence, title):
    """
    The repr of a raster sequence: its repeats, their shapes, and the whole time range
    and field of view.
    """
    cubes = list(sequence.data)
    shapes = sorted({tuple(int(n) for n in cube.shape) for cube in cubes})
    shape_text = f"{len(cubes)} repeat(s) of {shapes[0] if len(shapes) == 1 else shapes}"
    times = [time for cube in cubes if (time := _times(cube)) is not None]
    lines = [
        f"<{title}: {shape_text}",
        f"  time {_time_range(_join_times(times))}",
        f"  field of view {_field_of_view(cubes)}",
    ]
    if cubes:
        spectral = _spectral_range(cubes[0])
        if spectral:
            lines.append(f"  wavelength {spectral}")
        lines.append(f"  unit {cubes[0].unit}>")
    else:
        lines[-1] += ">"
    return "\n".join(lines)


def sji_collection_summary(collection):
    """
    The repr of slit-jaw cubes keyed by band: one line per band.
    """
    lines = [f"<SJICollection: {len(collection)} slit-jaw series"]
    for key, cube in collection.items():
        shape = tuple(int(n) for n in cube.shape)
        lines.append(f"  {key:<14} {shape!s:<16} {_time_range(_times(cube))}, {cube.unit}")
    return "\n".join(lines) + ">"


def coverage_lines(values):
    """
    The time range and field of view lines of a collection's windows (cubes or raster
    sequences).
    """
    cubes = []
    for value in values:
        cubes.extend(value.data if isinstance(value.data, list) else [value])
    times = [time for cube in cubes if (time := _times(cube)) is not None]
    return [f"  time {_time_range(_join_times(times))}", f"  field of view {_field_of_view(cubes)}"]


def _times(cube):
    try:
        times = cube.time
    except (AttributeError, KeyError, IndexError, ValueError, TypeError):
        return None
    if times is None or not times.size:
        return None
    return times.reshape(-1) if times.ndim else times.reshape(1)


def _join_times(times):
    if not times:
        return None
    from astropy.time import Time

    return Time([t.min() for t in times] + [t.max() for t in times])


def _time_range(times):
    if times is None:
        return "unknown"
    first, last = times.min(), times.max()
    if first == last:
        return first.isot
    return f"{first.isot} to {last.isot}"


def _field_of_view(cubes):
    """
    The helioprojective longitude and latitude spanned by the corners of the cubes'
    pixel arrays, in arcsec.
    """
    lon, lat = [], []
    for cube in cubes:
        corners = _corner_world(cube)
        if corners is not None:
            lon.extend(corners[0])
            lat.extend(corners[1])
    if not lon:
        return "unknown"
    return f"x {np.min(lon):.1f} to {np.max(lon):.1f} arcsec, y {np.min(lat):.1f} to {np.max(lat):.1f} arcsec"


def _corner_world(cube):
    wcs = cube.wcs.low_level_wcs
    shape = tuple(int(n) for n in cube.shape)
    if not shape or 0 in shape:
        return None
    types = list(wcs.world_axis_physical_types)
    units = list(wcs.world_axis_units)
    found = [next((i for i, kind in enumerate(types) if part in kind), None) for part in ("lon", "lat")]
    if None in found:
        return None
    corners = np.array(list(itertools.product(*[(0, n - 1) for n in shape]))).T
    world = wcs.array_index_to_world_values(*corners)
    world = world if isinstance(world, list | tuple) else [world]
    return [(np.atleast_1d(world[index]) * u.Unit(units[index])).to_value(u.arcsec) for index in found]


def _spectral_range(cube):
    try:
        axis = cube.spectral_axis
    except (AttributeError, ValueError, TypeError, KeyError):
        return ""
    if axis is None or not np.size(axis):
        return ""
    values = np.atleast_1d(axis.to_value(u.AA))
    return f"{values.min():.2f} to {values.max():.2f} Å"
