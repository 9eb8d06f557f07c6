"""
Run a function over every observation of an archive on a ``dask.distributed`` cluster,
keeping each result in its own ASDF file, so that lost workers, failing observations and
restarts lose nothing and duplicate nothing.

How it holds:

- Each observation's result goes to ``OUT/<obs_id>.asdf``, written atomically (a
  nameless temporary file, linked and renamed when complete): the name appears once,
  holding a complete file, or not at all.
- What is finished is what is on disk: a rerun skips observations whose file exists and
  submits the others, so failed observations are tried again and a run whose client was
  killed resumes.
- A worker that dies mid-task leaves no file; the scheduler runs the task again on
  another worker. A task that finds its file already written (its first run finished
  just before its worker died) does not run again.
- Exceptions of the function are caught in the task and recorded with their traceback in
  the run report (``OUT/irispy_plus_run.json``); the other observations go on.
"""

import json
import logging
import os
import sys
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from irispy_plus.utils.config import conf
from irispy_plus.utils.exceptions import IrispyPlusError
from irispy_plus.utils.logger import log
from irispy_plus.utils.optional import import_optional

__all__ = ["REPORT_NAME", "RunReport", "output_path", "run_map"]

#: The run report, in the output folder.
REPORT_NAME = "irispy_plus_run.json"


def output_path(out, obs_id):
    """The result file of an observation: ``OUT/<obs_id>.asdf``."""
    return Path(out) / f"{obs_id}.asdf"


def is_complete(path):
    """Whether ``path`` is a result file: present and an ASDF file (writes are atomic)."""
    try:
        with open(path, "rb") as file:
            return file.read(5) == b"#ASDF"
    except OSError:
        return False


@dataclass
class RunReport:
    """
    What a run of `run_map` did, observation by observation.

    Attributes
    ----------
    out : pathlib.Path
        The output folder.
    entries : dict
        Observation id -> ``{"status", "seconds", "worker", "error", "traceback",
        "output"}``; status is ``"done"`` (run now), ``"skipped"`` (finished by an
        earlier run) or ``"failed"``.
    seconds : float
        The run's wall-clock time.

    Examples
    --------
    `run_map` (or `Archive.map`) returns one and writes it to
    ``OUT/irispy_plus_run.json``; here one is made by hand, to show what it tells:

    >>> from pathlib import Path
    >>> from irispy_plus.archive import RunReport
    >>> report = RunReport(
    ...     Path("out"),
    ...     entries={
    ...         "20150101_000000_3600000000": {"status": "done", "seconds": 0.8},
    ...         "20150102_010000_3600000001": {"status": "skipped", "seconds": 0.0},
    ...         "20150103_020000_3600000002": {
    ...             "status": "failed",
    ...             "seconds": 0.1,
    ...             "error": "ValueError: no Si IV 1403 window",
    ...             "traceback": "Traceback (most recent call last): ...",
    ...         },
    ...     },
    ...     seconds=1.5,
    ... )
    >>> report.done, report.skipped, report.failed
    (1, 1, 1)
    >>> report.summary()
    '1 done, 1 skipped (already done), 1 failed in 1.5 s; results in out'
    >>> list(report.failures)
    ['20150103_020000_3600000002']
    >>> report.table["status"].tolist()  # one row per observation
    ['done', 'skipped', 'failed']
    """

    out: Path
    entries: dict = field(default_factory=dict)
    seconds: float = 0.0

    def _count(self, status):
        return sum(entry["status"] == status for entry in self.entries.values())

    @property
    def done(self):
        """Observations processed in this run."""
        return self._count("done")

    @property
    def skipped(self):
        """Observations whose result an earlier run had written."""
        return self._count("skipped")

    @property
    def failed(self):
        """Observations whose function raised, or whose workers kept dying."""
        return self._count("failed")

    @property
    def failures(self):
        """Observation id -> traceback of each failure."""
        return {key: entry["traceback"] for key, entry in self.entries.items() if entry["status"] == "failed"}

    @property
    def table(self):
        """The report as an astropy Table, one row per observation."""
        from astropy.table import Table

        names = ("status", "seconds", "worker", "error")
        rows = [[key, *(entry.get(name, "") for name in names)] for key, entry in self.entries.items()]
        return Table(rows=rows or None, names=("obs_id", *names), dtype=(str, str, float, str, str))

    def summary(self):
        """One line: done, skipped and failed counts and the time taken."""
        return (
            f"{self.done} done, {self.skipped} skipped (already done), {self.failed} failed "
            f"in {self.seconds:.1f} s; results in {self.out}"
        )

    def save(self):
        """Write the report to ``OUT/irispy_plus_run.json``, atomically."""
        from irispy_plus.asdf._io import atomic_write

        text = json.dumps(
            {
                "summary": {"done": self.done, "skipped": self.skipped, "failed": self.failed},
                "seconds": self.seconds,
                "observations": self.entries,
            },
            indent=1,
        ).encode("utf-8")
        atomic_write(self.out / REPORT_NAME, lambda fileobj: fileobj.write(text))

    def __repr__(self):
        return f"<RunReport: {self.summary()}>"


def _worker_address():
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return ""


def run_one(observation, func, out):
    """
    Run ``func(observation)`` and write its result: the task each worker runs.

    Returns
    -------
    dict
        The report entry of the observation.
    """
    import dask

    from irispy_plus.asdf import save

    path = output_path(out, observation.obs_id)
    start = time.perf_counter()
    entry = {"status": "done", "seconds": 0.0, "worker": _worker_address(), "error": "", "traceback": ""}
    entry["output"] = str(path)
    if is_complete(path):
        # An earlier attempt of this task wrote it before its worker was lost.
        return entry
    try:
        with dask.config.set(scheduler="synchronous"):
            result = func(observation)
            save(result, path, force=True)
    except Exception as error:
        entry.update(
            status="failed", error=f"{type(error).__name__}: {error}", traceback=traceback.format_exc()
        )
    entry["seconds"] = time.perf_counter() - start
    return entry


def _connect(client, n_workers):
    """The client to use, and what to close at the end."""
    distributed = import_optional("distributed", "dask")
    if isinstance(client, distributed.Client):
        return client, []
    if isinstance(client, str):
        try:
            connected = distributed.Client(client, timeout=f"{float(conf.scheduler_timeout)}s")
        except (OSError, TimeoutError) as error:
            msg = f"Could not connect to the dask scheduler at {client!r} ({error}): is it up and reachable?"
            raise IrispyPlusError(msg) from error
        return connected, [connected]
    if client is not None:
        msg = f"client= takes a dask.distributed Client or a scheduler address, not {type(client).__name__}."
        raise IrispyPlusError(msg)
    cluster = distributed.LocalCluster(
        n_workers=n_workers or min(4, os.cpu_count() or 1),
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    )
    local = distributed.Client(cluster)
    return local, [local, cluster]


def _progress_bar(total, progress):
    from tqdm.auto import tqdm

    wanted = sys.stderr.isatty() if progress is None else bool(progress)
    return tqdm(total=total, disable=not wanted, unit="obs", desc="irispy-plus batch", file=sys.stderr)


def run_map(archive, func, client=None, out="irispy-plus-batch", *, n_workers=None, progress=None):
    """
    Run ``func(observation)`` for every observation of an archive on a
    ``dask.distributed`` cluster, writing each result to ``OUT/<obs_id>.asdf``.

    Results are written atomically with `irispy_plus.save` (so ``func`` returns
    anything it can save: cubes, fit results, dicts, arrays). Observations whose file
    already exists are skipped, so a rerun retries only failed and unfinished ones. A
    failing observation is recorded with its traceback in the run report
    (``OUT/irispy_plus_run.json``) and does not stop the others; a lost worker's task
    runs again elsewhere.

    Parameters
    ----------
    archive : Archive
        The observations (a selection, typically).
    func : callable
        ``func(observation) -> result``; it must be picklable (a module-level function,
        or a lambda or closure, which dask sends with cloudpickle).
    client : dask.distributed.Client or str, optional
        The cluster: a client, or a scheduler address (``"tcp://host:8786"``). By
        default a `~dask.distributed.LocalCluster` of ``n_workers`` single-threaded
        worker processes is started for the run and closed after.
    out : str or pathlib.Path, optional
        The output folder (made if missing). It must be reachable from every worker
        under this path (a shared file system on a multi-machine cluster).
    n_workers : int, optional
        Workers of the local cluster; by default the CPU count, at most 4.
    progress : bool, optional
        Show a progress bar; by default when standard error is a terminal.

    Returns
    -------
    RunReport
        Counts of done, skipped and failed observations, with each failure's traceback.

    Raises
    ------
    IrispyPlusError
        If distributed is not installed, or the scheduler cannot be reached.

    Examples
    --------
    >>> from dask.distributed import Client, LocalCluster
    >>> from irispy_plus import load
    >>> from irispy_plus.archive import Archive, run_map
    >>> from irispy_plus.testing.archives import make_archive
    >>> archive = Archive(make_archive(tmp_path / "iris", n_observations=3))
    >>> def steps(obs):
    ...     return {"obs_id": obs.obs_id, "steps": obs.raster("Si IV 1403").shape[0]}
    >>> with LocalCluster(processes=False, n_workers=1, dashboard_address=":0") as cluster:
    ...     with Client(cluster) as client:
    ...         report = run_map(archive, steps, client=client, out=tmp_path / "out")
    ...         again = run_map(archive, steps, client=client, out=tmp_path / "out")
    >>> report.done, again.skipped
    (3, 3)
    >>> load(tmp_path / "out" / "20150101_000000_3600000000.asdf")
    {'obs_id': '20150101_000000_3600000000', 'steps': 8}
    """
    out = Path(out).expanduser().resolve()
    out.mkdir(parents=True, exist_ok=True)
    report = RunReport(out)
    start = time.perf_counter()
    todo = []
    for observation in archive:
        path = output_path(out, observation.obs_id)
        if is_complete(path):
            report.entries[observation.obs_id] = {
                "status": "skipped",
                "seconds": 0.0,
                "worker": "",
                "error": "",
            }
            report.entries[observation.obs_id].update(traceback="", output=str(path))
        else:
            todo.append(observation)
    log.debug("batch: %s observations to run, %s already done", len(todo), report.skipped)
    if todo:
        _run_all(todo, func, client, out, n_workers, progress, report)
    _remove_partial_files(out, [observation.obs_id for observation in todo])
    report.seconds = time.perf_counter() - start
    report.save()
    return report


def _run_all(todo, func, client, out, n_workers, progress, report):  # noqa: PLR0917
    distributed = import_optional("distributed", "dask")
    client, to_close = _connect(client, n_workers)
    run_token = uuid.uuid4().hex[:8]
    try:
        futures = {}
        for observation in todo:
            future = client.submit(
                run_one,
                observation,
                func,
                out,
                key=f"irispy-plus-{observation.obs_id}-{run_token}",
                pure=False,
            )
            futures[future] = observation.obs_id
        last_save = time.monotonic()
        with _progress_bar(len(futures), progress) as bar:
            for future in distributed.as_completed(futures):
                obs_id = futures[future]
                report.entries[obs_id] = _outcome(future)
                bar.update(1)
                if report.entries[obs_id]["status"] == "failed":
                    log.warning("batch: %s failed: %s", obs_id, report.entries[obs_id]["error"])
                if time.monotonic() - last_save > 5:
                    report.save()
                    last_save = time.monotonic()
    finally:
        _close(to_close)


def _close(closables):
    """
    Close the client and cluster this run started. Their shutdown chatter (connections
    closed under a worker's feet, workers killed after a grace period) is not the user's
    concern, so distributed's logs are quieted meanwhile.
    """
    if not closables:
        return
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        for closable in closables:
            closable.close()
    finally:
        logger.setLevel(level)


def _outcome(future):
    try:
        return future.result()
    except Exception as error:
        return {
            "status": "failed",
            "seconds": 0.0,
            "worker": "",
            "error": f"{type(error).__name__}: {error}",
            "traceback": "".join(traceback.format_exception(error)),
            "output": "",
        }
    finally:
        future.release()


def _remove_partial_files(out, obs_ids):
    """Temporary files left by killed workers where the system has no nameless files."""
    for obs_id in obs_ids:
        for partial in out.glob(f".{obs_id}.asdf.*.tmp"):
            partial.unlink(missing_ok=True)
