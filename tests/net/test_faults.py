"""
Faults of the HCR and the archive: each gives a clear error or a recovery, and never a
damaged file under a final name.
"""

import gc
import gzip
import io
import tarfile

import pytest
from sunpy.net import Fido
from sunpy.net import attrs as a

from irispy_plus.data import sample
from irispy_plus.net import IRISHCRClient, conf
from irispy_plus.net._unpack import gunzip_fits, untar_fits
from irispy_plus.testing.files import files_under, tar_gz
from irispy_plus.utils.exceptions import IrispyPlusDownloadError, IrispyPlusSearchError

SNS_TIME = a.Time("2021-09-05 01:00", "2021-09-05 02:00")
SNS_ID = "20210905_001833_3620258102"


@pytest.fixture
def client(hcr):
    return IRISHCRClient()


@pytest.fixture
def sji_1400(client):
    """The search row of one slit-jaw file."""
    table = client.search(SNS_TIME, a.Instrument.iris, a.iris.FileKind("sji"))
    return table[table["Band"] == "1400"]


@pytest.fixture
def raster(client):
    return client.search(SNS_TIME, a.Instrument.iris, a.iris.FileKind("raster"))


# Searches ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("malformed", "malformed JSON"),
        ("html", "HTML page instead of JSON.*Query failed: bad parameter"),
        ("500", "answered 500"),
    ],
)
def test_search_faults_are_clear(client, hcr, fault, message):
    hcr.search_fault = fault
    with pytest.raises(IrispyPlusSearchError, match=message):
        client.search(SNS_TIME, a.Instrument.iris)


def test_stalled_search_times_out(client, hcr):
    hcr.search_fault = "stall"
    with conf.set_temp("timeout", 0.3), pytest.raises(IrispyPlusSearchError, match="No answer from the HCR"):
        client.search(SNS_TIME, a.Instrument.iris)


def test_unreachable_hcr(client, monkeypatch):
    monkeypatch.setenv("IRISPY_PLUS_HCR_URL", "http://127.0.0.1:9/hek/hcr")
    with pytest.raises(IrispyPlusSearchError, match="IRISPY_PLUS_HCR_URL"):
        client.search(SNS_TIME, a.Instrument.iris)


# Downloads -----------------------------------------------------------------------------


def _fault(hcr, table, fault):
    hcr.faults[hcr.path_of(table["url"][0])] = fault


def _only_error(files, url):
    assert list(files) == []
    assert len(files.errors) == 1
    error = files.errors[0].exception
    assert isinstance(error, IrispyPlusDownloadError)
    assert url in str(error)
    return str(error)


@pytest.mark.parametrize(("fault", "message"), [("404", "HTTP 404"), ("500", "HTTP 500")])
def test_http_errors(client, hcr, sji_1400, tmp_path, fault, message):
    _fault(hcr, sji_1400, fault)
    files = client.fetch(sji_1400, path=tmp_path, progress=False)
    assert message in _only_error(files, sji_1400["url"][0])
    assert files_under(tmp_path) == []


def test_a_404_is_not_retried_but_a_500_is(client, hcr, sji_1400, tmp_path):
    path = hcr.path_of(sji_1400["url"][0])
    for fault, attempts in (("404", 1), ("500", 3)):
        hcr.requests.clear()
        hcr.faults[path] = fault
        client.fetch(sji_1400, path=tmp_path, progress=False, retries=2)
        assert len([r for r in hcr.requests if r[1] == path and r[0] == "HEAD"]) == attempts


def test_fail_once_then_succeed_with_automatic_retry(client, hcr, raster, tmp_path):
    _fault(hcr, raster, "fail_once")
    files = client.fetch(raster, path=tmp_path, progress=False, retries=1)
    assert files.errors == []
    assert files_under(tmp_path) == [f"{SNS_ID}/iris_l2_{SNS_ID}_raster_t000_r00000.fits"]


def test_failed_fetch_is_retried_by_fido(client, hcr, no_vso, sji_1400, tmp_path):
    _fault(hcr, sji_1400, "fail_once")
    files = Fido.fetch(sji_1400, path=tmp_path / "{file}", progress=False)
    assert len(files.errors) == 1
    assert files_under(tmp_path) == []
    again = Fido.fetch(files)
    gc.collect()  # close sunpy's parfive event loops here, in the main thread
    assert again.errors == []
    assert list(again) == [str(tmp_path / SNS_ID)]
    assert files_under(tmp_path) == [f"{SNS_ID}/iris_l2_{SNS_ID}_SJI_1400_t000.fits"]


def test_stalled_download_times_out(client, hcr, sji_1400, tmp_path):
    _fault(hcr, sji_1400, "stall")
    with conf.set_temp("timeout", 0.5):
        files = client.fetch(sji_1400, path=tmp_path, progress=False)
    assert "(time-out)" in _only_error(files, sji_1400["url"][0])
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("fault", ["truncate", "truncate_nolength", "corrupt", "html"])
def test_damaged_downloads_leave_nothing(client, hcr, sji_1400, raster, tmp_path, fault):
    for table in (sji_1400, raster):
        _fault(hcr, table, fault)
        files = client.fetch(table, path=tmp_path, progress=False)
        _only_error(files, table["url"][0])
    assert files_under(tmp_path) == []


@pytest.mark.parametrize(
    ("member", "message"),
    [
        ("../evil.fits", "leaves the target folder"),
        ("/tmp/evil.fits", "leaves the target folder"),
        ("symlink", "is a link"),
        ("hardlink", "is a link"),
        ("device", "device"),
    ],
)
def test_unsafe_tar_members_are_refused(client, hcr, raster, tmp_path, member, message):
    good = ("iris_l2_x_raster_t000_r00000.fits", sample.RASTER.read_bytes())
    if member in ("symlink", "hardlink", "device"):
        info = tarfile.TarInfo("iris_l2_x_raster_t000_r00001.fits")
        info.type = {"symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE, "device": tarfile.CHRTYPE}[
            member
        ]
        info.linkname = "/etc/passwd"
        bad = info
    else:
        bad = (member, b"SIMPLE  =                    T" + b" " * 2850)
    hcr.files[hcr.path_of(raster["url"][0])] = tar_gz([good, bad])
    files = client.fetch(raster, path=tmp_path / "in", progress=False)
    assert message in _only_error(files, raster["url"][0])
    assert files_under(tmp_path) == []


def test_gunzip_rejects_non_fits(tmp_path):
    packed = tmp_path / "x.fits.gz"
    packed.write_bytes(gzip.compress(b"not a FITS file at all" * 200))
    with pytest.raises(IrispyPlusDownloadError, match="not a complete FITS file"):
        gunzip_fits(packed, tmp_path / "x.fits", "http://example/x.fits.gz")
    assert files_under(tmp_path) == ["x.fits.gz"]


def test_untar_rejects_truncated_fits_member(tmp_path):
    packed = tmp_path / "r.tar.gz"
    packed.write_bytes(tar_gz([("r00000.fits", sample.RASTER.read_bytes()[:-5000])]))
    with pytest.raises(IrispyPlusDownloadError, match=r"r00000\.fits"):
        untar_fits(packed, tmp_path / "out", "http://example/r.tar.gz")
    assert files_under(tmp_path) == ["r.tar.gz"]


def test_untar_keeps_an_existing_folder_untouched_on_failure(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.fits").write_bytes(b"x")
    packed = tmp_path / "r.tar.gz"
    data = io.BytesIO(tar_gz([("a.fits", sample.RASTER.read_bytes())]))
    packed.write_bytes(data.getvalue()[:-100])
    with pytest.raises(IrispyPlusDownloadError, match="damaged or incomplete"):
        untar_fits(packed, tmp_path / "out", "http://example/r.tar.gz")
    assert files_under(tmp_path) == ["out/keep.fits", "r.tar.gz"]
