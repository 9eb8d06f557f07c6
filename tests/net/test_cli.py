"""
The ``irispy-plus search`` and ``irispy-plus fetch`` commands against the loopback HCR.
"""

import pytest

from irispy_plus.cli import main
from irispy_plus.testing.files import files_under

SNS_ID = "20210905_001833_3620258102"


def test_search_prints_the_table(hcr, capsys, tmp_path):
    status = main(
        [
            "search",
            "--start",
            "2014-01-01",
            "--end",
            "2022-01-01",
            "--description",
            "dense",
            "--x-max",
            "0",
            "--kind",
            "raster",
            "--save",
            str(tmp_path / "found.ecsv"),
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "3630008076" in out
    assert "3610108077" in out
    assert "3860258481" not in out
    assert "2 files of 2 observations" in out
    assert (tmp_path / "found.ecsv").is_file()


def test_search_errors_exit_with_1_and_usage_errors_with_2(hcr, capsys):
    hcr.search_fault = "html"
    assert main(["search", "--start", "2014-01-01", "--end", "2022-01-01"]) == 1
    assert "HTML page" in capsys.readouterr().err
    assert main(["search", "--description", "x"]) == 2
    assert "--start and --end" in capsys.readouterr().err


def test_fetch_downloads_and_unpacks(hcr, capsys, tmp_path):
    status = main(
        [
            "fetch",
            "--start",
            "2021-09-05T01:00",
            "--end",
            "2021-09-05T02:00",
            "--kind",
            "raster",
            "--dir",
            str(tmp_path),
            "--no-progress",
        ]
    )
    assert status == 0
    assert files_under(tmp_path) == [f"{SNS_ID}/iris_l2_{SNS_ID}_raster_t000_r00000.fits"]
    assert capsys.readouterr().out.strip().endswith("r00000.fits")


def test_fetch_saved_results_and_report_errors(hcr, capsys, tmp_path):
    url = (
        "https://www.lmsal.com/hek/hcr?cmd=search-events3&startTime=2021-09-05T00:00"
        "&stopTime=2021-09-05T06:00"
    )
    assert main(["search", "--url", url, "--save", str(tmp_path / "r.asdf")]) == 0
    hcr.faults[
        f"/solarsoft/irisa/data/level2_compressed/2021/09/05/{SNS_ID}/iris_l2_{SNS_ID}_raster.tar.gz"
    ] = "404"
    status = main(
        [
            "fetch",
            "--results",
            str(tmp_path / "r.asdf"),
            "--kind",
            "raster",
            "--dir",
            str(tmp_path / "out"),
            "--no-progress",
        ]
    )
    assert status == 1
    assert "HTTP 404" in capsys.readouterr().err
    assert files_under(tmp_path / "out") == []


def _one_line_error(capsys):
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--start", "yesterday", "--end", "2022-01-01"], "--start 'yesterday' is not a time"),
        (["--start", "2022-01-01", "--end", "2021-01-01"], "--end 2021-01-01 is before --start"),
        (["--start", "2022-01-01"], "give --start and --end"),
    ],
)
def test_search_usage_errors(hcr, capsys, arguments, message):
    hcr.search_params.clear()
    assert main(["search", *arguments]) == 2
    assert message in _one_line_error(capsys)
    assert hcr.search_params == []


def test_search_save_where_it_cannot_be_written(hcr, capsys, tmp_path):
    (tmp_path / "file").write_text("x")
    for save in (
        "/proc/irispy-plus/found.ecsv",
        str(tmp_path / "file" / "found.ecsv"),
        str(tmp_path / "x.txt"),
    ):
        assert main(["search", "--start", "2021-09-05", "--end", "2021-09-06", "--save", save]) == 2
        assert "--save" in _one_line_error(capsys)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--retries", "-1"], "--retries must be a whole number of at least 0, not -1"),
        (["--max-conn", "-3"], "--max-conn must be a whole number of at least 1, not -3"),
        (["--dir", "/tmp/x/{oops}"], "{oops}, which is not a column"),
        (["--dir", "/proc/irispy-plus"], "Cannot write in the download folder '/proc/irispy-plus'"),
        (["--dir", "/sys/irispy-plus"], "Cannot write in the download folder '/sys/irispy-plus'"),
        (["--start", "yesterday"], "--start 'yesterday' is not a time"),
    ],
)
def test_fetch_usage_errors(hcr, capsys, tmp_path, extra, message):
    arguments = ["fetch", "--start", "2021-09-05T01:00", "--end", "2021-09-05T02:00", "--dir", str(tmp_path)]
    for index in range(0, len(extra), 2):
        position = arguments.index(extra[index]) if extra[index] in arguments else None
        if position is None:
            arguments += extra[index : index + 2]
        else:
            arguments[position + 1] = extra[index + 1]
    hcr.requests.clear()
    assert main([*arguments, "--no-progress"]) == 2
    assert message in _one_line_error(capsys)
    assert hcr.requests == []
    assert files_under(tmp_path) == []


def test_fetch_dir_at_a_file(hcr, capsys, tmp_path):
    (tmp_path / "file").write_text("x")
    status = main(
        ["fetch", "--start", "2021-09-05T01:00", "--end", "2021-09-05T02:00", "--dir", str(tmp_path / "file")]
    )
    assert status == 2
    assert "is a file, not a folder" in _one_line_error(capsys)


def test_fetch_reports_each_failure_once(hcr, capsys, tmp_path):
    path = (
        f"/solarsoft/irisa/data/level2_compressed/2021/09/05/{SNS_ID}/iris_l2_{SNS_ID}_SJI_1400_t000.fits.gz"
    )
    hcr.faults[path] = "404"
    status = main(
        [
            "fetch",
            "--start",
            "2021-09-05T01:00",
            "--end",
            "2021-09-05T02:00",
            "--kind",
            "sji",
            "--dir",
            str(tmp_path),
        ]
    )
    assert status == 1
    err = capsys.readouterr().err
    assert err.count("HTTP 404") == 1
    assert "Traceback" not in err
    assert "failed to download" not in err


def test_fetch_dir_template_cannot_climb_out(hcr, capsys, tmp_path):
    from irispy_plus.testing.hcr_events import make_event, rewrite_urls

    bad = make_event(
        "20200101_001000_3600000002", "2020-01-01T00:40:00", bands=("1400",), description="../../x"
    )
    hcr.events = rewrite_urls([bad], hcr.url)
    status = main(
        [
            "fetch",
            "--start",
            "2020-01-01T00:00",
            "--end",
            "2020-01-01T01:00",
            "--kind",
            "sji",
            "--dir",
            str(tmp_path / "in" / "{description}" / "{file}"),
            "--no-progress",
        ]
    )
    assert status == 1
    err = capsys.readouterr().err
    assert "{description} '../../x'" in err
    assert "Traceback" not in err
    assert files_under(tmp_path) == []
