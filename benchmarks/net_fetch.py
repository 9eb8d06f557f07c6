"""
Benchmark: parallel fetch and unpack of IRIS files against a sequential download and ``gzip -d``.

Eight ``.fits.gz`` files of about 50 MB are served from a loopback `HCRTestServer` (in a
child process, so it does not share the GIL with the client) at a fixed rate per
connection. Measured in one run:

- the wall time of `IRISHCRClient.fetch` (parfive, parallel and ranged), download only
  (verified, kept compressed) and download + unpack, against downloading the same files one
  after the other with ``wget`` (what the tutorial's scripts do); target >= 4x;
- the rate of `irispy_plus.net._unpack.gunzip_fits` (decompress, CRC, FITS check,
  rename) against ``gzip -d`` on the same file; target >= 0.8x.

Run: ``python benchmarks/net_fetch.py`` (about 80 s; needs ~1.5 GB in the temp folder).
"""

import gzip
import multiprocessing
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from astropy.io import fits

N_FILES = 8
TARGET_MB = 50
RATE = 10e6  # bytes per second per connection (a generous rate for a distant archive)
OBSERVATION = "20200101_000000_3600000001"


def build_file(folder):
    """A FITS file whose gzip (level 6, as the archive's) is about TARGET_MB."""
    rng = np.random.default_rng(1)
    # 4 bits of entropy per byte: gzip makes it about 0.57 of its size.
    data = rng.integers(0, 16, size=(int(TARGET_MB * 1e6 / 0.57) // 4096, 4096), dtype=np.uint8)
    raw = folder / "big.fits"
    fits.PrimaryHDU(data).writeto(raw)
    packed = folder / "big.fits.gz"
    with open(raw, "rb") as source, gzip.open(packed, "wb", compresslevel=6) as out:
        shutil.copyfileobj(source, out, 4 << 20)
    raw.unlink()
    return packed


def serve(packed, paths, rate, queue, stop):
    """Child process: serve ``packed`` at each of ``paths`` until told to stop."""
    from irispy_plus.testing.hcr_server import HCRTestServer

    body = Path(packed).read_bytes()
    with HCRTestServer(rate=rate) as server:
        for path in paths:
            server.files[path] = body
        queue.put(server.url)
        stop.wait()


UNPACK_REPEATS = 3


def main():
    from irispy_plus.net._download import FileTarget, fetch_targets
    from irispy_plus.net._unpack import gunzip_fits

    work = Path(tempfile.mkdtemp(prefix="irispy_net_bench_"))
    try:
        packed = build_file(work)
        size = packed.stat().st_size
        print(f"{N_FILES} files of {size / 1e6:.1f} MB served at {RATE / 1e6:.0f} MB/s per connection")
        paths = [
            f"/solarsoft/irisa/data/level2_compressed/2020/01/01/{OBSERVATION}/"
            f"iris_l2_{OBSERVATION}_SJI_{1000 + n}_t000.fits.gz"
            for n in range(N_FILES)
        ]
        queue, stop = multiprocessing.Queue(), multiprocessing.Event()
        server = multiprocessing.Process(target=serve, args=(packed, paths, RATE, queue, stop), daemon=True)
        server.start()
        base = queue.get(timeout=60)
        urls = [base + path for path in paths]

        sequential_dir = work / "sequential"
        sequential_dir.mkdir()
        start = time.perf_counter()
        for url in urls:
            subprocess.run(["wget", "-q", "-P", str(sequential_dir), url], check=True)
        sequential = time.perf_counter() - start

        def fetch(folder, unpack):
            targets = [FileTarget(url, work / folder, OBSERVATION, unpack=unpack) for url in urls]
            start = time.perf_counter()
            results = fetch_targets(targets, max_conn=N_FILES, max_splits=5, progress=False, retries=0)
            elapsed = time.perf_counter() - start
            assert not results.errors, results.errors
            assert len(results) == N_FILES
            return elapsed

        parallel_download = fetch("parallel_packed", unpack=False)
        parallel_unpacked = fetch("parallel_unpacked", unpack=True)
        stop.set()
        server.join(10)

        one = sequential_dir / paths[0].rsplit("/", 1)[-1]
        gzip_times, our_times = [], []
        for _ in range(UNPACK_REPEATS):  # alternated, best of each: the machine is shared
            start = time.perf_counter()
            with open(work / "gzip.fits", "wb") as out:
                subprocess.run(["gzip", "-d", "-c", str(one)], stdout=out, check=True)
            gzip_times.append(time.perf_counter() - start)
            (work / "ours.fits").unlink(missing_ok=True)
            start = time.perf_counter()
            gunzip_fits(one, work / "ours.fits", "bench")
            our_times.append(time.perf_counter() - start)
        gzip_time, ours_time = min(gzip_times), min(our_times)
        output_mb = (work / "ours.fits").stat().st_size / 1e6

        print(f"sequential wget:               {sequential:6.2f} s")
        print(
            f"parallel fetch (verified .gz): {parallel_download:6.2f} s  "
            f"-> {sequential / parallel_download:.1f}x faster than sequential (target >= 4x)"
        )
        print(
            f"parallel fetch + unpack:       {parallel_unpacked:6.2f} s  "
            f"-> {sequential / parallel_unpacked:.1f}x faster than sequential (target >= 4x)"
        )
        print(f"gzip -d:     {output_mb / gzip_time:7.1f} MB/s of output")
        print(
            f"gunzip_fits: {output_mb / ours_time:7.1f} MB/s of output (with CRC and FITS check) "
            f"-> {gzip_time / ours_time:.2f}x gzip's rate (target >= 0.8x)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PARFIVE_HIDE_PROGRESS", "1")
    main()
