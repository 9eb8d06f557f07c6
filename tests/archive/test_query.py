"""
Queries return sliced archives with the observations meeting every criterion, checked
against the catalogue values directly; and the ``archive`` command.
"""

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time
from sunpy.time import TimeRange

from irispy_plus.archive import Archive, Observation
from irispy_plus.cli import main
from irispy_plus.utils.exceptions import IrispyPlusError


@pytest.fixture(scope="module")
def archive(archive_root):
    return Archive(archive_root)


def _ids(selection):
    return set(selection.obs_ids)


def _expected(archive, keep):
    return {row["obs_id"] for row in archive.table if keep(row)}


def test_time_range_overlap(archive):
    start, end = Time("2015-01-03T12:00"), Time("2015-01-06T04:30")
    selected = archive.select(time=(start, end))
    expected = _expected(archive, lambda row: row["start"] <= end and row["end"] >= start)
    assert _ids(selected) == expected
    assert len(expected) == 2  # the 4th and 5th: the 3rd ends at 05:00 on the 3rd, the 6th starts at 05:00
    assert _ids(archive.select(time=TimeRange(start, end))) == expected


def test_obsid_description_windows_bands(archive):
    assert archive.select(obsid=3600000007).obs_ids == ["20150108_070000_3600000007"]
    assert len(archive.select(obsid=[3600000001, 3600000003, 1])) == 2
    sit_and_stare = archive.select(description="SIT-and-stare")
    assert _ids(sit_and_stare) == _expected(archive, lambda row: "sit-and-stare" in row["description"])
    assert len(sit_and_stare) == 4
    assert _ids(archive.select(windows="Si IV 1394")) == _ids(sit_and_stare)
    assert len(archive.select(windows=["Si IV 1403", "Mg II k 2796"])) == 20
    assert len(archive.select(windows=["Si IV 1403", "1343"])) == 16
    assert len(archive.select(bands=1400)) == 10
    assert _ids(archive.select(bands="SJI_2832")) == _expected(
        archive, lambda row: row["sji_bands"] == "SJI_2832"
    )
    assert len(archive.select(bands=[1400, 2832])) == 0


def test_numeric_ranges(archive):
    assert _ids(archive.select(steps=1)) == _ids(archive.select(description="sit-and-stare"))
    assert len(archive.select(steps=(2, None))) == 16
    near = archive.select(distance=(None, 500 * u.arcsec))
    expected = _expected(archive, lambda row: np.hypot(row["x_cen"], row["y_cen"]) <= 500 * u.arcsec)
    assert _ids(near) == expected
    assert 0 < len(expected) < 20
    far = archive.select(distance=(0.2 * u.deg, None))
    assert _ids(far) == _expected(archive, lambda row: np.hypot(row["x_cen"], row["y_cen"]) >= 720 * u.arcsec)
    assert len(far) == 6
    centre = archive.select(obsid=3600000010)[0]  # pointing at (0, 100): a zero is a value
    assert tuple(centre.pointing.value) == (0.0, 100.0)
    wide = archive.select(fov_x=(10 * u.arcsec, None), fov_y=(1 * u.arcmin, 200 * u.arcsec))
    assert _ids(wide) == _expected(archive, lambda row: row["fov_x"] >= 10 * u.arcsec)
    assert len(archive.select(repeats=(100, None))) == 16


def test_criteria_combine_and_slices_chain(archive):
    both = archive.select(bands=1400, steps=1)
    assert _ids(both) == _ids(archive.select(bands=1400)) & _ids(archive.select(steps=1))
    assert _ids(both.select(obsid=3600000004)) == {"20150105_040000_3600000004"}
    sliced = archive[2:5]
    assert sliced.obs_ids == archive.obs_ids[2:5]
    observations = list(sliced)
    assert all(isinstance(obs, Observation) for obs in observations)
    assert [obs.obs_id for obs in observations] == sliced.obs_ids
    assert archive["20150103_020000_3600000002"].obsid == 3600000002
    with pytest.raises(IrispyPlusError, match="selection"):
        sliced.update()


def test_bad_criteria_are_named(archive):
    with pytest.raises(IrispyPlusError, match=r"Unknown selection criteria.*'window'"):
        archive.select(window="Si IV 1403")
    with pytest.raises(IrispyPlusError, match="quantities"):
        archive.select(distance=(None, 500))
    with pytest.raises(IrispyPlusError, match="arcsec"):
        archive.select(fov_x=(1 * u.s, None))
    with pytest.raises(IrispyPlusError, match="time="):
        archive.select(time=("yesterday-ish", "now"))
    with pytest.raises(IrispyPlusError, match="pair"):
        archive.select(steps=(1, 2, 3))
    with pytest.raises(IrispyPlusError, match="no observation"):
        archive["20990101_000000_1"]
    with pytest.raises(IrispyPlusError, match="out of range"):
        archive[99]


def test_cli_index_and_list(archive_root, tmp_path, capsys):
    assert main(["archive", "index", str(archive_root), "--catalogue", str(tmp_path / "cat.ecsv")]) == 0
    out = capsys.readouterr().out
    assert "20 observations" in out
    assert main(["archive", "list", str(archive_root), "--window", "Si IV 1394", "--format", "ids"]) == 0
    ids = capsys.readouterr().out.split()
    assert ids == Archive(archive_root).select(windows="Si IV 1394").obs_ids
    assert (
        main(
            [
                "archive",
                "list",
                str(archive_root),
                "--window",
                "Mg II k 2796",
                "--band",
                "1400",
                "--max-steps",
                "1",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("2 of 20 observations match.")
    assert "20150105_040000_3600000004" in out
    assert main(["archive", "list", str(archive_root), "--obsid", "3600000003", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("obs_id,description,start")
    assert lines[1].startswith("20150104_030000_3600000003,")


def test_cli_index_lists_unreadable_files(tmp_path, capsys):
    (tmp_path / "bad.fits").write_bytes(b"SIMPLE  = nonsense" * 200)
    assert main(["archive", "index", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "1 files could not be indexed" in out
    assert "bad.fits" in out
