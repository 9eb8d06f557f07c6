"""
The ``irispy-plus search`` and ``irispy-plus fetch`` commands against the loopback HCR.
"""

from irispy_plus.cli import main
from irispy_plus.net._testing import files_under

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
