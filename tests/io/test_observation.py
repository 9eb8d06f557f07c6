"""
The one rule of read_files(..., as_observation=True), obs.cube, read_cube, and the
deprecation of the old results.
"""

import warnings

import pytest

import irispy_plus
from irispy_plus import read_cube, read_files
from irispy_plus.cubes import (
    IRISObservation,
    IRISRasterSequence,
    IRISSJICube,
    IRISSpectrogramCube,
    RasterCollection,
    SJICollection,
)
from irispy_plus.data import sample
from irispy_plus.utils import IrispyPlusDeprecationWarning, IrispyPlusError, IrispyPlusWarning
from irispy_plus.utils.exceptions import IrispyPlusUsageError

SNS_BANDS = ["SJI_1330", "SJI_1400", "SJI_2796", "SJI_2832"]


def _read_silently(files, **kwargs):
    """read_files, failing if it warns."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return read_files(files, **kwargs)


@pytest.mark.parametrize(
    ("files", "kind", "windows", "bands", "repeats"),
    [
        pytest.param(sample.SJI_1400, SJICollection, [], ["SJI_1400"], None, id="one slit-jaw"),
        pytest.param(
            [sample.SJI_1400, sample.SJI_2832],
            SJICollection,
            [],
            ["SJI_1400", "SJI_2832"],
            None,
            id="slit-jaws",
        ),
        pytest.param(sample.RASTER, RasterCollection, ["Si IV 1403"], [], 1, id="one raster"),
        pytest.param(sample.RASTER_SERIES, RasterCollection, ["Si IV 1403"], [], 3, id="rasters"),
        pytest.param(
            sample.SNS_DIR, IRISObservation, ["Si IV 1403"], SNS_BANDS, 1, id="rasters and slit-jaws"
        ),
    ],
)
def test_the_rule_for_each_kind_of_input(files, kind, windows, bands, repeats):
    obs = _read_silently(files, as_observation=True)
    assert type(obs) is kind
    assert isinstance(obs, IRISObservation)
    assert obs.aligned_axes is None
    assert obs.bands == bands
    assert set(windows) <= set(obs.windows)
    assert sorted(obs) == sorted(obs.windows + obs.bands)
    for label in obs.windows:
        assert isinstance(obs[label], IRISRasterSequence)
        assert len(obs[label].data) == repeats
    for band in obs.bands:
        assert isinstance(obs[band], IRISSJICube)
    assert (obs.raster is None) == (not obs.windows)
    assert (obs.sji is None) == (not obs.bands)
    if obs.windows:
        assert isinstance(obs.raster, RasterCollection)
        assert obs.raster.windows == obs.windows
    if obs.bands:
        assert isinstance(obs.sji, SJICollection)
        assert list(obs.sji) == obs.bands


def test_cube_gives_the_one_cube():
    sji = read_files(sample.SJI_1400, as_observation=True)
    assert isinstance(sji.cube(), IRISSJICube)
    assert sji.cube("sji_1400").shape == (2, 109, 178)
    rasters = read_files(sample.RASTER, windows="Si IV 1403", as_observation=True)
    cube = rasters.cube()
    assert isinstance(cube, IRISSpectrogramCube)
    assert cube is rasters["Si IV 1403"].data[0]
    obs = read_files(sample.SNS_DIR, as_observation=True)
    assert obs.cube("Mg II k 2796").spectral_window == "Mg II k 2796"
    assert obs.cube("SJI_2796").band == "SJI_2796"


def test_cube_errors_say_what_to_do():
    obs = read_files(sample.SNS_DIR, as_observation=True)
    with pytest.raises(IrispyPlusError, match=r"holds 12 windows and bands \(C II 1336, .*SJI_2832\); pass"):
        obs.cube()
    with pytest.raises(
        IrispyPlusError, match=r"No window or band 'Ca II 8542' here; there are: 'C II 1336', .*'SJI_1400'"
    ):
        obs.cube("Ca II 8542")
    with pytest.raises(IrispyPlusError, match="No window or band 3"):
        obs.cube(3)
    series = read_files(sample.RASTER_SERIES, windows="Si IV 1403", as_observation=True)
    with pytest.raises(IrispyPlusError, match=r"covers 3 raster files.*obs\['Si IV 1403'\]\[i\]"):
        series.cube()


def test_read_cube():
    cube = read_cube(sample.RASTER, "Si IV 1403")
    assert isinstance(cube, IRISSpectrogramCube)
    assert cube.shape == (8, 109, 29)
    assert read_cube(sample.SNS_RASTER, "si iv 1403", uncertainty=True).uncertainty is not None
    assert read_cube(sample.SJI_1400).shape == (2, 109, 178)
    assert read_cube(sample.SNS_DIR, "SJI_1400").band == "SJI_1400"
    assert read_cube(sample.SNS_DIR, "Si IV 1403").spectral_window == "Si IV 1403"
    import astropy.units as u

    assert read_cube(sample.SNS_RASTER, 1403.5 * u.AA).spectral_window == "Si IV 1403"
    assert irispy_plus.read_cube is read_cube


def test_read_cube_errors():
    with pytest.raises(IrispyPlusError, match="has no window 'Ca II 8542'"):
        read_cube(sample.RASTER, "Ca II 8542")
    with pytest.raises(IrispyPlusError, match="holds 9 windows and bands"):
        read_cube(sample.RASTER)
    with pytest.raises(IrispyPlusError, match="covers 3 raster files"):
        read_cube(sample.RASTER_SERIES, "Si IV 1403")
    with pytest.raises(IrispyPlusError, match='window="all" asks for every one'):
        read_cube(sample.RASTER, "all")
    with pytest.raises(IrispyPlusError, match="read_cube reads one window"):
        read_cube(sample.RASTER, ["Si IV 1403", "C II 1336"])


@pytest.mark.parametrize(
    ("files", "old_type", "change"),
    [
        pytest.param(sample.SJI_1400, IRISSJICube, "IRISSJICube itself", id="one slit-jaw"),
        pytest.param(sample.RASTER, RasterCollection, "as IRISSpectrogramCube", id="one raster"),
        pytest.param(sample.SNS_DIR, IRISObservation, 'nested "raster" key', id="rasters and slit-jaws"),
    ],
)
def test_the_old_result_warns_where_it_differs(files, old_type, change):
    with pytest.warns(IrispyPlusDeprecationWarning, match=change) as caught:
        old = read_files(files)
    assert len(caught) == 1
    assert "as_observation=True" in str(caught[0].message)
    assert caught[0].filename == __file__  # points at the caller
    assert type(old) is old_type
    assert type(_read_silently(files, as_observation=False)) is old_type


def test_old_results_keep_their_shape():
    old = _read_silently(sample.RASTER, as_observation=False)
    assert isinstance(old["Si IV 1403"], IRISSpectrogramCube)
    assert old.aligned_axes is not None
    nested = _read_silently(sample.SNS_DIR, as_observation=False)
    assert sorted(nested) == [*SNS_BANDS, "raster"]
    assert isinstance(nested["raster"]["Si IV 1403"], IRISSpectrogramCube)
    assert nested.raster is nested["raster"]
    assert nested.windows == nested["raster"].windows
    assert nested.cube("Si IV 1403") is nested["raster"]["Si IV 1403"]


@pytest.mark.parametrize(
    "files", [[sample.SJI_1400, sample.SJI_2832], sample.RASTER_SERIES], ids=["slit-jaws", "rasters"]
)
def test_the_old_result_does_not_warn_where_it_is_the_same(files):
    old = _read_silently(files)
    new = _read_silently(files, as_observation=True)
    assert type(old) is type(new)
    assert list(old) == list(new)


def test_the_deprecation_warning_is_shown_to_users():
    assert issubclass(IrispyPlusDeprecationWarning, FutureWarning)
    assert issubclass(IrispyPlusDeprecationWarning, IrispyPlusWarning)


def test_the_nested_raster_key_warns_and_gives_the_windows():
    obs = read_files(sample.SNS_DIR, as_observation=True)
    with pytest.warns(IrispyPlusDeprecationWarning, match=r"obs\.raster"):
        raster = obs["raster"]
    assert isinstance(raster, RasterCollection)
    assert raster.windows == obs.windows
    rasters_only = read_files(sample.RASTER, as_observation=True)
    with pytest.raises(KeyError):
        rasters_only["raster"]


@pytest.mark.parametrize("bad", ["yes", 1, 0, [True]])
def test_a_bad_as_observation_is_refused(bad):
    with pytest.raises(IrispyPlusUsageError, match=r"as_observation=.* is not True, False or None"):
        read_files(sample.SJI_1400, as_observation=bad)
