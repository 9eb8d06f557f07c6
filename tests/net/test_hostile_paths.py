"""
Names from a hostile HCR or a path template: nothing is written outside the chosen folder,
nothing overwrites anything else, and no request is made for a URL that is not http(s).
"""

import gc
import gzip

import pytest
from sunpy.net import Fido
from sunpy.net import attrs as a

from irispy_plus.data import sample
from irispy_plus.net import IRISHCRClient
from irispy_plus.net._http import http_get
from irispy_plus.net._safety import check_url, safe_component
from irispy_plus.testing.files import files_under
from irispy_plus.testing.hcr_events import make_event, rewrite_urls
from irispy_plus.utils.exceptions import IrispyPlusDownloadError, IrispyPlusUserWarning

GOOD_ID = "20200101_000000_3600000001"
TIME = a.Time("2020-01-01 00:00", "2020-01-01 01:00")


def _serve(hcr, *events):
    hcr.events = rewrite_urls(events, hcr.url)


def _good(**kwargs):
    return make_event(GOOD_ID, "2020-01-01T00:30:00", bands=("1400",), **kwargs)


def _no_event_id(obsid, start="2020-01-01T00:10:00.000"):
    event = make_event("20200101_001000_3600000002", "2020-01-01T00:40:00", bands=("1400",))
    event["eventId"] = "ivo://sot.lmsal.com/VOEvent#something-else"
    event["iris_obsid"] = obsid
    event["startTime"] = start
    return event


@pytest.mark.parametrize(
    "value",
    ["..", ".", "", "a/b", "/etc", "..\\..\\x", "x\x00y", "x\ny", "x\x1b[2J", " lead", "y" * 300, 5],
)
def test_unsafe_names_are_refused(value):
    with pytest.raises(IrispyPlusDownloadError, match=r"The OBSID .* cannot be a file or folder name"):
        safe_component(value, "OBSID")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/a/",
        "http://127.0.0.1:9/a/..",
        "http://127.0.0.1:9/a/%2e%2e",
        "http://127.0.0.1:9/a/..%2f..%2fetc",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "ftp://127.0.0.1/x.fits.gz",
        "http:///x.fits.gz",
    ],
)
def test_unusable_urls_get_a_named_error_before_any_request(url):
    with pytest.raises(IrispyPlusDownloadError, match="URL"):
        check_url(url)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "javascript:alert(1)", "ftp://127.0.0.1/x", "http:///x"]
)
def test_the_http_function_opens_only_http(url):
    with pytest.raises(IrispyPlusDownloadError, match="not http"):
        http_get(url)


def test_obsid_without_event_id_form_cannot_climb_out(hcr, tmp_path):
    """The reported attack: an eventId without the usual form and a path for iris_obsid."""
    _serve(hcr, _good(), _no_event_id("/../../../victim"), _no_event_id("3600000003/../../x"))
    with pytest.warns(IrispyPlusUserWarning, match="iris_obsid .* is not an OBSID") as caught:
        table = IRISHCRClient().search(TIME, a.Instrument.iris)
    assert len(caught) == 2
    assert set(table["Observation"]) == {GOOD_ID}
    files = IRISHCRClient().fetch(table, path=tmp_path / "in", progress=False)
    assert files.errors == []
    assert files_under(tmp_path) == [
        f"in/{GOOD_ID}/iris_l2_{GOOD_ID}_{name}"
        for name in (
            "SJI_1400_t000.fits",
            "raster_t000_r00000.fits",
            "raster_t000_r00001.fits",
            "raster_t000_r00002.fits",
        )
    ]


def test_a_digit_obsid_without_event_id_form_builds_the_folder(hcr, tmp_path):
    _serve(hcr, _no_event_id("3600000002"))
    table = IRISHCRClient().search(TIME, a.Instrument.iris, a.iris.FileKind("sji"))
    assert list(table["Observation"]) == ["20200101_001000_3600000002"]


def _two_descriptions(hcr):
    bad = make_event(
        "20200101_001000_3600000002", "2020-01-01T00:40:00", bands=("1400",), description="../../../victim"
    )
    _serve(hcr, _good(description="quiet sun"), bad)
    return IRISHCRClient().search(TIME, a.Instrument.iris, a.iris.FileKind("sji"))


def test_template_fields_from_the_server_stay_one_folder(hcr, tmp_path):
    table = _two_descriptions(hcr)
    files = IRISHCRClient().fetch(table, path=tmp_path / "in" / "{description}" / "{file}", progress=False)
    assert files_under(tmp_path) == [f"in/quiet sun/{GOOD_ID}/iris_l2_{GOOD_ID}_SJI_1400_t000.fits"]
    assert len(files.errors) == 1
    message = str(files.errors[0].exception)
    assert "{description} '../../../victim'" in message
    assert "3600000002" in files.errors[0].url


def test_fido_fetch_refuses_the_same_way(hcr, no_vso, tmp_path):
    table = _two_descriptions(hcr)
    files = Fido.fetch(table, path=tmp_path / "{description}" / "{file}", progress=False)
    gc.collect()
    assert len(files.errors) == 1
    assert "{description}" in str(files.errors[0].exception)
    assert files_under(tmp_path) == [f"quiet sun/{GOOD_ID}/iris_l2_{GOOD_ID}_SJI_1400_t000.fits"]


def test_unknown_template_field_is_refused_before_any_request(hcr, tmp_path):
    table = _two_descriptions(hcr)
    hcr.requests.clear()
    with pytest.raises(IrispyPlusDownloadError, match=r"\{oops\}, which is not a column"):
        IRISHCRClient().fetch(table, path=tmp_path / "{oops}", progress=False)
    with pytest.raises(IrispyPlusDownloadError, match="not a plain name"):
        IRISHCRClient().fetch(table, path=str(tmp_path) + "/{obsid.__class__}/{file}", progress=False)
    assert hcr.requests == []
    assert files_under(tmp_path) == []


def test_same_final_name_never_overwrites(hcr, tmp_path):
    """Two URLs ending in the same file name (the 2796 image saved over the 1400 file)."""
    event = _good()
    sji = event["groups"][1]["comp_data_url"]
    event["groups"].append(
        {"group_name": "SJI 2796", "comp_data_url": sji.replace("/20200101_", "/other/20200101_")}
    )
    _serve(hcr, event)
    second = hcr.path_of(hcr.events[0]["groups"][-1]["comp_data_url"])
    hcr.files[second] = gzip.compress(sample.SJI_2832.read_bytes(), 1)
    table = IRISHCRClient().search(TIME, a.Instrument.iris, a.iris.FileKind("sji"))
    assert len(table) == 2
    files = IRISHCRClient().fetch(table, path=tmp_path, progress=False)
    assert len(files) == 1
    [error] = files.errors
    assert "would both be saved as" in str(error.exception)
    assert table["url"][0] in str(error.exception)
    assert table["url"][1] in str(error.exception)
    saved = tmp_path / GOOD_ID / f"iris_l2_{GOOD_ID}_SJI_1400_t000.fits"
    assert saved.read_bytes() == sample.SJI_1400.read_bytes()
    assert not any(path == second for _, path in hcr.requests)


def test_non_http_urls_from_the_server_are_left_out(hcr):
    event = _good()
    event["groups"][0]["comp_data_url"] = "file:///etc/passwd"
    event["groups"][1]["comp_data_url"] = "javascript:alert(1)//iris_l2_x_SJI_1400_t000.fits.gz"
    _serve(hcr, event)
    with pytest.warns(IrispyPlusUserWarning, match="not http") as caught:
        table = IRISHCRClient().search(TIME, a.Instrument.iris)
    assert len(caught) == 2
    assert len(table) == 0


def test_an_edited_table_url_is_refused_and_the_rest_fetched(hcr, tmp_path):
    _serve(hcr, _good())
    table = IRISHCRClient().search(TIME, a.Instrument.iris, a.iris.FileKind("sji", "raster"))
    table["url"] = table["url"].astype(object)
    table["url"][0] = "file:///etc/passwd"
    hcr.requests.clear()
    files = IRISHCRClient().fetch(table, path=tmp_path, progress=False)
    [error] = files.errors
    assert "file:///etc/passwd" in str(error.exception)
    assert len(files) == 1
    assert all(path.startswith("/solarsoft") for _, path in hcr.requests)


def test_a_folder_in_the_way_is_reported_and_the_others_fetched(hcr, tmp_path):
    """IsADirectoryError: the target path of one file is an existing folder."""
    _serve(hcr, make_event(GOOD_ID, "2020-01-01T00:30:00", bands=("1330", "1400")))
    table = IRISHCRClient().search(TIME, a.Instrument.iris, a.iris.FileKind("sji"))
    blocked = tmp_path / GOOD_ID / f"iris_l2_{GOOD_ID}_SJI_1400_t000.fits"
    blocked.mkdir(parents=True)
    files = IRISHCRClient().fetch(table, path=tmp_path, progress=False)
    [error] = files.errors
    assert str(blocked) in str(error.exception)
    assert [path.rsplit("_", 3)[-2] for path in files] == ["1330"]
    compressed = IRISHCRClient().fetch(table, path=tmp_path / "gz", unpack=False, progress=False)
    assert len(compressed) == 2
    (tmp_path / "gz" / f"iris_l2_{GOOD_ID}_SJI_1330_t000.fits.gz.part").mkdir()
    again = IRISHCRClient().fetch(table, path=tmp_path / "gz", unpack=False, overwrite=True, progress=False)
    assert len(again) == 1
    assert ".fits.gz.part" in str(again.errors[0].exception)


def test_a_busy_file_is_reported_and_the_others_fetched(hcr, tmp_path, monkeypatch):
    """EBUSY at the final move (a mount point, a file held open on a network drive)."""
    import errno
    import os

    _serve(hcr, make_event(GOOD_ID, "2020-01-01T00:30:00", bands=("1330", "1400")))
    table = IRISHCRClient().search(TIME, a.Instrument.iris, a.iris.FileKind("sji"))
    real_replace = os.replace

    def busy(source, destination):
        # No mount point can be made here without privileges: EBUSY is raised as Linux does.
        if "1400" in str(destination):
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(destination))
        return real_replace(source, destination)

    monkeypatch.setattr(os, "replace", busy)
    files = IRISHCRClient().fetch(table, path=tmp_path, progress=False)
    [error] = files.errors
    assert "EBUSY" in str(error.exception)
    assert "SJI_1400_t000.fits" in str(error.exception)
    assert len(files) == 1
    assert not any("1400" in name for name in files_under(tmp_path))
