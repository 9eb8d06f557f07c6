"""
Bounded searches and downloads, counts that make sense, and search answers that are damaged
in one event or as a whole: each ends in a named error or a warning, in bounded time.
"""

import concurrent.futures
import contextlib
import logging

import pytest
from sunpy.net import attrs as a

from irispy_plus.net import IRISHCRClient, conf
from irispy_plus.testing.files import files_under
from irispy_plus.testing.hcr_events import make_event, rewrite_urls
from irispy_plus.utils.exceptions import IrispyPlusDownloadError, IrispyPlusSearchError, IrispyPlusUserWarning

SNS_TIME = a.Time("2021-09-05 01:00", "2021-09-05 02:00")
TIME = a.Time("2020-01-01 00:00", "2020-01-01 01:00")
GOOD_ID = "20200101_000000_3600000001"
HANG_GUARD = 30  # seconds; each case below must end long before this


def _bounded(function, *args, **kwargs):
    """Run ``function`` in a thread and fail (instead of hanging) if it does not end in time."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result(timeout=HANG_GUARD)


@pytest.fixture
def sji_1400(hcr):
    table = IRISHCRClient().search(SNS_TIME, a.Instrument.iris, a.iris.FileKind("sji"))
    return table[table["Band"] == "1400"]


# Limits of a download -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"download_deadline": 1.0, "min_rate": 0.0}, "deadline of 1 s"),
        ({"download_deadline": 60.0, "min_rate": 100.0, "rate_window": 1.0}, "below the minimum rate"),
    ],
)
def test_a_trickling_download_is_stopped(hcr, sji_1400, tmp_path, settings, message):
    """A server sending one byte every 0.5 s: stopped by the deadline or the minimum rate."""
    hcr.faults[hcr.path_of(sji_1400["url"][0])] = "trickle"
    with contextlib.ExitStack() as stack:
        for name, value in {"timeout": 5.0, **settings}.items():
            stack.enter_context(conf.set_temp(name, value))
        files = _bounded(IRISHCRClient().fetch, sji_1400, path=tmp_path, progress=False, max_splits=1)
    [error] = files.errors
    assert isinstance(error.exception, IrispyPlusDownloadError)
    assert message in str(error.exception)
    assert sji_1400["url"][0] in str(error.exception)
    assert files_under(tmp_path) == []


def test_time_outs_and_retries_still_hold(hcr, sji_1400, tmp_path):
    """A stalled download still times out per read, and a 500 is still retried."""
    path = hcr.path_of(sji_1400["url"][0])
    hcr.faults[path] = "stall"
    with conf.set_temp("timeout", 0.5):
        files = _bounded(IRISHCRClient().fetch, sji_1400, path=tmp_path, progress=False)
    assert "(time-out)" in str(files.errors[0].exception)
    hcr.faults[path] = "fail_once"
    files = IRISHCRClient().fetch(sji_1400, path=tmp_path, progress=False, retries=1)
    assert files.errors == []


@pytest.mark.parametrize(
    ("keyword", "value"),
    [("retries", -1), ("max_conn", -3), ("max_conn", 0), ("max_splits", 0), ("retries", 1.5)],
)
def test_counts_out_of_range_are_refused(hcr, sji_1400, tmp_path, keyword, value):
    hcr.requests.clear()
    with pytest.raises(IrispyPlusDownloadError, match=f"{keyword} must be a whole number"):
        IRISHCRClient().fetch(sji_1400, path=tmp_path, progress=False, **{keyword: value})
    assert hcr.requests == []


def test_unknown_fetch_keywords_are_refused(hcr, sji_1400, tmp_path):
    with pytest.raises(IrispyPlusDownloadError, match="does not take 'decompress'"):
        IRISHCRClient().fetch(sji_1400, path=tmp_path, decompress=False)


def test_a_folder_that_cannot_hold_files_is_refused(hcr, sji_1400, tmp_path):
    (tmp_path / "file").write_text("x")
    for folder, message in ((tmp_path / "file", "is a file"), ("/proc/irispy-plus", "Cannot write")):
        with pytest.raises(IrispyPlusDownloadError, match=message):
            IRISHCRClient().fetch(sji_1400, path=folder, progress=False)


def test_a_failed_download_is_reported_once(hcr, sji_1400, tmp_path, caplog, capfd):
    hcr.faults[hcr.path_of(sji_1400["url"][0])] = "404"
    with caplog.at_level(logging.INFO):
        files = IRISHCRClient().fetch(sji_1400, path=tmp_path, progress=True)
    assert len(files.errors) == 1
    reports = [record for record in caplog.records if "404" in record.getMessage()]
    assert [record.name for record in reports] == ["irispy_plus.net.failures"]
    err = capfd.readouterr().err
    assert "failed to download" not in err
    assert "Download Failed" not in err


# Limits of a search ---------------------------------------------------------------------


def test_a_trickling_search_is_stopped(hcr):
    hcr.search_fault = "trickle"
    with (
        conf.set_temp("search_deadline", 1.0),
        conf.set_temp("timeout", 5.0),
        pytest.raises(IrispyPlusSearchError, match="deadline of 1 s"),
    ):
        _bounded(IRISHCRClient().search, SNS_TIME, a.Instrument.iris)


def test_a_huge_search_answer_is_refused_while_streaming(hcr):
    hcr.search_fault = "huge"
    with (
        conf.set_temp("max_search_size", 1 << 20),
        pytest.raises(IrispyPlusSearchError, match=f"more than {1 << 20} bytes"),
    ):
        _bounded(IRISHCRClient().search, SNS_TIME, a.Instrument.iris)
    assert hcr.huge_sent < 64 << 20  # the 1 GiB answer was cut off near the cap


def test_a_cut_short_search_answer_is_named(hcr):
    hcr.search_fault = "incomplete"
    with pytest.raises(IrispyPlusSearchError, match="cut short after"):
        IRISHCRClient().search(SNS_TIME, a.Instrument.iris)


# Damaged events: the bad one is left out with a warning, the others kept ------------------


def _events(hcr, *damages):
    events = [make_event(GOOD_ID, "2020-01-01T00:30:00", bands=("1400",))]
    for number, damage in enumerate(damages, start=2):
        event = make_event(
            f"20200101_00{number}000_360000000{number}", "2020-01-01T00:50:00", bands=("1400",)
        )
        damage(event)
        events.append(event)
    hcr.events = rewrite_urls(events, hcr.url)


def _no_start(event):
    del event["startTime"]


def _bad_start(event):
    event["startTime"] = "yesterday"


def _int_url(event):
    event["groups"][0]["comp_data_url"] = 12345


def _list_url(event):
    event["groups"][0]["comp_data_url"] = ["http://127.0.0.1/a.tar.gz"]


@pytest.mark.parametrize(
    ("damage", "message", "rows"),
    [
        (_no_start, "it has no startTime", 2),
        (_bad_start, "its startTime 'yesterday' is not a time", 2),
        (_int_url, "comp_data_url is a int", 3),
        (_list_url, "comp_data_url is a list", 3),
    ],
)
def test_a_damaged_event_is_left_out_and_the_others_kept(hcr, damage, message, rows):
    _events(hcr, damage)
    with pytest.warns(IrispyPlusUserWarning, match=message):
        table = IRISHCRClient().search(TIME, a.Instrument.iris)
    assert GOOD_ID in set(table["Observation"])
    assert len(table) == rows


def test_unreadable_numbers_are_unknown(hcr):
    def huge(event):
        event["groups"][0]["raster_numsteps"] = "1e999"
        event["groups"][0]["raster_stepsize"] = "1e999"
        event["xCen"] = float("nan")

    _events(hcr, huge)
    table = IRISHCRClient().search(TIME, a.Instrument.iris, a.iris.FileKind("raster"))
    damaged = table[table["OBSID"] == "3600000002"]
    assert list(damaged["Raster Steps"]) == [0]
    assert damaged["Step Size"].value[0] != damaged["Step Size"].value[0]  # NaN


def test_a_write_that_fails_mid_download_is_reported_not_hung(hcr, sji_1400, tmp_path):
    """A disk that fills up (here: a file-size limit, EFBIG) while parfive writes the download."""
    resource = pytest.importorskip("resource")
    import signal

    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, hard))
    try:
        files = _bounded(IRISHCRClient().fetch, sji_1400, path=tmp_path, progress=False, max_splits=1)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    [error] = files.errors
    assert "EFBIG" in str(error.exception)
    assert files_under(tmp_path) == []
