"""
Reprojection and co-alignment against a reference made from a real slit-jaw frame moved
by a known amount and put on another instrument's grid.
"""

import astropy.units as u
import numpy as np
import pytest
import sunpy.map
from sunpy.coordinates import get_earth
from sunpy.physics.differential_rotation import solar_rotate_coordinate

from irispy_plus import read_cube
from irispy_plus.data import sample
from irispy_plus.maps import coalign, reproject_to
from irispy_plus.utils.exceptions import IrispyPlusMapError


@pytest.fixture(scope="module")
def sji():
    return read_cube(sample.SJI_1400)


@pytest.fixture(scope="module")
def frame_map(sji):
    frame_map = sji[0].to_map()
    data = frame_map.data.copy()
    data[data <= -199] = np.nan  # TODO(merge): the reader masks smeared fill itself
    return sunpy.map.Map(data, frame_map.meta)


def _other_instrument(frame_map, shift, scale, rotation=7 * u.deg):
    """
    The frame moved by ``shift`` and resampled onto another instrument's grid: pixels of
    ``scale`` arcsec, rotated. A coarser grid is averaged onto (as a coarser instrument
    sees the Sun), a finer one interpolated.
    """
    moved = frame_map.shift_reference_coord(*shift)
    shape = tuple(round(n * frame_map.scale[0].value / scale) + 20 for n in frame_map.data.shape)
    header = sunpy.map.make_fitswcs_header(
        shape, moved.center, scale=[scale, scale] * u.arcsec / u.pix, rotation_angle=rotation
    )
    algorithm = "adaptive" if scale > frame_map.scale[0].value else "interpolation"
    return moved.reproject_to(sunpy.map.Map(np.zeros(shape), header).wcs, algorithm=algorithm)


@pytest.mark.parametrize("scale", [0.6, 4.0], ids=["finer reference", "coarser reference"])
@pytest.mark.parametrize("shift", [(2.3, -1.7), (-6.4, 0.45), (0.2, 4.9)])
def test_a_known_shift_is_recovered_within_a_tenth_of_an_arcsec(frame_map, shift, scale):
    reference = _other_instrument(frame_map, shift * u.arcsec, scale)
    found = coalign(frame_map, reference, rotate=False)
    assert np.all(np.abs(found.shift - shift * u.arcsec) < 0.1 * u.arcsec), found
    assert found.correlation > 0.9


def test_the_cube_frame_itself_can_be_coaligned(sji, frame_map):
    reference = _other_instrument(frame_map, (1.5, 2.5) * u.arcsec, 4.0)
    found = coalign(sji[0], reference, rotate=False)
    assert np.all(np.abs(found.shift - (1.5, 2.5) * u.arcsec) < 0.1 * u.arcsec)


def test_solar_rotation_is_followed():
    """
    A reference an hour later showing the same pixels claims the surface did not turn:
    with rotation followed, the offset is the rotation the surface made, reversed.
    """
    frame_map = read_cube(sample.SNS_SJI_2796)[0].to_map()  # on the disk, near its centre
    later = (frame_map.date + 1 * u.hour).isot
    reference = frame_map.shift_reference_coord(0 * u.arcsec, 0 * u.arcsec)
    reference.meta["date-obs"] = reference.meta["date-avg"] = later
    found = coalign(frame_map, reference, rotate=True)
    centre = frame_map.center
    rotated = solar_rotate_coordinate(centre, observer=get_earth(later))
    expected = -np.array(
        [(rotated.Tx - centre.Tx).to_value(u.arcsec), (rotated.Ty - centre.Ty).to_value(u.arcsec)]
    )
    assert np.hypot(*expected) > 5  # an hour of rotation moves this field by about 9 arcsec
    # The expectation follows the field's centre only; across its 60" the rotation rate
    # differs a little, so the whole-field offset may differ by a tenth of an arcsecond.
    assert np.all(np.abs(found.shift.to_value(u.arcsec) - expected) < 0.25)
    not_rotated = coalign(frame_map, reference, rotate=False)
    assert np.hypot(*not_rotated.shift.to_value(u.arcsec)) < 1


def test_apply_moves_a_whole_cube_and_leaves_the_original(sji, frame_map):
    found = coalign(frame_map, _other_instrument(frame_map, (2.0, -1.0) * u.arcsec, 4.0), rotate=False)
    moved = found.apply(sji)
    assert moved is not sji
    before = sji.wcs.pixel_to_world(10, 20, 1)[0]
    after = moved.wcs.pixel_to_world(10, 20, 1)[0]
    assert u.allclose(after.Tx - before.Tx, found.shift[0], atol=1e-6 * u.arcsec)
    assert u.allclose(after.Ty - before.Ty, found.shift[1], atol=1e-6 * u.arcsec)
    assert sji.wcs.pixel_to_world(10, 20, 1)[0].Tx == before.Tx
    np.testing.assert_array_equal(np.asarray(moved[1].data), np.asarray(sji[1].data))
    shifted_map = found.apply(frame_map)
    offset = shifted_map.reference_coordinate.Tx - frame_map.reference_coordinate.Tx
    assert u.allclose(offset, found.shift[0], atol=1e-6 * u.arcsec)


def test_apply_refuses_a_slice(sji, frame_map):
    found = coalign(frame_map, _other_instrument(frame_map, (1, 1) * u.arcsec, 4.0), rotate=False)
    with pytest.raises(IrispyPlusMapError, match="whole cube"):
        found.apply(sji[0])


def test_a_reference_elsewhere_is_refused(frame_map):
    elsewhere = frame_map.shift_reference_coord(400 * u.arcsec, 0 * u.arcsec)
    with pytest.raises(IrispyPlusMapError, match="overlap"):
        coalign(frame_map, elsewhere, rotate=False)


def test_noise_is_not_structure(frame_map):
    rng = np.random.default_rng(5)
    noise = sunpy.map.Map(rng.normal(size=frame_map.data.shape), frame_map.meta)
    with pytest.raises(IrispyPlusMapError):
        coalign(frame_map, noise, rotate=False, max_shift=5 * u.arcsec)


def test_reproject_checks_its_algorithm(frame_map):
    with pytest.raises(IrispyPlusMapError, match="algorithm"):
        reproject_to(frame_map, frame_map, algorithm="nearest")


def test_reprojecting_onto_itself_is_the_identity(frame_map):
    same = reproject_to(frame_map, frame_map, rotate=False)
    valid = np.isfinite(same.data)
    assert valid.mean() > 0.4
    np.testing.assert_allclose(same.data[valid], frame_map.data[valid], rtol=1e-6, atol=1e-6)
