"""
Fixtures of the archive tests: synthetic archives made from the sample files, and one
real dask LocalCluster (worker processes) shared by the batch tests.
"""

import logging

import pytest

from irispy_plus.testing.archives import make_archive, warm_up


@pytest.fixture(scope="session")
def archive_root(tmp_path_factory):
    """20 observations in Fido's layout (every 5th a sit-and-stare). Do not modify."""
    return make_archive(tmp_path_factory.mktemp("archive") / "iris", n_observations=20)


@pytest.fixture
def fresh_root(tmp_path):
    """A small archive of one's own, to change."""
    return make_archive(tmp_path / "iris", n_observations=4)


@pytest.fixture(scope="session")
def cluster():
    """
    A LocalCluster of two single-threaded worker processes, shared by the session.

    Workers are forked from a fork server that has imported irispy-plus once, so that
    starting them, and restarting one that a test kills, takes no import time.
    """
    distributed = pytest.importorskip("distributed")
    import dask
    from distributed.utils import get_mp_context

    with dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"}):
        get_mp_context().set_forkserver_preload(
            ["distributed", "irispy_plus.archive", "irispy_plus.asdf", "irispy_plus.fitting"]
        )
        with distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        ) as local:
            with distributed.Client(local) as client:
                client.wait_for_workers(2, timeout=120)
                client.run(warm_up)
            yield local


@pytest.fixture
def client(cluster):
    """A client of the shared cluster, with both workers up."""
    import distributed

    with distributed.Client(cluster) as connected:
        connected.wait_for_workers(2, timeout=120)
        yield connected
