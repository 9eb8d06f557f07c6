"""
A raster tarball never replaces other files in the folder it is unpacked into.
"""

import io
import shutil
import tarfile

import pytest

from irispy_plus.data import sample
from irispy_plus.net._unpack import untar_fits
from irispy_plus.testing.files import write_raster_tar
from irispy_plus.utils.exceptions import IrispyPlusDownloadError


def _tar_with(destination, members):
    with tarfile.open(destination, "w:gz") as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return destination


def test_a_member_named_like_a_slit_jaw_file_does_not_replace_it(tmp_path):
    folder = tmp_path / "observation"
    folder.mkdir()
    sji = shutil.copy(sample.SNS_SJI_1400, folder / sample.SNS_SJI_1400.name)
    before = sji.read_bytes()
    hostile = _tar_with(
        tmp_path / "raster.tar.gz", [(sample.SNS_SJI_1400.name, sample.SNS_SJI_2796.read_bytes())]
    )
    with pytest.raises(IrispyPlusDownloadError, match="already exists with other contents"):
        untar_fits(hostile, folder, url="http://127.0.0.1/raster.tar.gz")
    assert sji.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "observation",
        "raster.tar.gz",
    ]  # no staging left


def test_a_member_twice_is_refused(tmp_path):
    data = sample.RASTER_SERIES[0].read_bytes()
    hostile = _tar_with(tmp_path / "raster.tar.gz", [("r.fits", data), ("r.fits", data)])
    with pytest.raises(IrispyPlusDownloadError, match="twice"):
        untar_fits(hostile, tmp_path / "out", url="http://127.0.0.1/raster.tar.gz")
    assert not (tmp_path / "out" / "r.fits").exists()


def test_unpacking_the_same_archive_again_is_fine(tmp_path):
    archive = write_raster_tar(sample.RASTER_SERIES[:2], tmp_path / "raster.tar.gz")
    first = untar_fits(archive, tmp_path / "out", url="http://127.0.0.1/raster.tar.gz")
    second = untar_fits(archive, tmp_path / "out", url="http://127.0.0.1/raster.tar.gz")
    assert first == second
    assert [path.read_bytes() for path in second] == [path.read_bytes() for path in sample.RASTER_SERIES[:2]]
