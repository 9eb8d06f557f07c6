"""
The irispy-plus command, run in-process on the bundled sample, and in a subprocess for
its exit statuses, its start-up and Ctrl-C.
"""

import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from matplotlib.image import imread

from irispy_plus.cli import main
from irispy_plus.data import sample


def test_summary_writes_figures_with_world_axes(tmp_path, capsys):
    assert main(["summary", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "OBSID 3620258102" in out
    spectroheliogram = tmp_path / "spectroheliogram_Si_IV_1403.png"
    slit_jaw = tmp_path / "slitjaw_SJI_1400.png"
    assert str(spectroheliogram.resolve()) in out
    assert str(slit_jaw.resolve()) in out
    for path in (spectroheliogram, slit_jaw):
        image = imread(path)
        assert image.shape[0] > 300
        assert image.shape[1] > 300
        assert np.ptp(image[..., :3]) > 0.5  # not a blank figure


def test_summary_of_a_raster_series(tmp_path, capsys):
    files = [str(path) for path in sample.RASTER_SERIES]
    assert main(["summary", *files, "--out", str(tmp_path), "--window", "Mg II k 2796"]) == 0
    assert (tmp_path / "spectroheliogram_Mg_II_k_2796.png").exists()


def test_summary_names_a_missing_window(tmp_path, capsys):
    assert main(["summary", str(sample.RASTER), "--out", str(tmp_path), "--window", "Ca II"]) == 1
    assert "No window 'Ca II'" in capsys.readouterr().err


def test_info_prints_windows_header_and_aux(capsys):
    assert main(["info", str(sample.RASTER), "--header", "-2", "--aux"]) == 0
    out = capsys.readouterr().out
    assert "Si IV 1403" in out
    assert "XCENIX" in out
    assert "OBS_VRIX" in out


def test_info_of_a_file_that_is_not_iris(tmp_path, capsys):
    path = tmp_path / "x.fits"
    path.write_bytes(b"not fits")
    assert main(["info", str(path)]) == 1
    assert "could not be read as a FITS file" in capsys.readouterr().err


def test_unknown_command_exits_with_usage(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["frobnicate"])
    assert raised.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("irispy-plus: usage error: argument command: invalid choice: 'frobnicate'")


def test_version(capsys):
    from irispy_plus import __version__

    with pytest.raises(SystemExit) as raised:
        main(["--version"])
    assert raised.value.code == 0
    assert capsys.readouterr().out.strip() == f"irispy-plus {__version__}"


def test_fit_saves_the_result_and_draws_its_maps(tmp_path, capsys):
    from irispy_plus.asdf import load
    from irispy_plus.fitting import FitResult

    assert main(["fit", "--out", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    # The save is reported once, on stdout; no INFO log line by default.
    assert (out + err).count(".asdf") == 1
    assert "INFO" not in err
    assert "Si IV 1403: fitted 872 spectra" in out
    assert "Doppler velocity: median" in out
    (saved,) = tmp_path.glob("fit_Si_IV_1403_*.asdf")
    result = load(saved)
    assert isinstance(result, FitResult)
    assert result.shape == (8, 109)
    for name in ("intensity_Si_IV_1403.png", "velocity_Si_IV_1403.png"):
        image = imread(tmp_path / name)
        assert np.ptp(image[..., :3]) > 0.5  # not a blank figure


def test_fit_mg_ii_and_any_line(tmp_path, capsys):
    assert (
        main(["fit", "--window", "Mg II k 2796", "--components", "4", "--out", str(tmp_path), "--no-save"])
        == 0
    )
    assert "Mg II k 2796: fitted 872 spectra" in capsys.readouterr().out
    assert not list(tmp_path.glob("*.asdf"))
    # A window without a preset needs the line's rest wavelength.
    assert main(["fit", "--window", "C II 1336", "--out", str(tmp_path)]) == 1
    assert "--rest" in capsys.readouterr().err
    assert main(["fit", "--window", "C II 1336", "--rest", "1500", "--out", str(tmp_path)]) == 1
    assert "--rest 1500.0 Å is outside the C II 1336 window" in capsys.readouterr().err
    assert main(["fit", "--window", "C II 1336", "--rest", "1335.708", "--out", str(tmp_path)]) == 0
    assert "C II 1336: fitted 872 spectra" in capsys.readouterr().out


def test_fit_refuses_a_model_the_line_does_not_take(tmp_path, capsys):
    assert main(["fit", "--components", "4", "--out", str(tmp_path)]) == 1
    assert "Si IV is fitted with 1, 2 or 3 Gaussians" in capsys.readouterr().err
    assert main(["fit", str(sample.SJI_1400), "--out", str(tmp_path)]) == 1
    assert "slit-jaw images only" in capsys.readouterr().err


def test_fit_corrects_for_the_observer_on_request(tmp_path, capsys):
    medians = []
    for extra in ([], ["--observer"]):
        assert main(["fit", "--no-save", "--out", str(tmp_path), *extra]) == 0
        line = next(x for x in capsys.readouterr().out.splitlines() if "Doppler velocity: median" in x)
        medians.append(float(line.split("median")[1].split("km/s")[0]))
    # The sample's OBS_VRIX is about +1.2 km/s: the corrected velocities are that much lower.
    assert medians[1] - medians[0] == pytest.approx(-1.15, abs=0.3)


def test_verbose_prints_info_log_lines_once(tmp_path, capsys):
    from irispy_plus.utils.logger import log

    assert main(["fit", "-v", "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert err.count("irispy-plus: INFO: Saved FitResult to") == 1
    # The command's handler and level do not outlive it.
    assert log.level == 0
    assert all(type(handler).__name__ == "NullHandler" for handler in log.handlers)


def test_log_level_config_item():
    import logging

    from irispy_plus.cli import _set_up_logging
    from irispy_plus.utils.config import conf
    from irispy_plus.utils.logger import log

    for item, verbose, level in (
        ("WARNING", 0, logging.WARNING),
        ("INFO", 0, logging.INFO),
        ("ERROR", 2, 10),
    ):
        with conf.set_temp("log_level", item):
            handler = _set_up_logging(verbose)
        try:
            assert log.level == level
            assert not log.propagate
        finally:
            log.removeHandler(handler)
            log.setLevel(logging.NOTSET)
            log.propagate = True


# --- in a subprocess: exit statuses, start-up, Ctrl-C --------------------------------
def _run(*arguments, timeout=120, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "irispy_plus.cli", *arguments],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **kwargs,
    )


def _one_line(result, status, text):
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert text in line
    return line


def test_usage_errors_exit_2_in_one_line():
    _one_line(_run("summary", "--bogus"), 2, "unrecognized arguments: --bogus")
    _one_line(_run(), 2, "the following arguments are required: command")
    _one_line(_run("fit", "--components", "two"), 2, "invalid int value: 'two'")


def test_output_folder_that_cannot_be_written_exits_1_before_any_work(tmp_path):
    a_file = tmp_path / "a_file"
    a_file.write_text("not a folder")
    cases = [
        (["summary", "--out", "/proc/irispy-plus/out"], "cannot create the folder"),
        (["summary", "--out", "/proc"], "cannot write in /proc"),
        (["summary", "--out", str(a_file)], "this is a file, not a folder"),
        (["summary", "--out", str(a_file / "below")], "cannot create the folder"),
    ]
    for arguments, text in cases:
        line = _one_line(_run(*arguments), 1, text)
        assert line.startswith("irispy-plus summary: error: --out ")
    assert a_file.read_text() == "not a folder"


def test_an_os_error_of_any_sub_command_is_one_line(tmp_path, capsys):
    # fit does not check its folder first: main's generic handling still gives one line.
    a_file = tmp_path / "a_file"
    a_file.write_text("not a folder")
    assert main(["fit", "--no-save", "--out", str(a_file)]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("irispy-plus fit: error: ")
    assert str(a_file) in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in read-only folders")
def test_read_only_output_folder_exits_1(tmp_path):
    read_only = tmp_path / "read_only"
    read_only.mkdir(mode=0o500)
    try:
        _one_line(_run("summary", "--out", str(read_only)), 1, "cannot write in")
        _one_line(_run("summary", "--out", str(read_only / "new")), 1, "cannot create the folder")
    finally:
        read_only.chmod(0o700)
    assert not list(read_only.iterdir())


def test_output_file_check(tmp_path):
    from irispy_plus.cli._common import output_file
    from irispy_plus.utils import IrispyPlusFileError

    assert output_file(tmp_path / "results.ecsv") == tmp_path / "results.ecsv"
    for path, text in (
        (tmp_path, "this is a folder"),
        (tmp_path / "missing" / "results.ecsv", "does not exist"),
        ("/proc/results.ecsv", "cannot write in /proc"),
        ("/dev/null", "not a regular file"),
    ):
        with pytest.raises(IrispyPlusFileError, match=text):
            output_file(path)


#: A shell that starts a job in the background (``cmd &``) ignores SIGINT, and so would
#: the children: the interrupted commands put Python's own Ctrl-C handler back first.
_RESTORE_CTRL_C = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)\n"

_STALLING_COMMAND = _RESTORE_CTRL_C + textwrap.dedent(
    """
    import sys, time
    import irispy_plus.cli as cli

    def add_parser(subparsers):
        parser = subparsers.add_parser("stall")
        parser.set_defaults(func=lambda args: print("stalling", flush=True) or time.sleep(60))

    build = cli.build_parser
    def build_parser():
        parser = build()
        add_parser(parser._subparsers._group_actions[0])
        return parser
    cli.build_parser = build_parser
    sys.exit(cli.main(["stall"]))
    """
)


def _interrupt(process, ready):
    """Wait for the line ``ready``, send SIGINT, return (status, stderr)."""
    try:
        line = process.stdout.readline()
        assert ready in line, line + process.stderr.read()
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
        process.stderr.close()
    return process.returncode, err


def test_ctrl_c_exits_130_in_one_line():
    process = subprocess.Popen(
        [sys.executable, "-c", _STALLING_COMMAND], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    status, err = _interrupt(process, "stalling")
    assert status == 130
    assert err.splitlines() == ["irispy-plus stall: interrupted"]


def test_view_stops_on_ctrl_c():
    pytest.importorskip("pyqtgraph")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _RESTORE_CTRL_C
            + f"import sys, irispy_plus.cli as cli; sys.exit(cli.main(['view', {str(sample.SJI_1400)!r}]))",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    # Before this change the Qt event loop swallowed SIGINT: communicate() timed out.
    status, err = _interrupt(process, "Playing")
    assert status == 130
    assert "Traceback" not in err
    assert err.splitlines()[-1] == "irispy-plus view: interrupted"


def test_building_the_parser_imports_nothing_heavy():
    code = textwrap.dedent(
        """
        import sys
        from irispy_plus.cli import build_parser
        parser = build_parser()
        for subparser in parser._subparsers._group_actions[0].choices.values():
            subparser.format_help()
        heavy = ("astropy", "sunpy", "ndcube", "sunraster", "matplotlib", "asdf", "dask", "scipy", "PyQt6")
        print(sorted({name.split(".")[0] for name in sys.modules} & set(heavy)))
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
