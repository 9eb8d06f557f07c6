"""
Speed and memory of reading compressed IRIS Level 2 files (``.fits.gz`` and a raster
tarball), which are checked to the end of their stream (gzip CRC) and bounded, against
plain decompression.

Writes (once, into --dir) a full-size slit-jaw file (80 x 779 x 1400, about 175 MB), its
``.fits.gz`` and a ``.tar.gz`` of it, then prints, each against its baseline measured in
the same run:

- time to open the ``.fits.gz`` with ``read_files`` (decompression, CRC check, headers,
  cube), against ``gzip.open(path).read()`` alone: the checked read should cost no more
  than the decompression itself (target < 1.15x);
- the same for the tarball, against ``tarfile`` extracting its member into memory;
- peak memory above the imports of each, in a fresh process, against the decompressed
  size (target < 1.2x: one copy of the file, no second).

Usage: ``python benchmarks/io_compressed.py [--dir DIR]``
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from irispy_plus.testing.files import write_full_size_sji, write_gzip, write_raster_tar

REPEATS = 3

_SCRIPT = """
import gzip, json, sys, tarfile, time
path, mode = sys.argv[1], sys.argv[2]
if mode == "irispy-plus":
    from irispy_plus import read_files

def memory():
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return int(fields["VmRSS"].split()[0]) * 1024, int(fields["VmHWM"].split()[0]) * 1024

before, _ = memory()
start = time.perf_counter()
if mode == "irispy-plus":
    read_files(path, as_observation=True)
elif path.endswith(".tar.gz"):
    with tarfile.open(path, "r:gz") as archive:
        contents = [archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()]
else:
    with gzip.open(path, "rb") as file:
        content = file.read()
seconds = time.perf_counter() - start
_, peak = memory()
print(json.dumps({"seconds": seconds, "grew": peak - before}))
"""


def _measure(path, mode):
    runs = []
    for _ in range(REPEATS):
        output = subprocess.run(
            [sys.executable, "-c", _SCRIPT, str(path), mode], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(output.stdout.strip().splitlines()[-1]))
    return statistics.median(run["seconds"] for run in runs), max(run["grew"] for run in runs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--dir", default=None, help="where to write (and reuse) the files")
    args = parser.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="irispy-plus-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    sji = folder / "iris_l2_20140329_140938_3860258481_SJI_1400_t000.fits"
    if not sji.exists():
        write_full_size_sji(sji)
    packed = folder / (sji.name + ".gz")
    if not packed.exists():
        write_gzip(sji, packed)
    tar = folder / "iris_l2_20140329_140938_3860258481_SJI.tar.gz"
    if not tar.exists():
        write_raster_tar([sji], tar)
    size = sji.stat().st_size
    print(f"slit-jaw file: {size / 1e6:.0f} MB, .fits.gz {packed.stat().st_size / 1e6:.0f} MB")
    for name, path in ((".fits.gz", packed), (".tar.gz", tar)):
        ours, ours_grew = _measure(path, "irispy-plus")
        plain, plain_grew = _measure(path, "plain")
        ratio = ours / plain
        verdict = "met" if ratio < 1.15 else "MISSED"
        print(
            f"read_files({name:<8})  {ours * 1e3:8.0f} ms vs plain decompression {plain * 1e3:8.0f} ms"
            f" = {ratio:5.2f}x  [target < 1.15x: {verdict}]"
        )
        memory = ours_grew / size
        print(
            f"{'  peak memory':<20}  {ours_grew / 1e6:8.0f} MB vs plain {plain_grew / 1e6:8.0f} MB;"
            f" {memory:4.2f}x the file  [target < 1.2x: {'met' if memory < 1.2 else 'MISSED'}]"
        )


if __name__ == "__main__":
    main()
