"""
Searching the loopback HCR: filters, the pasted URL, the 400 cap, saving results.
"""

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time
from sunpy.net import Fido
from sunpy.net import attrs as a

import irispy_plus  # noqa: F401 - registers the client
from irispy_plus.net import IRISHCRClient, IRISHCRResponseTable, load_results
from irispy_plus.testing.hcr_events import make_event, make_events
from irispy_plus.utils.exceptions import IrispyPlusFileError, IrispyPlusSearchError

ALL_TIME = a.Time("2014-01-01", "2022-01-01")
SNS = 3620258102


@pytest.fixture
def client(hcr):
    return IRISHCRClient()


def test_search_by_time_gives_one_row_per_file(client):
    table = client.search(a.Time("2021-09-05 03:00", "2021-09-05 04:00"), a.Instrument.iris)
    assert isinstance(table, IRISHCRResponseTable)
    assert set(table["OBSID"]) == {str(SNS)}  # overlap: it started at 00:18
    assert sorted(table["File Kind"]) == ["raster", "sji", "sji", "sji_deconvolved", "sji_deconvolved"]
    assert isinstance(table["Start Time"], Time)
    assert table["Start Time"][0].isot.startswith("2021-09-05T00:18:33")
    assert table["xCen"].unit == u.arcsec
    assert table["FOV Y"][0] == 66.5 * u.arcsec
    assert table["Exposure Time"].unit == u.s
    assert set(table["Raster Steps"]) == {1}
    assert all(table["Final"])
    assert all(url.startswith(client_url := table["url"][0][:20]) for url in table["url"])
    assert client_url


def test_search_time_range_rounds_to_minutes(client, hcr):
    client.search(a.Time("2021-09-05 03:00:10", "2021-09-05 04:00:01"), a.Instrument.iris)
    params = hcr.search_params[-1]
    assert (params["startTime"], params["stopTime"]) == ("2021-09-05T03:00", "2021-09-05T04:01")
    assert params["cmd"] == "search-events3"


def test_search_by_obsid(client):
    table = client.search(ALL_TIME, a.Instrument.iris, a.iris.OBSID(3860258481, 3630008076))
    assert set(table["OBSID"]) == {"3860258481", "3630008076"}


def test_search_by_description(client):
    table = client.search(ALL_TIME, a.Instrument.iris, a.iris.Description("320-step"))
    assert set(table["OBSID"]) == {"3630008076", "3610108077"}


def test_search_by_pointing_and_target(client):
    near_centre = client.search(
        ALL_TIME, a.Instrument.iris, a.iris.XCen(-100 * u.arcsec, 100 * u.arcsec), a.iris.YCen(-1 * u.arcmin)
    )
    assert set(near_centre["OBSID"]) == {"3610108077"}
    west = client.search(ALL_TIME, a.Instrument.iris, a.iris.XCen(min_=300 * u.arcsec), a.iris.Target("AR"))
    assert set(west["OBSID"]) == {"3860258481"}


def test_search_by_raster_filters(client):
    table = client.search(
        ALL_TIME,
        a.Instrument.iris,
        a.iris.RasterSteps(300),
        a.iris.StepSize(max_=0.4 * u.arcsec),
        a.iris.Cadence(max_=1 * u.hour),
        a.iris.ExposureTime(7 * u.s, 9 * u.s),
        a.iris.Target.qs,
    )
    assert set(table["OBSID"]) == {"3610108077"}


def test_file_kind_wavelength_and_level(client):
    sji = client.search(ALL_TIME, a.Instrument.iris, a.Level(2), a.iris.OBSID(SNS), a.iris.FileKind("sji"))
    assert list(sji["Band"]) == ["1330", "1400"]
    mg = client.search(ALL_TIME, a.Instrument.iris, a.iris.OBSID(SNS), a.Wavelength(2790 * u.AA, 2800 * u.AA))
    assert sorted(zip(mg["File Kind"], mg["Band"], strict=True)) == [
        ("raster", ""),
        ("sji_deconvolved", "2796"),
    ]
    with pytest.raises(IrispyPlusSearchError, match="Level 2"):
        client.search(ALL_TIME, a.Instrument.iris, a.Level(1))


def test_spectral_windows_and_flags_reach_the_hcr(client, hcr):
    table = client.search(
        ALL_TIME,
        a.Instrument.iris,
        a.iris.SpectralWindows("Fe XII 1349", "Si IV 1403"),
        a.iris.HasData(),
        a.iris.HideLimbScans(),
        a.iris.FOVY(110 * u.arcsec),
    )
    assert set(table["OBSID"]) == {"3860258481", "3630008076"}
    sent = hcr.search_params[-1]
    assert sent["hasData"] == "true"
    assert sent["hideMostLimbScans"] == "true"
    assert sent["minsjiFOVY"] == "110"


def test_or_queries_are_merged(client):
    table = client.search(ALL_TIME, a.Instrument.iris, a.iris.OBSID(SNS) | a.iris.Description("coarse"))
    assert set(table["OBSID"]) == {str(SNS), "3860258481"}
    assert len(set(table["url"])) == len(table)


def test_pasted_query_url_keeps_its_filters(client, hcr):
    url = (
        "https://www.lmsal.com/hek/hcr?cmd=search-events3&outputformat=json&startTime=2014-01-01T00:00"
        "&stopTime=2020-01-01T00:00&hideMostLimbScans=true&obsDesc=dense&maxxCen=0&limit=200"
    )
    table = client.search_url(url)
    assert set(table["OBSID"]) == {"3630008076", "3610108077"}
    sent = hcr.search_params[-1]
    assert sent["maxxCen"] == "0"
    assert sent["limit"] == "200"
    assert sent["hideMostLimbScans"] == "true"
    narrowed = client.search(a.iris.QueryURL(url), a.iris.FileKind("raster"))
    assert list(narrowed["File Kind"]) == ["raster", "raster"]
    with pytest.raises(IrispyPlusSearchError, match="startTime"):
        client.search_url("https://www.lmsal.com/hek/hcr?cmd=search-events3&obsDesc=dense")


def test_fido_search(hcr, no_vso):
    results = Fido.search(a.Time("2018-01-02", "2018-01-03"), a.Instrument.iris)
    assert len(results) == 1
    assert isinstance(results[0].client, IRISHCRClient)
    assert list(results[0]["OBSID"]) == ["3610108077", "3610108077"]


def test_can_handle_query():
    assert IRISHCRClient._can_handle_query(ALL_TIME, a.Instrument.iris)
    assert IRISHCRClient._can_handle_query(a.iris.QueryURL("https://x/hek/hcr?startTime=a&stopTime=b"))
    assert not IRISHCRClient._can_handle_query(ALL_TIME, a.Instrument.aia)
    assert not IRISHCRClient._can_handle_query(ALL_TIME)
    assert not IRISHCRClient._can_handle_query(ALL_TIME, a.Instrument.iris, a.Level(1))


def test_registered_attrs_complete():
    assert a.iris.Target.ar.value == "AR"
    assert a.iris.FileKind.sji_deconvolved.value == ("sji_deconvolved",)
    assert a.iris.SpectralWindows.mgiik2796.value == "Mg II k 2796"
    with pytest.raises(IrispyPlusSearchError):
        a.iris.FileKind("movie")
    with pytest.raises(IrispyPlusSearchError):
        a.iris.XCen()
    with pytest.raises(u.UnitsError):
        a.iris.XCen(3 * u.s, 4 * u.s)


def test_the_400_cap_is_split_and_merged(client, hcr):
    hcr.events = make_events(
        1000, "2020-01-01T00:00:00", spacing_minutes=3, duration_minutes=10, bands=("1400",), host=hcr.url
    )
    table = client.search(
        a.Time("2020-01-01 00:00", "2020-01-03 12:00"), a.Instrument.iris, a.iris.FileKind("raster")
    )
    assert len(table) == 1000
    assert len(set(table["OBSID"])) == 1000
    assert np.all(np.diff(table["Start Time"].mjd) > 0)
    assert len(hcr.search_params) >= 3


def test_a_full_minute_is_an_error_not_a_silent_loss(client, hcr):
    hcr.events = make_events(
        401, "2020-01-01T00:00:00", spacing_minutes=0.001, duration_minutes=30, host=hcr.url
    )
    with pytest.raises(IrispyPlusSearchError, match="maximum of 400"):
        client.search(a.Time("2020-01-01 00:00", "2020-01-01 01:00"), a.Instrument.iris)


def test_final_wins_over_near_real_time(client, hcr):
    final = make_event("20200101_000000_3600000001", "2020-01-01T01:00:00", bands=(), host=hcr.url)
    nrt = make_event(
        "20200101_000000_3600000001", "2020-01-01T01:00:00", bands=("1400",), final=False, host=hcr.url
    )
    final["groups"] += nrt["groups"]
    hcr.events = [final]
    table = client.search(a.Time("2020-01-01", "2020-01-02"), a.Instrument.iris)
    assert sorted(zip(table["File Kind"], table["Final"], strict=True)) == [("raster", True), ("sji", False)]


def test_missing_url_is_built_from_start_and_obsid(client, hcr):
    event = make_event("20200101_000000_3600000001", "2020-01-01T01:00:00", bands=("1400",), host=hcr.url)
    for group in event["groups"]:
        del group["comp_data_url"]
    event["eventId"] = None
    hcr.events = [event]
    table = client.search(a.Time("2020-01-01", "2020-01-02"), a.Instrument.iris)
    assert list(table["url"]) == [
        f"{hcr.url}/solarsoft/irisa/data/level2_compressed/2020/01/01/20200101_000000_3600000001/"
        f"iris_l2_20200101_000000_3600000001_{product}"
        for product in ("raster.tar.gz", "SJI_1400_t000.fits.gz")
    ]


@pytest.mark.parametrize("suffix", [".ecsv", ".asdf"])
def test_results_save_and_load_with_their_query(client, tmp_path, suffix):
    table = client.search(ALL_TIME, a.Instrument.iris, a.iris.Description("dense"))
    path = table.save(tmp_path / f"found{suffix}")
    loaded = load_results(path)
    assert isinstance(loaded.client, IRISHCRClient)
    assert list(loaded["url"]) == list(table["url"])
    assert (loaded["Start Time"] == table["Start Time"]).all()
    assert loaded["xCen"].unit == u.arcsec
    assert loaded.meta["hcr_query"][0]["params"]["obsDesc"] == "dense"
    assert "obsDesc=dense" in loaded.meta["hcr_query"][0]["url"]
    # Every column comes back as saved, empty texts (a raster row's band) included.
    for name in table.colnames:
        assert [str(value) for value in loaded[name]] == [str(value) for value in table[name]], name
    with pytest.raises(IrispyPlusFileError, match=r"\.ecsv or \.asdf"):
        table.save(tmp_path / "found.txt")


def test_empty_result(client):
    table = client.search(a.Time("2000-01-01", "2000-01-02"), a.Instrument.iris)
    assert len(table) == 0


def test_obsid_attribute_has_both_spellings():
    assert a.iris.ObsID is a.iris.OBSID
    assert a.iris.ObsID(3620258102).value == "3620258102"
