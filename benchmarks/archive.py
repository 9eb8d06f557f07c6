"""
Benchmark: indexing a large archive, and ``batch fit`` on two local workers against a
sequential loop.

1. Indexing: a synthetic tree of ``--n-index`` observations (1,000 by default) in LMSAL's
   layout, each a header-only raster file (the sample raster's primary HDU, which holds
   no data) and a header-only slit-jaw file, with the OBSID, times and pointing
   rewritten. Measured: the first index, an update with nothing changed, and an update
   after 1% of the files changed. Baseline in the same run: opening the same number of
   real sample copies with `irispy_plus.io.Level2File` (the reader's full header parse).
2. Batch fit: the synthetic archive of the tests (``--n-fit`` observations, 8-step Si IV
   rasters from the sample), fitting Si IV 1403 in every spectrum with ``fit_siiv``
   (`irispy_plus.archive._jobs.FitJob`, as ``irispy-plus batch fit`` runs it).
   - sequential: a loop in this process fitting and writing each result, one solver
     thread (and with the default threads);
   - 2 workers: ``Archive.map`` on a ``LocalCluster(n_workers=2, threads_per_worker=1)``,
     cold (the cluster started in the run, as the command does) and warm (started before);
   - the scheduling floor: ``Archive.map`` of a function that does nothing, per observation.

Run: ``python benchmarks/archive.py [--n-index 1000] [--n-fit 20]``.
"""

import argparse
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from astropy.io import fits
from astropy.time import Time, TimeDelta

from irispy_plus.archive import Archive
from irispy_plus.archive._index import observation_id
from irispy_plus.archive._jobs import FitJob
from irispy_plus.asdf import save
from irispy_plus.data import sample
from irispy_plus.io import Level2File
from irispy_plus.testing.archives import make_archive, rewrite_primary_keywords, warm_up


def _header_only(source, destination):
    header = fits.getheader(source)
    header["NAXIS"] = 0
    for key in ("NAXIS1", "NAXIS2", "NAXIS3"):
        header.remove(key, ignore_missing=True)
    fits.PrimaryHDU(header=header).writeto(destination)


def header_tree(root, n):
    """``n`` observations of header-only files in LMSAL's layout."""
    templates = root / "templates"
    templates.mkdir(parents=True)
    raster, sji = templates / "raster.fits", templates / "sji.fits"
    _header_only(sample.RASTER, raster)
    _header_only(sample.SJI_1400, sji)
    first = Time("2016-01-01T00:00:00", scale="utc")
    tree = root / "tree"
    for index in range(n):
        start = first + TimeDelta(index * 3 * 3600, format="sec")
        obs_id = observation_id(3600000000 + index, start)
        folder = tree / start.strftime("%Y/%m/%d") / obs_id
        folder.mkdir(parents=True)
        keywords = {"OBSID": str(3600000000 + index), "STARTOBS": start.isot, "XCEN": float(index % 900)}
        for template, suffix in ((raster, "raster_t000_r00000.fits"), (sji, "SJI_1400_t000.fits")):
            path = folder / f"iris_l2_{obs_id}_{suffix}"
            shutil.copyfile(template, path)
            rewrite_primary_keywords(path, keywords)
    return tree


def bench_index(workdir, n):
    tree = header_tree(workdir / "index", n)
    start = time.perf_counter()
    archive = Archive(tree)
    first = time.perf_counter() - start
    assert len(archive) == n, len(archive)
    start = time.perf_counter()
    Archive(tree)
    unchanged = time.perf_counter() - start
    files = sorted(tree.rglob("*SJI*"))[::100]
    for path in files:
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    start = time.perf_counter()
    report = Archive(tree).last_update
    changed = time.perf_counter() - start
    copies = workdir / "copies"
    copies.mkdir()
    real = [
        shutil.copyfile(source, copies / f"{i}_{source.name}")
        for i in range(25)
        for source in (sample.RASTER, sample.SJI_1400)
    ]
    start = time.perf_counter()
    for path in real:
        Level2File(path)
    per_file = (time.perf_counter() - start) / len(real)
    baseline = per_file * 2 * n
    print(
        f"index {n} observations ({2 * n} header-only files), first time: {first:.2f} s "
        f"({2 * n / first:.0f} files/s)"
    )
    print(
        f"  baseline, Level2File on {2 * n} real files (from {len(real)}): {baseline:.2f} s -> "
        f"index is {baseline / first:.1f}x faster"
    )
    print(
        f"  reopen, nothing changed: {unchanged:.2f} s ({first / unchanged:.1f}x faster than the first index)"
    )
    print(f"  reopen, {report.read} of {2 * n} files changed: {changed:.2f} s")


def bench_fit(workdir, n):
    import distributed

    root = make_archive(workdir / "fit", n_observations=n, sit_and_stare_every=0)
    archive = Archive(root)
    job = FitJob("Si IV 1403", n_threads=1)
    loop_out = workdir / "loop"
    loop_out.mkdir()
    for obs in archive[:1]:  # warm the imports and caches
        save(job(obs), loop_out / "warm.asdf", force=True)
    start = time.perf_counter()
    for obs in archive:  # the same work as a task: fit, and write the result
        save(job(obs), loop_out / f"{obs.obs_id}.asdf", force=True)
    sequential = time.perf_counter() - start
    default_threads = FitJob("Si IV 1403")
    start = time.perf_counter()
    for obs in archive:
        save(default_threads(obs), loop_out / f"{obs.obs_id}.asdf", force=True)
    sequential_threads = time.perf_counter() - start
    print(f"batch fit of {n} observations ({archive[0].raster('Si IV 1403').shape[:2]} spectra each)")
    print(f"  sequential loop, 1 solver thread: {sequential:.2f} s ({n / sequential:.2f} obs/s)")
    print(
        f"  sequential loop, default threads: {sequential_threads:.2f} s ({n / sequential_threads:.2f} obs/s)"
    )

    start = time.perf_counter()
    cold = archive.map(FitJob("Si IV 1403"), out=workdir / "cold", n_workers=2, progress=False)
    cold_seconds = time.perf_counter() - start
    assert cold.done == n, cold.summary()
    print(
        f"  2 workers, cluster started in the run: {cold_seconds:.2f} s ({n / cold_seconds:.2f} obs/s) "
        f"-> {sequential / cold_seconds:.2f}x the 1-thread loop"
    )
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.run(warm_up)
        archive[:4].map(FitJob("Si IV 1403"), client=client, out=workdir / "warmup", progress=False)
        start = time.perf_counter()
        warm = archive.map(FitJob("Si IV 1403"), client=client, out=workdir / "warm", progress=False)
        warm_seconds = time.perf_counter() - start
        assert warm.done == n, warm.summary()
        start = time.perf_counter()
        archive.map(_nothing, client=client, out=workdir / "nothing", progress=False)
        floor = time.perf_counter() - start
    print(
        f"  2 workers, cluster already up: {warm_seconds:.2f} s ({n / warm_seconds:.2f} obs/s) "
        f"-> {sequential / warm_seconds:.2f}x the 1-thread loop, "
        f"{sequential_threads / warm_seconds:.2f}x the threaded loop"
    )
    print(f"  scheduling floor (a function that does nothing): {1000 * floor / n:.0f} ms per observation")


def _nothing(observation):
    return {"obs_id": observation.obs_id}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--n-index", type=int, default=1000)
    parser.add_argument("--n-fit", type=int, default=20)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="irispy-plus-bench-") as name:
        workdir = Path(name)
        bench_index(workdir, args.n_index)
        bench_fit(workdir, args.n_fit)


if __name__ == "__main__":
    main()
