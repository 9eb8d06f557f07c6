"""
Unpacking downloads is bounded and interruptible: bombs, archives of too many members and
members declaring huge sizes are refused while streaming; Ctrl-C removes the temporary
file and the staging folder, then stops the run; nothing is left under a final name.
"""

import _thread
import gzip
import io
import shutil
import tarfile
import threading
import time
import zlib

import pytest

from irispy_plus.data import sample
from irispy_plus.net._unpack import check_gzip, gunzip_fits, untar_fits
from irispy_plus.testing.files import files_under
from irispy_plus.utils._decompress import Limits
from irispy_plus.utils.config import conf
from irispy_plus.utils.exceptions import IrispyPlusDownloadError, IrispyPlusLimitError

URL = "http://example/iris_l2_x.tar.gz"


def _zeros_gzip(path, size, member=8 * 2**20):
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    one = compressor.compress(bytes(member)) + compressor.flush()
    path.write_bytes(one * (size // member))
    return path


def _tar_gz(path, members, level=1):
    with (
        gzip.open(path, "wb", compresslevel=level) as packed,
        tarfile.open(fileobj=packed, mode="w") as archive,
    ):
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_a_gzip_bomb_is_refused_and_leaves_nothing(tmp_path):
    bomb = _zeros_gzip(tmp_path / "x.fits.gz", 64 * 2**20)
    with conf.set_temp("max_decompressed_size", 4 * 2**20):
        with pytest.raises(IrispyPlusDownloadError, match=r"more than the 4\.0 MiB allowed") as caught:
            gunzip_fits(bomb, tmp_path / "x.fits", URL)
        assert "max_decompressed_size" in str(caught.value)
        assert "Nothing was kept" in str(caught.value)
        with pytest.raises(IrispyPlusDownloadError, match="max_decompressed_size"):
            check_gzip(bomb, URL)
    assert files_under(tmp_path) == ["x.fits.gz"]


def test_an_archive_of_many_members_is_refused_quickly(tmp_path):
    packed = _tar_gz(tmp_path / "r.tar.gz", ((f"m{n:05d}.fits", b"") for n in range(3000)))
    with (
        conf.set_temp("max_archive_members", 500),
        pytest.raises(IrispyPlusDownloadError, match="500 members"),
    ):
        untar_fits(packed, tmp_path / "out", URL)
    assert files_under(tmp_path) == ["r.tar.gz"]


def test_a_member_declaring_a_huge_size_is_refused_before_writing(tmp_path):
    info = tarfile.TarInfo("iris_l2_huge.fits")
    info.size = 2**42
    packed = tmp_path / "r.tar.gz"
    packed.write_bytes(gzip.compress(info.tobuf(format=tarfile.GNU_FORMAT) + bytes(2**16)))
    with pytest.raises(IrispyPlusDownloadError, match=r"declares a member of 4096\.0 GiB"):
        untar_fits(packed, tmp_path / "out", URL)
    assert files_under(tmp_path) == ["r.tar.gz"]


def test_a_tarball_that_unpacks_past_the_limit_leaves_nothing(tmp_path):
    packed = _tar_gz(tmp_path / "r.tar.gz", [(f"m{n}.fits", bytes(2**20)) for n in range(8)])
    with conf.set_temp("max_decompressed_size", 3 * 2**20), pytest.raises(IrispyPlusDownloadError):
        untar_fits(packed, tmp_path / "out", URL)
    assert files_under(tmp_path) == ["r.tar.gz"]


def test_the_limit_is_lowered_to_the_free_space(tmp_path):
    with conf.set_temp("max_decompressed_size", 2**62):
        limits = Limits.for_folder(tmp_path)
    assert limits.max_bytes <= shutil.disk_usage(tmp_path).free
    assert str(tmp_path) in limits.advice
    error = limits.too_large("x.tar.gz")
    assert isinstance(error, IrispyPlusLimitError)
    assert "free space" in str(error)


def test_a_flipped_crc_is_refused(tmp_path):
    packed = _tar_gz(tmp_path / "r.tar.gz", [("r00000.fits", sample.RASTER.read_bytes())])
    content = bytearray(packed.read_bytes())
    content[-7] ^= 0x10
    packed.write_bytes(content)
    with pytest.raises(IrispyPlusDownloadError, match="CRC check failed"):
        untar_fits(packed, tmp_path / "out", URL)
    assert files_under(tmp_path) == ["r.tar.gz"]


def _interrupted(work, condition, deadline=60):
    """Run ``work()`` and send it Ctrl-C (KeyboardInterrupt) once ``condition()`` holds.

    Returns whether ``work`` stopped with KeyboardInterrupt.
    """
    lock, state = threading.Lock(), {"done": False}

    def watch():
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            with lock:
                if state["done"]:
                    return
                if condition():
                    _thread.interrupt_main()
                    return
            time.sleep(0.001)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    interrupted = False
    try:
        work()
    except KeyboardInterrupt:
        interrupted = True
    try:
        with lock:
            state["done"] = True
        thread.join()
    except KeyboardInterrupt:
        pass  # sent after ``work`` ended: the assertion on the result fails
    return interrupted


def _staged(tmp_path):
    return any(path.name.endswith(".part") and any(path.rglob("*")) for path in tmp_path.glob(".*"))


def test_ctrl_c_during_untar_removes_the_staging_folder(tmp_path):
    members = [(f"iris_l2_x_raster_t000_r{n:05d}.fits", bytes(256 * 2**10)) for n in range(600)]
    packed = _tar_gz(tmp_path / "r.tar.gz", members, level=1)
    assert _interrupted(lambda: untar_fits(packed, tmp_path / "out", URL), lambda: _staged(tmp_path))
    assert files_under(tmp_path) == ["r.tar.gz"]
    assert [path.name for path in tmp_path.iterdir()] == ["r.tar.gz"]


def test_ctrl_c_during_gunzip_removes_the_temporary_file(tmp_path):
    packed = _zeros_gzip(tmp_path / "x.fits.gz", 512 * 2**20)

    def writing():
        return any(path.stat().st_size > 2**20 for path in tmp_path.glob(".x.fits.*.part"))

    assert _interrupted(lambda: gunzip_fits(packed, tmp_path / "x.fits", URL), writing)
    assert [path.name for path in tmp_path.iterdir()] == ["x.fits.gz"]
