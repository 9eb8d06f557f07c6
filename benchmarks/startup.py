"""
Start-up time of the ``irispy-plus`` command and of ``import irispy_plus``.

Each figure is the median wall time of fresh Python processes, against the baseline
``python -c "import ndcube, sunpy.net"`` measured in the same run (interleaved, so that
a busy machine slows both alike):

- ``irispy-plus --help``, ``irispy-plus --version`` and each sub-command's ``--help``:
  target < 0.1x;
- ``import irispy_plus``: target <= 1.1x;
- ``import irispy_plus`` then ``from sunpy.net import Fido, attrs as a`` (what a Fido
  script pays, the client registered): target <= 1.1x.

Usage: ``python benchmarks/startup.py [--repeats N]``
"""

import argparse
import statistics
import subprocess
import sys
import time

BASELINE = "import ndcube, sunpy.net"
CASES = {
    "irispy-plus --help": ["-m", "irispy_plus.cli", "--help"],
    "irispy-plus --version": ["-m", "irispy_plus.cli", "--version"],
    "irispy-plus summary --help": ["-m", "irispy_plus.cli", "summary", "--help"],
    "irispy-plus info --help": ["-m", "irispy_plus.cli", "info", "--help"],
    "irispy-plus fit --help": ["-m", "irispy_plus.cli", "fit", "--help"],
    "irispy-plus search --help": ["-m", "irispy_plus.cli", "search", "--help"],
    "irispy-plus fetch --help": ["-m", "irispy_plus.cli", "fetch", "--help"],
    "irispy-plus view --help": ["-m", "irispy_plus.cli", "view", "--help"],
    "irispy-plus movie --help": ["-m", "irispy_plus.cli", "movie", "--help"],
    "irispy-plus archive --help": ["-m", "irispy_plus.cli", "archive", "--help"],
    "irispy-plus batch --help": ["-m", "irispy_plus.cli", "batch", "--help"],
    "import irispy_plus": ["-c", "import irispy_plus"],
    "import irispy_plus; Fido ready": [
        "-c",
        "import irispy_plus\nfrom sunpy.net import Fido, attrs as a\n"
        "assert any(c.__name__ == 'IRISHCRClient' for c in Fido.registry) and a.iris.OBSID",
    ],
}


def _seconds(arguments):
    start = time.perf_counter()
    subprocess.run([sys.executable, *arguments], check=True, capture_output=True)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    _seconds(["-c", BASELINE])  # warm the file cache
    times = {name: [] for name in ["baseline", *CASES]}
    for _ in range(repeats):
        times["baseline"].append(_seconds(["-c", BASELINE]))
        for name, arguments in CASES.items():
            times[name].append(_seconds(arguments))
    baseline = statistics.median(times["baseline"])
    print(f"baseline `python -c '{BASELINE}'`: {baseline:.3f} s (median of {repeats})")
    for name in CASES:
        seconds = statistics.median(times[name])
        target = "< 0.1x" if name.startswith("irispy-plus") else "<= 1.1x"
        print(f"{name:34s} {seconds:7.3f} s  {seconds / baseline:6.3f}x  (target {target})")


if __name__ == "__main__":
    main()
