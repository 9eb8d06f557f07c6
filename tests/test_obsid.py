"""
Tests of OBSID decoding against real headers, published OBS descriptions and the tables.
"""

import subprocess
import sys

import astropy.units as u
import pytest
from astropy.io import fits

from irispy_plus.data import sample
from irispy_plus.obsid import (
    Binning,
    IrispyPlusObsIDError,
    ObsID,
    _read_tables,
    _table_versions,
    decode_obsid,
)
from irispy_plus.utils.exceptions import IrispyPlusError

# OBS_DESC of real Level 2 headers (cut to 68 characters) for OBSIDs outside the sample,
# as printed by irispy-lmsal and iris_lmsalpy documentation.
PUBLISHED_OBS_DESC = {
    3683602040: "Very large sparse 16-step raster 15x175 16s   Deep x 0.5 Spatial x 2",
    3690015104: "Very large sit-and-stare 0.3x175 1s  C II   Si IV   Mg II h/k Deep x",
    3860608353: "Large sit-and-stare 0.3x120 1s  C II   Mg II h/k   Mg II w s Deep x",
}

SAMPLE_FILES = [sample.SNS_RASTER, sample.SNS_SJI_1400, sample.RASTER, sample.SJI_1400, sample.SJI_2832]


def squash(text):
    return " ".join(text.split())


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda path: path.name)
def test_sample_header_matches(path):
    header = fits.getheader(path)
    obsid = ObsID(header["OBSID"])
    assert obsid.obsid == int(header["OBSID"])
    # Level 2 headers cut OBS_DESC to 68 characters, so the header holds the start.
    assert obsid.description[:68].rstrip() == header["OBS_DESC"]
    assert squash(obsid.description).startswith(squash(header["OBS_DESC"]))
    assert obsid.exposure_time.to_value(u.s) == pytest.approx(header["EXPTIME"], abs=0.01)
    assert obsid.binning.spatial == header["SUMSPAT"]
    if "SUMSPTRF" in header:  # spectrograph files
        assert obsid.fuv_binning == header["SUMSPTRF"]
        assert obsid.binning.spectral == header["SUMSPTRN"]


@pytest.mark.parametrize(("number", "obs_desc"), PUBLISHED_OBS_DESC.items())
def test_published_descriptions(number, obs_desc):
    assert decode_obsid(number).description[:68].rstrip() == obs_desc


def test_sit_and_stare_sample():
    obsid = ObsID(3620258102)
    assert obsid.version == 36
    assert obsid.raster_description == "Medium sit-and-stare"
    assert obsid.description == (
        "Medium sit-and-stare 0.3x60 1s  C II   Si IV   Mg II h/k   Mg II w s Deep x 8  "
        "FUV spectrally rebinned x 2"
    )
    assert obsid.raster_step == 0.33 * u.arcsec
    assert u.allclose(obsid.raster_fov, [0.3, 60] * u.arcsec)
    assert obsid.spectral_cadence == 1 * u.s
    assert obsid.exposure_time == 8 * u.s
    assert obsid.sji_filters == ("C II", "Si IV", "Mg II h/k", "Mg II w s")
    assert u.allclose(obsid.sji_fov, [60, 60] * u.arcsec)
    assert obsid.sji_cadence == "SJI cadence default"
    assert obsid.binning == Binning(spatial=1, spectral=1)
    assert obsid.fuv_binning == 2
    assert obsid.compression == "Default compression"
    assert obsid.linelist == "Medium linelist"


def test_raster_series_sample():
    obsid = ObsID("3860258481")
    assert obsid.version == 38
    assert obsid.raster_description == "Very large coarse 8-step raster"
    assert obsid.raster_step == 2 * u.arcsec
    assert u.allclose(obsid.raster_fov, [14, 175] * u.arcsec)
    assert obsid.spectral_cadence == 8 * u.s
    assert obsid.exposure_time == 8 * u.s
    assert obsid.sji_filters == ("Si IV", "Mg II h/k", "Mg II w s")
    assert obsid.fuv_binning == 2
    assert obsid.linelist == "Flare linelist 1"


def test_slit_jaw_sample():
    obsid = ObsID(3880012095)
    assert obsid.description == "Very large coarse 64-step raster 126x175 64s   Deep x 30"
    assert obsid.raster_step == 2 * u.arcsec
    assert u.allclose(obsid.raster_fov, [126, 175] * u.arcsec)
    assert obsid.spectral_cadence == 64 * u.s
    assert obsid.exposure_time == 30 * u.s
    assert obsid.sji_filters == ("C II", "Si IV", "Mg II h/k", "Mg II w")
    assert obsid.binning == Binning(1, 1)
    assert obsid.fuv_binning == 1
    assert obsid.linelist == "Full readout"


# Decodings given in irispy-lmsal's tests, one per table version 36, 38 and 40.
@pytest.mark.parametrize(
    ("number", "values"),
    [
        (
            3677508065,
            {
                "raster_description": "Very large dense 96-step raster",
                "exposure_time": 8 * u.s,
                "sji_filters": ("C II", "Si IV", "Mg II h/k", "Mg II w"),
                "binning": Binning(1, 1),
                "fuv_binning": 4,
                "sji_cadence": "SJI cadence 0.5x faster",
                "compression": "Lossless compression",
                "linelist": "Flare linelist 1",
            },
        ),
        (
            3880903651,
            {
                "raster_description": "Small sit-and-stare",
                "exposure_time": 30 * u.s,
                "sji_filters": ("Si IV",),
                "binning": Binning(2, 8),
                "fuv_binning": 8,
                "sji_cadence": "SJI cadence default",
                "linelist": "Full readout",
            },
        ),
        (
            4050607445,
            {
                "raster_description": "Very large dense raster (tight timing)",
                "exposure_time": 4 * u.s,
                "sji_filters": ("Si IV", "Mg II h/k"),
                "binning": Binning(2, 2),
                "fuv_binning": 4,
                "sji_cadence": "SJI cadence 10s",
                "compression": "Lossless compression",
                "linelist": "Small linelist",
            },
        ),
    ],
)
def test_known_decodings(number, values):
    obsid = ObsID(number)
    for key, value in values.items():
        assert obsid[key] == value, key
        assert getattr(obsid, key) == value, key


def test_combined_raster_steps():
    # Version 40 "sparse/dense/sparse" rasters have three steps and a total field of view.
    obsid = ObsID(4000000027)
    assert u.allclose(obsid.raster_step, [1, 0.33, 1] * u.arcsec)
    assert u.allclose(obsid.raster_fov, [11, 60] * u.arcsec)


def test_mapping_and_text():
    obsid = ObsID(3620258102)
    values = dict(obsid)
    assert values["exposure_time"] == 8 * u.s
    assert set(values) == set(obsid.keys())
    assert len(obsid) == len(values)
    with pytest.raises(KeyError, match="exptime"):
        obsid["exptime"]
    assert repr(obsid) == "<ObsID 3620258102: Medium sit-and-stare 0.3x60 1s>"
    text = str(obsid)
    assert text.startswith("IRIS OBSID 3620258102 (OBS tables version 36)")
    assert "Exposure time: 8 s" in text
    assert ObsID("3620258102") == obsid
    assert ObsID(obsid) == obsid
    assert len({obsid, ObsID(3620258102), ObsID(3880012095)}) == 2


def test_terms_add_up():
    obsid = ObsID(3620258102)
    terms = obsid.terms
    assert terms["raster"] == (2, "Medium sit-and-stare")
    assert terms["exposure"] == (8000, "Deep x 8")
    assert sum(code for code, _ in terms.values()) == 20258102


def test_every_table_version_loads():
    assert _table_versions() == (34, 36, 38, 40)
    for version in _table_versions():
        tables = _read_tables(version)
        assert tables.rasters
        names = [name for name, _ in tables.groups]
        assert names[:5] == ["sji_filters", "exposure", "binning", "fuv_binning", "sji_cadence"]
        assert names[-2:] == ["compression", "linelist"]
        # Every raster of the version decodes with all other choices at their defaults.
        for code, raster in tables.rasters.items():
            obsid = ObsID(version * 10**8 + code)
            assert obsid.raster_description == raster.description
            assert obsid.description.startswith(raster.description)
            assert obsid.raster_fov.shape == (2,)
            assert obsid.exposure_time == 1 * u.s


@pytest.mark.parametrize("version", [34, 36, 38, 40])
def test_decoding_inverts_encoding(version):
    # Each entry of each table, with the other tables at their defaults and at their
    # largest entries (the hardest case for finding terms from the largest table down),
    # and the smallest and largest raster terms. OBSIDs hold eight digits after the
    # version, which leaves out the v40 "Full readout" (180000000).
    tables = _read_tables(version)
    groups = {name: [entry.code for entry in group if entry.code < 10**8] for name, group in tables.groups}
    for name, codes in groups.items():
        for code in codes:
            for others in (min, max):
                for raster in (min(tables.rasters), max(tables.rasters)):
                    entries = {other: others(choices) for other, choices in groups.items()}
                    entries[name] = code
                    terms = ObsID(version * 10**8 + raster + sum(entries.values())).terms
                    assert terms.pop("raster")[0] == raster
                    assert {group: term for group, (term, _) in terms.items()} == entries


@pytest.mark.parametrize(
    "bad",
    [
        "abc",
        "36202581",
        "36202581020",
        " 362025810x ",
        335987081297,
        40,
        -3620258102,
        3.6e9,
        None,
        True,
        "",
    ],
)
def test_malformed_obsid(bad):
    with pytest.raises(IrispyPlusObsIDError, match="ten-digit") as error:
        ObsID(bad)
    assert repr(bad) in str(error.value)
    assert isinstance(error.value, IrispyPlusError)
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize(("bad", "version"), [(4643502010, 46), (4205000000, 42), (1000000001, 10)])
def test_unknown_table_version(bad, version):
    with pytest.raises(IrispyPlusObsIDError, match=rf"OBSID {bad} .* version {version} .* 34, 36, 38, 40"):
        decode_obsid(bad)


@pytest.mark.parametrize("bad", [4050607495, 3880903650, 3680903685, 3600001999, 3600014000])
def test_undecodable_obsid(bad):
    with pytest.raises(IrispyPlusObsIDError, match=f"OBSID {bad} does not decode"):
        ObsID(bad)


def test_tables_read_lazily():
    # Importing the package or the module reads no table; the first decoding reads one version.
    code = (
        "import irispy_plus, irispy_plus.obsid as m\n"
        "print(m._read_tables.cache_info().currsize, m._table_versions.cache_info().currsize)\n"
        "m.ObsID(3620258102)\n"
        "m.ObsID(3620258102)\n"
        "print(m._read_tables.cache_info().currsize, m._read_tables.cache_info().misses)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["0", "0", "1", "1"]
