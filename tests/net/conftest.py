"""
Fixtures of the net tests: a loopback HCR and archive, and Fido without the VSO.
"""

import gc
import json
from pathlib import Path

import pytest

from irispy_plus.net import conf
from irispy_plus.testing.hcr_server import HCRTestServer

EXAMPLE = Path(__file__).parent.parent / "data" / "search-events3_example.json"


@pytest.fixture(scope="session")
def example_events():
    """The four events of the recorded HCR answer."""
    return json.loads(EXAMPLE.read_text())["Events"]


@pytest.fixture(scope="session")
def _server(example_events):
    with HCRTestServer(example_events) as server:
        yield server


@pytest.fixture
def hcr(_server, monkeypatch):
    """The loopback HCR, with the client pointed at it, short time-outs and no faults."""
    monkeypatch.setenv("IRISPY_PLUS_HCR_URL", _server.hcr_url)
    monkeypatch.setenv("IRISPY_PLUS_ARCHIVE_URL", _server.url)
    _server.reset()
    events = list(_server.events)
    with conf.set_temp("timeout", 2.0), conf.set_temp("retries", 0):
        yield _server
    _server.events = events
    _server.reset()


@pytest.fixture
def no_vso():
    """Keep the VSO client out of Fido (offline it fails when Fido builds it)."""
    from sunpy.net import Fido
    from sunpy.net.vso import VSOClient

    Fido.registry[VSOClient] = lambda *args: False
    yield
    Fido.registry[VSOClient] = VSOClient._can_handle_query
    # A retry through Fido.fetch(results) runs a parfive downloader that irispy-plus never
    # sees, which leaves its event loop open: collect it here, in the main thread (collected
    # later in another thread, it cannot remove its signal handlers and raises there).
    gc.collect()
