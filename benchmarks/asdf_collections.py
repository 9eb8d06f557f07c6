"""
Saving and loading ASDF collections: 13 raster repeats x 4 windows (52 cubes, with
uncertainties), against writing and reading the same arrays and coordinates with
``asdf`` directly, measured in the same run.

The collection is read from 13 copies of the bundled sample's raster files (renamed as
repeats 0-12 of one series). The baseline tree holds, per cube, the data, mask and
uncertainty arrays, the per-exposure pointing (XCEN, YCEN, PC) and the exposure times, as
plain numpy arrays and an astropy Time, and the metadata as a plain dict (header keywords,
the auxiliary and file-name tables), written with asdf's own tags.

Targets: save and load each within 3x of the baseline (which reads every array). Loading
gives lazy cubes over the memory-mapped file; loading and then reading every array
(through dask) is printed too.

Usage: ``python benchmarks/asdf_collections.py [--repeats N] [--profile]``
"""

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import asdf
import numpy as np

from irispy_plus import read_files
from irispy_plus.asdf import load, save
from irispy_plus.data import sample

WINDOWS = ["C II 1336", "Si IV 1403", "O I 1356", "Mg II k 2796"]
N_REPEATS = 13


def _collection(folder):
    names = []
    for repeat in range(N_REPEATS):
        source = sample.RASTER_SERIES[repeat % len(sample.RASTER_SERIES)]
        name = folder / source.name.replace("_r00000", "").replace(
            source.name.split("_raster_")[1], f"t000_r{repeat:05d}.fits"
        )
        shutil.copyfile(source, name)
        names.append(name)
    collection = read_files(names, windows=WINDOWS, uncertainty=True)
    # Computed once, so that both sides write the same arrays from memory.
    for label in collection:
        for cube in collection[label].data:
            cube._data = np.asarray(cube.data)
            cube._mask = np.asarray(cube.mask)
            cube.uncertainty._array = np.asarray(cube.uncertainty.array)
    return collection


def _plain_tree(collection):
    tree = {}
    for label in collection:
        cubes = []
        for cube in collection[label].data:
            wcs = cube.wcs.low_level_wcs
            xcen, ycen = wcs.pointing
            cubes.append(
                {
                    "data": np.asarray(cube.data),
                    "mask": np.asarray(cube.mask),
                    "uncertainty": np.asarray(cube.uncertainty.array),
                    "xcen": np.asarray(xcen.value),
                    "ycen": np.asarray(ycen.value),
                    "pc": np.asarray(wcs.pc_per_exposure),
                    "time": cube.time,
                    "meta": dict(cube.meta),
                }
            )
        tree[label] = cubes
    return tree


def _read_plain(path):
    with asdf.open(path, lazy_load=False, memmap=False) as af:
        for cubes in af.tree.values():
            if isinstance(cubes, list):
                for cube in cubes:
                    for key in ("data", "mask", "uncertainty", "xcen", "ycen", "pc"):
                        np.asarray(cube[key])


def _load_and_read(path):
    loaded = load(path)
    for label in loaded:
        for cube in loaded[label].data:
            np.asarray(cube.data), np.asarray(cube.mask), np.asarray(cube.uncertainty.array)
    return loaded


def _median_seconds(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print a profile of save and load")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        collection = _collection(folder)
        n_cubes = sum(len(collection[label].data) for label in collection)
        plain = _plain_tree(collection)
        ours, theirs = folder / "collection.asdf", folder / "plain.asdf"
        if args.profile:
            import cProfile
            import pstats

            for label, call in (
                ("save", lambda: save(collection, ours, force=True)),
                ("load", lambda: _load_and_read(ours)),
            ):
                profile = cProfile.Profile()
                profile.runcall(call)
                print(f"--- {label}")
                pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        save_ours = _median_seconds(lambda: save(collection, ours, force=True), args.repeats)
        save_plain = _median_seconds(lambda: asdf.AsdfFile(plain).write_to(theirs), args.repeats)
        load_ours = _median_seconds(lambda: load(ours), args.repeats)
        read_ours = _median_seconds(lambda: _load_and_read(ours), args.repeats)
        load_plain = _median_seconds(lambda: _read_plain(theirs), args.repeats)
        size_ours, size_plain = ours.stat().st_size, theirs.stat().st_size
    print(f"{n_cubes} cubes ({len(WINDOWS)} windows x {N_REPEATS} repeats), median of {args.repeats}")
    print(f"file size: irispy-plus {size_ours / 2**20:.1f} MiB, plain asdf {size_plain / 2**20:.1f} MiB")
    for what, ours_s, plain_s in (
        ("save", save_ours, save_plain),
        ("load (lazy cubes)", load_ours, load_plain),
        ("load and read every array", read_ours, load_plain),
    ):
        print(
            f"{what}: irispy-plus {ours_s:.3f} s ({ours_s / n_cubes * 1e3:.1f} ms a cube), "
            f"plain asdf {plain_s:.3f} s: {ours_s / plain_s:.2f}x (target <= 3x)"
        )


if __name__ == "__main__":
    main()
