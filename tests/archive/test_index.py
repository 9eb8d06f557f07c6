"""
The catalogue: both layouts, one row per observation checked against the headers read
by hand, incremental updates, and damaged or foreign files.
"""

import gzip
import os
import shutil
import tarfile

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.table import QTable, Table
from astropy.time import Time

from irispy_plus.archive import Archive
from irispy_plus.archive._catalogue import CATALOGUE_NAME, FILES_NAME
from irispy_plus.data import sample
from irispy_plus.testing.archives import make_archive, rewrite_primary_keywords
from irispy_plus.utils.exceptions import IrispyPlusFileError, IrispyPlusUserWarning


def _by_hand(root, obs_id):
    """The facts of an observation from its files' primary headers, with astropy only."""
    files = sorted(path for path in root.rglob(f"iris_l2_{obs_id}_*"))
    headers = {path: fits.getheader(path) for path in files}
    raster = next(h for p, h in headers.items() if "raster" in p.name)
    return files, raster, [h for p, h in headers.items() if "SJI" in p.name]


@pytest.mark.parametrize("layout", ["fido", "lmsal"])
def test_rows_match_the_headers(tmp_path, layout):
    root = make_archive(tmp_path / layout, n_observations=5, layout=layout, repeats=2)
    archive = Archive(root)
    assert len(archive) == 5
    assert archive.last_update.read == 4 * 2 + 1 + 5  # 4 rasters of 2 repeats, 1 sit-and-stare, 5 SJIs
    for row in archive.table:
        files, raster, slit_jaws = _by_hand(root, row["obs_id"])
        assert row["obsid"] == int(raster["OBSID"])
        assert row["description"] == raster["OBS_DESC"].strip()
        assert row["start"] == Time(raster["STARTOBS"])
        assert abs(row["end"] - Time(raster["ENDOBS"])) < 1 * u.ms
        assert row["n_steps"] == raster["NRASTERP"]
        assert row["n_repeats"] == raster["RASNRPT"]
        assert row["raster_cadence"] == raster["CADPL_AV"] * u.s
        assert row["windows"].split(", ") == [raster[f"TDESC{i}"] for i in range(1, raster["NWIN"] + 1)]
        assert row["sji_bands"] == ", ".join(f"SJI_{round(h['TWAVE1'])}" for h in slit_jaws)
        assert row["fov_x"] == raster["FOVX"] * u.arcsec
        assert row["fov_y"] == raster["FOVY"] * u.arcsec
        assert (row["x_cen"], row["y_cen"]) == (raster["XCEN"] * u.arcsec, raster["YCEN"] * u.arcsec)
        assert row["distance"].to_value(u.arcsec) == pytest.approx(np.hypot(raster["XCEN"], raster["YCEN"]))
        assert row["n_raster_files"] == len([f for f in files if "raster" in f.name])
        listed = sorted(root / name for name in row["files"].split("|"))
        assert listed == files
        if layout == "lmsal":
            start = Time(raster["STARTOBS"])
            assert row["folder"] == f"{start.strftime('%Y/%m/%d')}/{row['obs_id']}"


def test_compressed_files_as_the_archive_serves_them(tmp_path):
    root = make_archive(tmp_path / "gz", n_observations=3, compressed=True, repeats=3, sit_and_stare_every=0)
    archive = Archive(root)
    assert archive.errors.pformat() == Table({"path": [], "error": []}, dtype=[str, str]).pformat()
    assert list(archive.table["n_raster_files"]) == [3, 3, 3]
    obs = archive[1]
    assert [path.name for path in obs.raster_files] == [f"iris_l2_{obs.obs_id}_raster.tar.gz"]
    assert obs.raster("Si IV 1403").shape[0] == 3  # a sequence of the three repeats
    assert obs.sji(2832).shape == (2, 109, 178)


def test_catalogue_is_ecsv_beside_the_tree(fresh_root):
    archive = Archive(fresh_root)
    table = QTable.read(fresh_root / CATALOGUE_NAME, format="ascii.ecsv")
    assert list(table["obs_id"]) == archive.obs_ids
    assert table["fov_y"].unit == u.arcsec
    assert isinstance(table["start"], Time)
    files = Table.read(fresh_root / FILES_NAME, format="ascii.ecsv")
    assert len(files) == 8


def test_incremental_update_reads_only_new_or_changed_files(fresh_root, tmp_path):
    Archive(fresh_root)
    archive = Archive(fresh_root)
    assert (archive.last_update.read, archive.last_update.kept) == (0, 8)

    sji = next(fresh_root.rglob("*SJI*"))
    stat = sji.stat()
    os.utime(sji, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # touched: read again
    raster = next(fresh_root.rglob("*3600000001_raster*"))
    rewrite_primary_keywords(raster, {"XCEN": 123.0})  # same size: the time stamp tells
    make_archive(tmp_path / "more", n_observations=5)
    new = next((tmp_path / "more").glob("*3600000004"))
    shutil.move(new, fresh_root / new.name)  # a new observation
    shutil.rmtree(next(fresh_root.glob("*3600000002")))  # a removed one

    report = archive.update()
    assert (report.read, report.removed, report.kept) == (2 + 2, 2, 4)
    assert len(archive) == 4
    assert archive["20150102_010000_3600000001"].pointing[0] == 123 * u.arcsec
    assert archive.obs_ids[-1].endswith("3600000004")
    assert not any(obs_id.endswith("3600000002") for obs_id in archive.obs_ids)
    # The saved catalogue is the updated one.
    assert Archive(fresh_root, update=False).obs_ids == archive.obs_ids


def _damage(root):
    """One file of each kind of trouble; returns the names expected in the errors."""
    donor = next(root.rglob("*raster_t000_r00000.fits"))
    folder = root / "trouble"
    folder.mkdir()
    data = donor.read_bytes()
    (folder / "iris_l2_truncated_raster_t000_r00000.fits").write_bytes(data[: len(data) // 2 + 100])
    (folder / "cut_at_a_block.fits").write_bytes(data[: 2880 * 3])
    (folder / "garbage.fits").write_bytes(b"\x89PNG not a fits file" * 500)
    fits.PrimaryHDU(np.zeros((4, 4))).writeto(folder / "aia_lev1.fits")  # foreign FITS
    (folder / "broken.fits.gz").write_bytes(gzip.compress(data)[:5000])
    (folder / "broken_raster.tar.gz").write_bytes(b"\x1f\x8b\x08" + os.urandom(300))
    with tarfile.open(folder / "empty_raster.tar.gz", "w:gz") as archive:
        info = tarfile.TarInfo("readme.txt")
        info.size = 2
        archive.addfile(info, fileobj=__import__("io").BytesIO(b"hi"))
    no_obsid = folder / "no_obsid.fits"
    shutil.copyfile(sample.SJI_2832, no_obsid)
    text = no_obsid.read_bytes().replace(b"OBSID   =", b"OBSIX   =", 1)
    no_obsid.write_bytes(text)
    (folder / "notes.txt").write_text("ignored: not a FITS name")
    return {
        "trouble/iris_l2_truncated_raster_t000_r00000.fits": "truncated",
        "trouble/cut_at_a_block.fits": "damaged",
        "trouble/garbage.fits": "not FITS",
        "trouble/aia_lev1.fits": "not an IRIS Level 2 file",
        "trouble/broken.fits.gz": "",
        "trouble/broken_raster.tar.gz": "tar archive",
        "trouble/empty_raster.tar.gz": "without FITS files",
        "trouble/no_obsid.fits": "OBSID",
    }


def test_damaged_and_foreign_files_are_listed_and_indexing_goes_on(fresh_root):
    expected = _damage(fresh_root)
    archive = Archive(fresh_root)
    assert len(archive) == 4  # every good observation indexed
    errors = dict(zip(archive.errors["path"], archive.errors["error"], strict=True))
    assert set(errors) == set(expected)
    for path, fragment in expected.items():
        assert path in errors[path]
        assert fragment in errors[path]
    # Errors are kept: unchanged damaged files are not read again either.
    again = Archive(fresh_root)
    assert again.last_update.read == 0
    assert len(again.errors) == len(expected)


def test_read_only_tree_with_catalogue_elsewhere(fresh_root, tmp_path):
    catalogue = tmp_path / "elsewhere" / "iris.ecsv"
    catalogue.parent.mkdir()
    before = sorted(p.name for p in fresh_root.iterdir())
    archive = Archive(fresh_root, catalogue=catalogue)
    assert catalogue.exists()
    assert (catalogue.parent / "iris_files.ecsv").exists()
    assert sorted(p.name for p in fresh_root.iterdir()) == before  # nothing written in the tree
    assert Archive(fresh_root, catalogue=catalogue, update=False).obs_ids == archive.obs_ids


def test_unwritable_catalogue_warns_and_keeps_it_in_memory(fresh_root, tmp_path):
    with pytest.warns(IrispyPlusUserWarning, match="kept in memory only"):
        archive = Archive(fresh_root, catalogue=tmp_path / "missing" / "folder" / "cat.ecsv")
    assert len(archive) == 4


def test_damaged_catalogue_is_rebuilt(fresh_root):
    Archive(fresh_root)
    (fresh_root / FILES_NAME).write_text("# %ECSV 1.0\n---\nnot: [a table\n")
    with pytest.warns(IrispyPlusUserWarning, match="indexed again"):
        archive = Archive(fresh_root)
    assert archive.last_update.read == 8
    assert len(archive) == 4


def test_missing_root_and_missing_catalogue(tmp_path):
    with pytest.raises(IrispyPlusFileError, match="does not exist"):
        Archive(tmp_path / "nowhere")
    with pytest.raises(IrispyPlusFileError, match="no catalogue yet"):
        Archive(tmp_path, update=False)


def test_empty_tree(tmp_path):
    archive = Archive(tmp_path)
    assert len(archive) == 0
    assert len(archive.select(windows="Si IV 1403")) == 0
    assert "0 observations" in repr(archive)


def test_long_descriptions_and_other_time_forms(tmp_path):
    path = tmp_path / "iris_l2_x_SJI_1400_t000.fits"
    shutil.copyfile(sample.SJI_1400, path)
    with fits.open(path, mode="update") as hdulist:
        hdulist[0].header["OBS_DESC"] = "A very long description " * 5  # CONTINUE cards
        hdulist[0].header["STARTOBS"] = "2016-12-31T23:59:60.500"  # a leap second
        hdulist[0].header["ENDOBS"] = "2017-01-01T01:00:00Z"
    (row,) = Archive(tmp_path).table
    assert row["description"] == ("A very long description " * 5).strip()
    assert row["start"].isot == "2016-12-31T23:59:60.500"
    assert row["end"].isot == "2017-01-01T01:00:00.000"
    assert row["obs_id"] == "20161231_235960_3880012095"
