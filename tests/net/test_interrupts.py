"""
Whole processes: Ctrl-C during a fetch leaves nothing partial, and a script that fetches with
Fido ends quietly.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time

from irispy_plus.testing.files import files_under
from irispy_plus.testing.hcr_server import HCRTestServer

SNS_ID = "20210905_001833_3620258102"
PATIENCE = 60  # seconds; a guard against a hang, never reached when things work


def _python(code, env):
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_ctrl_c_during_a_fetch_removes_partial_files(example_events, tmp_path):
    target = tmp_path / "in"
    part = target / f"iris_l2_{SNS_ID}_raster.tar.gz.part"
    with HCRTestServer(example_events, rate=200_000) as server:  # the raster takes seconds
        process = _python(
            f"""
            import sys
            from irispy_plus.cli import main
            sys.exit(main(["fetch", "--start", "2021-09-05T01:00", "--end", "2021-09-05T02:00",
                           "--kind", "raster", "--dir", {str(target)!r}, "--no-progress"]))
            """,
            {"IRISPY_PLUS_HCR_URL": server.hcr_url, "IRISPY_PLUS_ARCHIVE_URL": server.url},
        )
        try:
            started = time.monotonic()
            while not (part.exists() and part.stat().st_size > 0):
                assert process.poll() is None, process.communicate()
                assert time.monotonic() - started < PATIENCE
                time.sleep(0.05)
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=PATIENCE)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == 130, err
    assert err.strip().splitlines()[-1] == (
        "irispy-plus fetch: error: interrupted; partial downloads and temporary files were removed"
    )
    assert "Traceback" not in err
    assert files_under(tmp_path) == []


def test_a_script_that_fetches_with_fido_ends_quietly(hcr, tmp_path):
    """No 'Exception ignored in BaseEventLoop.__del__' when a loop is collected off the main thread."""
    process = _python(
        f"""
        import gc, threading
        from sunpy.net import Fido, attrs as a
        from sunpy.net.vso import VSOClient
        import irispy_plus

        Fido.registry[VSOClient] = lambda *args: False
        found = Fido.search(a.Time("2021-09-05 01:00", "2021-09-05 02:00"), a.Instrument.iris,
                            a.iris.FileKind("sji"))
        files = Fido.fetch(found, path={str(tmp_path)!r}, progress=False)
        assert len(files) == 2 and not files.errors, files
        # A worker thread (dask, a download, an unpack) that triggers a collection:
        worker = threading.Thread(target=gc.collect)
        worker.start()
        worker.join()
        """,
        {},
    )
    _, err = process.communicate(timeout=PATIENCE)
    assert process.returncode == 0, err
    assert "Exception ignored" not in err
    assert "signal only works" not in err
    assert len(files_under(tmp_path)) == 2
