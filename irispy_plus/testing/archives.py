"""
Build synthetic IRIS archives from the bundled sample files, for tests, benchmarks and
documentation examples.

Each observation is a copy of sample files whose primary headers are rewritten (OBSID,
start and end times, pointing) card by card in place, so the copies keep their size,
their data and every other keyword.
"""

import shutil
from pathlib import Path

from astropy.io import fits
from astropy.time import Time, TimeDelta

from irispy_plus.archive._index import observation_id
from irispy_plus.data import sample

__all__ = ["SlowJob", "make_archive", "rewrite_primary_keywords", "warm_up"]

_CARD = 80
_BLOCK = 2880


def rewrite_primary_keywords(path, values):
    """
    Rewrite keywords of a FITS file's primary header in place (no other byte changes).

    Parameters
    ----------
    path : str or pathlib.Path
        The file, changed in place.
    values : dict
        Keyword -> new value; every keyword must already be in the header.

    Raises
    ------
    KeyError
        If a keyword is not in the primary header.
    """
    with open(path, "r+b") as file:
        position, remaining = 0, dict(values)
        while True:
            block = file.read(_BLOCK)
            if len(block) < _BLOCK:
                break
            for offset in range(0, _BLOCK, _CARD):
                keyword = block[offset : offset + 8].decode("ascii").strip()
                if keyword in remaining:
                    old = fits.Card.fromstring(block[offset : offset + _CARD].decode("ascii"))
                    card = fits.Card(keyword, remaining.pop(keyword), old.comment)
                    file.seek(position + offset)
                    file.write(card.image[:_CARD].encode("ascii"))
                    file.seek(position + _BLOCK)
                if keyword == "END":
                    if remaining:
                        raise KeyError(f"{path} has no keyword(s) {sorted(remaining)} to rewrite")
                    return
            position += _BLOCK
    raise KeyError(f"{path} has no END card")


def _copy(source, folder, obs_id, suffix, keywords):
    destination = folder / f"iris_l2_{obs_id}_{suffix}"
    shutil.copyfile(source, destination)
    rewrite_primary_keywords(destination, keywords)
    return destination


def make_archive(
    root,
    n_observations=20,
    *,
    layout="fido",
    start="2015-01-01T00:00:00",
    sit_and_stare_every=5,
    repeats=1,
    compressed=False,
):
    """
    Write a synthetic archive of IRIS Level 2 observations made from the sample files.

    Observation ``i`` has OBSID ``3600000000 + i``, starts ``i`` days and ``i`` hours
    after ``start`` and points at ``(-900 + 90 i mod 1800, -400 + 50 i mod 800)`` arcsec.
    Each has a raster (the sample 8-step raster, or every ``sit_and_stare_every``-th the
    sample sit-and-stare) and one slit-jaw file (1400 for even ``i``, 2832 for odd).

    Parameters
    ----------
    root : str or pathlib.Path
        The folder to write into (made if missing).
    n_observations : int, optional
        How many observations.
    layout : {"fido", "lmsal"}, optional
        ``ROOT/YYYYMMDD_HHMMSS_OBSID/`` as `Fido.fetch` unpacks, or LMSAL's
        ``ROOT/YYYY/MM/DD/YYYYMMDD_HHMMSS_OBSID/``.
    start : str, optional
        The start of the first observation.
    sit_and_stare_every : int, optional
        Every this-many-th observation is a sit-and-stare; 0 for none.
    repeats : int, optional
        Raster repeats of the 8-step rasters (1 to 3).
    compressed : bool, optional
        Keep the files as the archive serves them: ``raster.tar.gz`` and ``.fits.gz``.

    Returns
    -------
    pathlib.Path
        ``root``.
    """
    from irispy_plus.testing.files import write_gzip, write_raster_tar

    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    first = Time(start, scale="utc")
    for index in range(n_observations):
        begin = first + TimeDelta(index * 86400 + index * 3600, format="sec")
        obsid = 3600000000 + index
        obs_id = observation_id(obsid, begin)
        folder = root / obs_id
        if layout == "lmsal":
            folder = root / begin.strftime("%Y/%m/%d") / obs_id
        elif layout != "fido":
            msg = f"layout must be 'fido' or 'lmsal', not {layout!r}"
            raise ValueError(msg)
        folder.mkdir(parents=True, exist_ok=True)
        sit_and_stare = sit_and_stare_every and index % sit_and_stare_every == sit_and_stare_every - 1
        sources = [sample.SNS_RASTER] if sit_and_stare else list(sample.RASTER_SERIES[:repeats])
        duration = TimeDelta(3600 * (1 + index % 3), format="sec")
        keywords = {
            "OBSID": str(obsid),
            "STARTOBS": begin.isot,
            "DATE_OBS": (begin + TimeDelta(1, format="sec")).isot,
            "ENDOBS": (begin + duration).isot,
            "DATE_END": (begin + duration).isot,
            "XCEN": -900.0 + (90.0 * index) % 1800.0,
            "YCEN": -400.0 + (50.0 * index) % 800.0,
        }
        rasters = [
            _copy(source, folder, obs_id, f"raster_t000_r{repeat:05d}.fits", keywords)
            for repeat, source in enumerate(sources)
        ]
        band = 1400 if index % 2 == 0 else 2832
        sji_source = sample.SJI_1400 if band == 1400 else sample.SJI_2832
        sji = _copy(sji_source, folder, obs_id, f"SJI_{band}_t000.fits", keywords)
        if compressed:
            write_raster_tar(rasters, folder / f"iris_l2_{obs_id}_raster.tar.gz")
            write_gzip(sji, sji.with_name(sji.name + ".gz"))
            for path in [*rasters, sji]:
                path.unlink()
    return root


class SlowJob:
    """
    A batch function for fault tests: summarises an observation after ``delay``
    seconds, fails on purpose for some, and kills its own worker process the first time
    it meets others.

    Parameters
    ----------
    delay : float
        Seconds to sleep per observation.
    fail : collection of str
        Observation ids for which it raises ``ValueError``.
    die_once : collection of str
        Observation ids for which, the first time, it kills the process it runs in
        (``SIGKILL``) midway; ``marks`` records that it did.
    marks : str or pathlib.Path, optional
        A folder for the marks of ``die_once`` and of every call (``calls/``).
    """

    def __init__(self, delay=0.0, fail=(), die_once=(), marks=None):
        self.delay = float(delay)
        self.fail = set(fail)
        self.die_once = set(die_once)
        self.marks = None if marks is None else Path(marks)

    def __call__(self, observation):
        """
        Run the job on one observation, failing or killing its worker when told to.
        """
        import os
        import signal
        import time

        obs_id = observation.obs_id
        if self.marks is not None:
            calls = self.marks / "calls"
            calls.mkdir(parents=True, exist_ok=True)
            (calls / f"{obs_id}.{os.getpid()}.{time.monotonic_ns()}").touch()
        time.sleep(self.delay / 2)
        if obs_id in self.die_once and self.marks is not None:
            mark = self.marks / f"died_{obs_id}"
            if not mark.exists():
                mark.touch()
                os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(self.delay / 2)
        if obs_id in self.fail:
            msg = f"failing on purpose for {obs_id}"
            raise ValueError(msg)
        return {
            "obs_id": obs_id,
            "obsid": observation.obsid,
            "windows": observation.windows,
            "pid": os.getpid(),
        }


def warm_up():
    """
    Write and remove a small ASDF file: the first write of a process loads every ASDF
    extension (seconds); run on each dask worker (``client.run(warm_up)``) so that tests
    measure the work, not that.
    """
    import os
    import tempfile

    from irispy_plus.asdf import save

    with tempfile.TemporaryDirectory(prefix="irispy-plus-warm-up-") as folder:
        save({"warm": True}, Path(folder) / "warm.asdf", force=True)
    return os.getpid()
