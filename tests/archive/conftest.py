"""
Fixtures of the archive tests: synthetic archives made from the sample files, and one
real dask LocalCluster (worker processes) shared by the batch tests.
"""

import logging

import pytest

from irispy_plus.archive._testing import make_archive


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
    """A LocalCluster of two single-threaded worker processes, shared by the session."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    ) as local:
        yield local


@pytest.fixture
def client(cluster):
    """A client of the shared cluster, with both workers up."""
    import distributed

    with distributed.Client(cluster) as connected:
        connected.wait_for_workers(2, timeout=120)
        yield connected
