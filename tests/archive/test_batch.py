"""
Batch work over an archive on a real dask LocalCluster (worker processes): results,
failures, reruns, a worker killed mid-task, a client killed mid-run, and ``batch fit``.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from irispy_plus import load, read_cube
from irispy_plus.archive import Archive
from irispy_plus.archive._batch import REPORT_NAME, run_map
from irispy_plus.cli import main
from irispy_plus.fitting import FitResult, fit_siiv
from irispy_plus.testing.archives import SlowJob, make_archive
from irispy_plus.utils.config import conf
from irispy_plus.utils.exceptions import IrispyPlusError

pytest.importorskip("distributed")
pytestmark = pytest.mark.slow  # real worker processes: about 50 s for the module on 2 busy cores


def _outputs(out):
    """Every file in ``out`` but the report."""
    return sorted(path.name for path in out.iterdir() if path.name != REPORT_NAME and path.name != "marks")


def _check_complete(out, obs_ids):
    """One complete, loadable result per observation, and nothing else."""
    assert _outputs(out) == sorted(f"{obs_id}.asdf" for obs_id in obs_ids)
    for obs_id in obs_ids:
        assert load(out / f"{obs_id}.asdf")["obs_id"] == obs_id


def test_results_failures_and_rerun(archive_root, client, tmp_path, capsys):
    archive = Archive(archive_root).select(time=("2015-01-01", "2015-01-06"))
    ids = archive.obs_ids
    assert len(ids) == 5
    out = tmp_path / "out"
    report = archive.map(SlowJob(0.05, fail=[ids[2]]), client=client, out=out, progress=False)
    assert (report.done, report.skipped, report.failed) == (4, 0, 1)
    assert "ValueError: failing on purpose" in report.failures[ids[2]]
    assert "archives.py" in report.failures[ids[2]]  # the traceback of the function
    _check_complete(out, [i for i in ids if i != ids[2]])
    saved = json.loads((out / REPORT_NAME).read_text())
    assert saved["summary"] == {"done": 4, "skipped": 0, "failed": 1}
    assert saved["observations"][ids[2]]["traceback"] == report.failures[ids[2]]
    assert list(report.table["status"]).count("done") == 4

    # A rerun (through the scheduler's address) skips the finished, retries the failed.
    rerun = run_map(archive, SlowJob(0.05), client=client.scheduler.address, out=out, progress=True)
    assert (rerun.done, rerun.skipped, rerun.failed) == (1, 4, 0)
    assert "irispy-plus batch: 100%" in capsys.readouterr().err  # the progress bar, 1 of 1
    assert rerun.entries[ids[2]]["status"] == "done"
    _check_complete(out, ids)
    assert "1 done, 4 skipped" in rerun.summary()


def test_default_local_cluster(archive_root, cluster, tmp_path):
    # No client: a LocalCluster of its own is started for the run and closed after.
    # (Requesting ``cluster`` forks its workers from the tests' warm fork server.)
    archive = Archive(archive_root)[:3]
    report = archive.map(SlowJob(), out=tmp_path, n_workers=1, progress=False)
    assert (report.done, report.failed) == (3, 0)
    workers = {entry["worker"] for entry in report.entries.values()}
    assert len(workers) == 1
    assert workers.isdisjoint(cluster.scheduler_info["workers"])
    _check_complete(tmp_path, archive.obs_ids)


def test_unsaveable_results_and_unreachable_scheduler(archive_root, client, tmp_path):
    archive = Archive(archive_root)[:2]
    report = archive.map(lambda obs: object(), client=client, out=tmp_path, progress=False)
    assert report.failed == 2
    assert all("Could not save" in entry["error"] for entry in report.entries.values())
    assert _outputs(tmp_path) == []  # nothing half-written
    with conf.set_temp("scheduler_timeout", 1.0), pytest.raises(IrispyPlusError, match="Could not connect"):
        archive.map(SlowJob(), client="tcp://127.0.0.1:9", out=tmp_path)
    with pytest.raises(IrispyPlusError, match="client= takes"):
        archive.map(SlowJob(), client=42, out=tmp_path)


def test_a_worker_killed_mid_task_loses_and_duplicates_nothing(archive_root, client, tmp_path):
    archive = Archive(archive_root)
    ids = archive.obs_ids
    victims = [ids[7]]
    marks = tmp_path / "marks"
    out = tmp_path / "out"
    before = set(client.run(os.getpid).values())
    report = archive.map(SlowJob(0.1, die_once=victims, marks=marks), client=client, out=out, progress=False)
    assert (report.done, report.failed) == (20, 0)
    for victim in victims:
        assert (marks / f"died_{victim}").exists()  # its worker was killed mid-task
        calls = sorted((marks / "calls").glob(f"{victim}.*"), key=lambda path: int(path.name.split(".")[2]))
        assert len(calls) == 2  # and the task ran again
        pid_of_rerun = load(out / f"{victim}.asdf")["pid"]
        assert int(calls[0].name.split(".")[1]) != pid_of_rerun
    survivors = [i for i in ids if i not in victims]
    assert all(len(list((marks / "calls").glob(f"{obs_id}.*"))) == 1 for obs_id in survivors)
    _check_complete(out, ids)
    client.wait_for_workers(2, timeout=120)
    assert set(client.run(os.getpid).values()) != before  # the nanny started new workers


def test_killing_the_client_and_rerunning_resumes(archive_root, client, tmp_path):
    out = tmp_path / "out"
    script = textwrap.dedent(
        f"""
        from irispy_plus.archive import Archive
        from irispy_plus.testing.archives import SlowJob
        archive = Archive({str(archive_root)!r})
        archive.map(SlowJob(0.4), client={client.scheduler.address!r}, out={str(out)!r})
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and process.poll() is None:
            if out.is_dir() and len(_outputs(out)) >= 4:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the client finished before it could be killed"
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    finished = _outputs(out)
    assert 4 <= len(finished) < 20
    for name in finished:  # whatever was written is complete
        assert load(out / name)["obs_id"] == name.removesuffix(".asdf")
    report = Archive(archive_root).map(SlowJob(0.05), client=client, out=out, progress=False)
    assert report.skipped >= len(finished)
    assert report.done + report.skipped == 20
    assert report.failed == 0
    _check_complete(out, Archive(archive_root).obs_ids)


def test_batch_fit_command(client, tmp_path, capsys):
    root = make_archive(tmp_path / "iris", n_observations=3, sit_and_stare_every=0)
    out = tmp_path / "fits"
    argv = ["batch", "fit", str(root), "--window", "Si IV 1403", "--out", str(out)]
    argv += ["--scheduler", client.scheduler.address, "--no-progress"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "3 of 3 observations have 'Si IV 1403'" in text
    assert "3 done, 0 skipped (already done), 0 failed" in text
    obs = Archive(root)[1]
    result = load(out / f"{obs.obs_id}.asdf")
    assert isinstance(result, FitResult)
    direct = fit_siiv(read_cube(obs.raster_files, "Si IV 1403"), plot=False, progress=False)
    good = np.asarray(direct.converged)
    assert good.sum() > 100
    np.testing.assert_allclose(np.asarray(result.values)[good], np.asarray(direct.values)[good], rtol=1e-4)

    assert main(argv) == 0
    assert "0 done, 3 skipped (already done), 0 failed" in capsys.readouterr().out

    assert main([*argv[:5], "--components", "2", "--window", "Mg II k 2796", "--out", str(out)]) == 1
    assert "one --window" in capsys.readouterr().err
    assert (
        main(["batch", "fit", str(root), "--window", "Mg II k 2796", "--components", "2", "--out", str(out)])
        == 1
    )
    assert "4, 5 or 7 Gaussians" in capsys.readouterr().err
