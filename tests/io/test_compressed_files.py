"""
Compressed and special files given to the readers: every ``.fits.gz`` and raster tarball is
read to its end and its CRC checked before a value is used; decompression is bounded in
size, members and memory; FIFOs and devices are refused before they are opened.
"""

import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest

import irispy_plus
from irispy_plus import read_files
from irispy_plus.cli import main
from irispy_plus.data import sample
from irispy_plus.io._sources import open_sources
from irispy_plus.testing.files import write_gzip, write_raster_tar
from irispy_plus.utils.config import conf
from irispy_plus.utils.exceptions import (
    IrispyPlusDamagedFileError,
    IrispyPlusFileError,
    IrispyPlusLimitError,
)

TAR_NAME = "iris_l2_20140329_140938_3860258481_raster.tar.gz"


def _values(layouts, names=True):
    """Everything a reader takes from the files: names of tar members, headers, every image
    HDU, the tables."""
    values = []
    for layout in layouts:
        if names and ":" in layout.name:
            values.append(layout.name.rsplit(":", 1)[-1])
        values.extend(repr(header) for header in layout.headers)
        for index in range(len(layout.headers) - 1):
            if layout.headers[index]["NAXIS"]:
                values.append(np.array(layout.raw_array(index, keep=False)))
        values.append(np.array(layout.aux_table))
        values.append(np.array(layout.filename_table))
    return values


def _same(first, second):
    return len(first) == len(second) and all(
        np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
        for a, b in zip(first, second, strict=True)
    )


def _flip_trials(path, n_trials):
    """Flip one bit at ``n_trials`` positions spread over the file (and its first and last
    bytes); each damaged copy must be refused by name or read to identical values."""
    original = path.read_bytes()
    expected = _values(open_sources(path))
    positions = sorted({*np.linspace(0, len(original) - 1, n_trials - 12).astype(int), *range(10), -1, -5})
    damaged = path.with_name("damaged_" + path.name)
    refused = []
    for trial, position in enumerate(positions):
        content = bytearray(original)
        content[position] ^= 1 << (trial % 8)
        damaged.write_bytes(content)
        try:
            got = _values(open_sources(damaged))
        except IrispyPlusFileError as error:
            refused.append(str(error))
            continue
        assert _same(got, expected), f"a flipped bit at byte {position} changed the values silently"
    assert all(str(damaged) in message for message in refused)
    return len(refused), len(positions)


def test_a_flipped_bit_in_a_raster_tarball_is_never_silent(tmp_path):
    tar = write_raster_tar(sample.RASTER_SERIES[:1], tmp_path / TAR_NAME)
    refused, trials = _flip_trials(tar, 60)
    # Bits of the gzip header's time stamp and flags may change nothing; almost all others
    # must be caught by the CRC or the deflate stream.
    assert trials >= 55
    assert refused >= trials - 12


def test_a_flipped_bit_in_a_fits_gz_is_never_silent(tmp_path):
    packed = write_gzip(sample.SJI_1400, tmp_path / (sample.SJI_1400.name + ".gz"))
    refused, trials = _flip_trials(packed, 30)
    assert refused >= trials - 12


def test_a_damaged_crc_or_length_is_named(tmp_path):
    packed = write_gzip(sample.SJI_1400, tmp_path / (sample.SJI_1400.name + ".gz"))
    content = bytearray(packed.read_bytes())
    for where, words in ((-8, "CRC check failed"), (-4, "Incorrect length")):
        damaged = bytearray(content)
        damaged[where] ^= 0xFF
        packed.write_bytes(damaged)
        with pytest.raises(IrispyPlusDamagedFileError, match=words):
            read_files(packed)
    packed.write_bytes(content[: len(content) // 2])
    with pytest.raises(IrispyPlusDamagedFileError, match="incomplete"):
        read_files(packed)
    tar = write_raster_tar(sample.RASTER_SERIES, tmp_path / TAR_NAME)
    tar.write_bytes(tar.read_bytes()[:-100])
    with pytest.raises(IrispyPlusDamagedFileError, match=TAR_NAME):
        read_files(tar)


def test_compressed_files_give_the_same_values(tmp_path):
    tar = write_raster_tar(sample.RASTER_SERIES, tmp_path / TAR_NAME)
    assert _same(_values(open_sources(tar), names=False), _values(open_sources(sample.RASTER_SERIES)))
    packed = write_gzip(sample.SNS_RASTER, tmp_path / (sample.SNS_RASTER.name + ".gz"))
    assert _same(_values(open_sources(packed)), _values(open_sources(sample.SNS_RASTER)))
    layout = open_sources(packed)[0]
    assert not layout.raw_array(1).flags.writeable


def _zeros_gzip(path, size, member=16 * 2**20):
    """A gzip of ``size`` zero bytes, made fast as repeats of one compressed member."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    one = compressor.compress(bytes(member)) + compressor.flush()
    with open(path, "wb") as file:
        for _ in range(size // member):
            file.write(one)
    return path


def test_a_gzip_bomb_is_refused_while_unpacking(tmp_path):
    bomb = _zeros_gzip(tmp_path / "iris_l2_bomb_SJI_1400_t000.fits.gz", 64 * 2**20)
    with conf.set_temp("max_decompressed_size", 8 * 2**20), pytest.raises(IrispyPlusLimitError) as caught:
        read_files(bomb)
    message = str(caught.value)
    assert str(bomb) in message
    assert "8.0 MiB" in message
    assert "max_decompressed_size" in message


_MEASURE = """
import json, sys, time, types
# Only the decompression module and its small dependencies: a stand-in for the package
# keeps the measurement free of the rest of irispy-plus (and fast to start).
package = types.ModuleType("irispy_plus")
package.__path__ = [sys.argv[3]]
sys.modules["irispy_plus"] = package
from irispy_plus.utils._decompress import Limits, gunzip_to_memory
from irispy_plus.utils.exceptions import IrispyPlusLimitError


def peak_memory():
    # VmHWM, the peak resident memory of this process image (ru_maxrss would also count
    # the parent's, as forked before the exec).
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return int(fields["VmHWM"].split()[0]) * 1024


limit = int(sys.argv[2])
before = peak_memory()
start = time.perf_counter()
try:
    gunzip_to_memory(sys.argv[1], Limits(limit, 10, "test"))
    outcome = "read"
except IrispyPlusLimitError:
    outcome = "refused"
seconds = time.perf_counter() - start
peak = peak_memory()
print(json.dumps({"outcome": outcome, "grew": peak - before, "seconds": seconds}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc")
def test_a_bounded_decompression_stays_under_its_limit(tmp_path):
    # A 10 GiB-of-zeros .fits.gz reached 10.5 GB: here, 512 MiB of zeros against 64 MiB.
    limit = 64 * 2**20
    bomb = _zeros_gzip(tmp_path / "bomb.fits.gz", 512 * 2**20)
    assert bomb.stat().st_size < 2**20
    run = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(bomb), str(limit), str(Path(irispy_plus.__file__).parent)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["outcome"] == "refused"
    # It did decompress up to the limit (a measurement of nothing would pass too easily)...
    assert result["grew"] > 0.5 * limit
    # ...and no further.
    assert result["grew"] < 1.5 * limit, f"grew by {result['grew'] / 2**20:.0f} MiB: {result}"
    print(f"bounded gunzip: refused after {result['seconds']:.2f} s, {result['grew'] / 2**20:.0f} MiB")


def _tar_gz(path, members):
    with gzip.open(path, "wb", compresslevel=1) as packed, tarfile.open(fileobj=packed, mode="w") as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_an_archive_of_many_members_is_refused_quickly(tmp_path):
    tar = _tar_gz(tmp_path / TAR_NAME, ((f"iris_l2_{n:05d}.fits", b"x" * 10) for n in range(3000)))
    with (
        conf.set_temp("max_archive_members", 1000),
        pytest.raises(IrispyPlusLimitError, match="1000 members"),
    ):
        read_files(tar)
    # Under the default limit the 3,000 members are read in one pass; the first is not FITS.
    with pytest.raises(IrispyPlusFileError, match="could not be read as a FITS file"):
        read_files(tar)


def test_a_tar_member_declaring_a_huge_size_is_refused_before_reading(tmp_path):
    path = tmp_path / TAR_NAME
    header = tarfile.TarInfo("iris_l2_huge.fits")
    header.size = 2**40
    block = header.tobuf(format=tarfile.GNU_FORMAT)
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    path.write_bytes(compressor.compress(block + bytes(2**20)) + compressor.flush())
    with pytest.raises(IrispyPlusLimitError, match=r"declares a member of 1024\.0 GiB"):
        read_files(path)


def test_zeros_after_the_archive_count_towards_the_limit(tmp_path):
    tar = write_raster_tar(sample.RASTER_SERIES[:1], tmp_path / TAR_NAME)
    content = gzip.decompress(tar.read_bytes()) + bytes(32 * 2**20)
    tar.write_bytes(gzip.compress(content, compresslevel=1))
    with conf.set_temp("max_decompressed_size", 16 * 2**20), pytest.raises(IrispyPlusLimitError):
        read_files(tar)
    assert len(read_files(tar, as_observation=True)) == 9


def _unblock_after(fifo, seconds):
    """If a reader blocks on ``fifo``, open its other end after ``seconds`` so the test ends."""

    def unblock():
        if not done.wait(seconds):
            descriptor = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.close(descriptor)

    done = threading.Event()
    thread = threading.Thread(target=unblock, daemon=True)
    thread.start()
    return done


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
@pytest.mark.parametrize("name", [f"{sample.SJI_1400.name}.gz", sample.SJI_1400.name, TAR_NAME])
def test_a_fifo_is_refused_before_opening(tmp_path, name, capsys):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    link = tmp_path / "link" / name
    link.parent.mkdir()
    link.symlink_to(fifo)
    done = _unblock_after(fifo, 20)
    try:
        with pytest.raises(IrispyPlusFileError, match="FIFO"):
            read_files(fifo)
        with pytest.raises(IrispyPlusFileError, match=r"FIFO \(named pipe\) \(through a symbolic link\)"):
            read_files(link)
        with pytest.raises(IrispyPlusFileError, match="FIFO"):
            read_files(tmp_path)
        assert main(["info", str(fifo)]) == 1
        assert "FIFO" in capsys.readouterr().err
    finally:
        done.set()


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_is_refused(tmp_path):
    link = tmp_path / sample.SJI_1400.name
    link.symlink_to("/dev/zero")
    for target in (link, tmp_path / (sample.SJI_1400.name + ".gz")):
        if not target.exists():
            target.symlink_to("/dev/zero")
        with pytest.raises(IrispyPlusFileError, match="character device"):
            read_files(target)
