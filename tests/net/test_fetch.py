"""
Fetching from the loopback archive: parfive downloads, unpacking, selections, scripts, Fido.
"""

import gc
import re

import pytest
from astropy.io import fits
from astropy.table import vstack
from sunpy.net import Fido
from sunpy.net import attrs as a

import irispy_plus
from irispy_plus.data import sample
from irispy_plus.net import IRISHCRClient, get_fits
from irispy_plus.testing.files import files_under
from irispy_plus.utils.exceptions import IrispyPlusDownloadError

SNS_TIME = a.Time("2021-09-05 01:00", "2021-09-05 02:00")
SNS_ID = "20210905_001833_3620258102"
SERIES_ID = "20140329_140938_3860258481"


@pytest.fixture
def client(hcr):
    return IRISHCRClient()


def test_fetch_unpacks_into_the_observation_folder(client, tmp_path):
    table = client.search(a.Time("2014-03-29 15:00", "2014-03-29 15:01"), a.Instrument.iris)
    files = client.fetch(table, path=tmp_path, progress=False)
    assert files.errors == []
    assert files_under(tmp_path) == [
        f"{SERIES_ID}/iris_l2_{SERIES_ID}_{name}"
        for name in (
            "SJI_1400_t000.fits",
            "SJI_2796_t000_deconvolved.fits",
            "SJI_2832_t000.fits",
            *(f"raster_t000_r{n:05d}.fits" for n in range(3)),
        )
    ]
    assert len(files) == 6
    raster = tmp_path / SERIES_ID / f"iris_l2_{SERIES_ID}_raster_t000_r00001.fits"
    assert raster.read_bytes() == sample.RASTER_SERIES[1].read_bytes()


def test_fetched_files_read_as_cubes(client, tmp_path):
    table = client.search(SNS_TIME, a.Instrument.iris, a.iris.FileKind("raster", "sji"))
    files = client.fetch(table, path=tmp_path, progress=False)
    assert files.errors == []
    raster = irispy_plus.read_files(
        tmp_path / SNS_ID / f"iris_l2_{SNS_ID}_raster_t000_r00000.fits", as_observation=True
    )
    assert "Si IV 1403" in raster
    sji = irispy_plus.read_cube(tmp_path / SNS_ID / f"iris_l2_{SNS_ID}_SJI_1400_t000.fits")
    assert sji.meta.obsid == "3620258102"


def test_raster_only_and_sji_only(client, tmp_path):
    table = client.search(SNS_TIME, a.Instrument.iris)
    rasters = client.fetch(table, path=tmp_path / "r", kind="raster", progress=False)
    assert [p.rsplit("/", 1)[-1] for p in rasters] == [f"iris_l2_{SNS_ID}_raster_t000_r00000.fits"]
    sjis = client.fetch(table, path=tmp_path / "s", kind="sji", progress=False)
    assert len(sjis) == 4
    assert all("_SJI_" in p for p in sjis)


def test_no_unpack_keeps_verified_archives(client, tmp_path):
    table = client.search(SNS_TIME, a.Instrument.iris, a.iris.FileKind("raster", "sji"))
    files = client.fetch(table, path=tmp_path, unpack=False, progress=False)
    assert files_under(tmp_path) == sorted(
        f"iris_l2_{SNS_ID}_{product}"
        for product in ("raster.tar.gz", "SJI_1330_t000.fits.gz", "SJI_1400_t000.fits.gz")
    )
    assert len(files) == 3


def test_path_template_with_columns(client, tmp_path):
    table = client.search(SNS_TIME, a.Instrument.iris, a.iris.FileKind("sji"))
    client.fetch(table, path=tmp_path / "{obsid}" / "{target}" / "{file}", progress=False)
    assert files_under(tmp_path) == [
        f"3620258102/AR/{SNS_ID}/iris_l2_{SNS_ID}_SJI_{band}_t000.fits" for band in (1330, 1400)
    ]


def test_existing_files_are_not_fetched_again(client, hcr, tmp_path):
    table = client.search(SNS_TIME, a.Instrument.iris, a.iris.FileKind("raster"))
    client.fetch(table, path=tmp_path, progress=False)
    hcr.requests.clear()
    again = client.fetch(table, path=tmp_path, progress=False)
    assert len(again) == 1
    assert hcr.requests == []
    client.fetch(table, path=tmp_path, progress=False, overwrite=True)
    assert hcr.requests


def test_final_preferred_at_fetch(client, hcr, tmp_path):
    table = client.search(SNS_TIME, a.Instrument.iris, a.iris.FileKind("sji"))
    nrt = table[:1].copy()
    nrt["url"] = [nrt["url"][0].replace("level2_compressed", "level2_nrt_compressed")]
    nrt["Final"] = [False]
    both = vstack([table, nrt], metadata_conflicts="silent")
    both.client = client
    files = client.fetch(both, path=tmp_path, progress=False)
    assert len(files) == 2
    assert not any("nrt" in path for _, path in hcr.requests)


def test_text_files_writes_scripts(client, hcr, tmp_path):
    table = client.search(SNS_TIME, a.Instrument.iris, a.iris.FileKind("raster", "sji"))
    scripts = client.fetch(table, path=tmp_path, text_files=True)
    assert files_under(tmp_path) == ["download_iris.sh", "unpack_iris.sh"]
    download = (tmp_path / "download_iris.sh").read_text()
    assert download.count("curl ") == 3
    assert hcr.url in download
    unpack = (tmp_path / "unpack_iris.sh").read_text()
    assert f"tar -xzf iris_l2_{SNS_ID}_raster.tar.gz --no-same-owner -C {SNS_ID}" in unpack
    assert len(scripts) == 2
    assert not any(path.endswith(".gz") for _, path in hcr.requests)


def test_get_fits_like_the_tutorial(hcr, tmp_path):
    url = (
        "https://www.lmsal.com/hek/hcr?cmd=search-events3&outputformat=json&startTime=2021-09-05T00:00"
        "&stopTime=2021-09-05T06:00&obsDesc=sit-and-stare"
    )
    files = get_fits(url, tmp_path, kind="sji_deconvolved", progress=False)
    assert sorted(p.rsplit("_", 3)[-3] for p in files) == ["2796", "2832"]
    with fits.open(files[0]) as hdul:
        assert hdul[0].header["INSTRUME"].startswith("SJI")


def test_fido_search_and_fetch_end_to_end(hcr, no_vso, tmp_path):
    results = Fido.search(SNS_TIME, a.Instrument.iris, a.iris.FileKind("raster"))
    files = Fido.fetch(results, path=tmp_path / "{file}", progress=False)
    # sunpy's own (empty) parfive download leaves an event loop open; collect it here, in the
    # main thread, where closing it can remove its signal handlers.
    gc.collect()
    assert files.errors == []
    assert list(files) == [str(tmp_path / SNS_ID / f"iris_l2_{SNS_ID}_raster_t000_r00000.fits")]
    assert irispy_plus.read_files(files[0], as_observation=True)


TUTORIAL_URL = (
    "https://www.lmsal.com/hek/hcr?cmd=search-events3&outputformat=json&startTime=2021-09-05T00:00"
    "&stopTime=2021-09-05T06:00&obsDesc=sit-and-stare"
)


def test_get_fits_tutorial_keywords(hcr, tmp_path, monkeypatch):
    """iris_lmsalpy's raster_only, sji_only, output_dir and decompress do what they say there."""
    rasters = get_fits(TUTORIAL_URL, raster_only=True, output_dir=tmp_path / "r", progress=False)
    assert files_under(tmp_path / "r") == [f"{SNS_ID}/iris_l2_{SNS_ID}_raster_t000_r00000.fits"]
    assert len(rasters) == 1
    get_fits(TUTORIAL_URL, sji_only=True, output_dir=tmp_path / "s", decompress=False, progress=False)
    assert files_under(tmp_path / "s") == sorted(
        f"iris_l2_{SNS_ID}_SJI_{band}_t000{extra}.fits.gz"
        for band, extra in (("1330", ""), ("1400", ""), ("2796", "_deconvolved"), ("2832", "_deconvolved"))
    )
    monkeypatch.chdir(tmp_path / "s")
    get_fits(
        TUTORIAL_URL, raster_only=True, decompress=False, progress=False
    )  # the current folder by default
    assert (tmp_path / "s" / f"iris_l2_{SNS_ID}_raster.tar.gz").is_file()


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        ({"raster_only": True, "sji_only": True}, "kind='raster' or kind='sji'"),
        ({"raster_only": True, "kind": "sji"}, "give kind='raster'"),
        ({"output_dir": "a", "path": "b"}, "path='b' and output_dir='a'"),
        ({"decompress": False, "unpack": True}, "unpack=True and decompress=False"),
        ({"verbose": True}, "does not take 'verbose'"),
    ],
)
def test_get_fits_conflicts_are_named(hcr, tmp_path, keywords, message):
    hcr.requests.clear()
    with pytest.raises(IrispyPlusDownloadError, match=re.escape(message)):
        get_fits(TUTORIAL_URL, progress=False, **keywords)
    assert not any(path.endswith(".gz") for _, path in hcr.requests)
