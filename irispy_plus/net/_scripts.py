"""
Write the download and unpack scripts of the ``text_files`` option (as the IRIS tutorial's
``hcr2fits`` does), for users who prefer to edit and run the commands by hand.
"""

import shlex
import stat
from pathlib import Path

__all__ = ["write_scripts"]

_HEADER = """#!/bin/sh
# {what} IRIS Level 2 files found with irispy-plus; edit freely, then run: sh {name}
set -e
cd "$(dirname "$0")"
"""


def _make_executable(path):
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def write_scripts(targets, directory):
    """
    Write ``download_iris.sh`` and ``unpack_iris.sh`` for the given files.

    The download script fetches each file with ``curl`` (retries, time-outs) to a ``.part``
    name and renames it when complete; the unpack script tests each gzip stream, unpacks
    ``.fits.gz`` to ``.fits`` through a temporary name and ``raster.tar.gz`` into the
    folder of its observation (GNU and BSD tar refuse members that leave the folder).

    Parameters
    ----------
    targets : iterable of irispy_plus.net._download.FileTarget
        The files.
    directory : path-like
        Where to write the scripts (and where they put the files).

    Returns
    -------
    tuple of pathlib.Path
        The download script and the unpack script.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from irispy_plus.net._download import FileTarget
    >>> from irispy_plus.net._scripts import write_scripts
    >>> folder = Path(tempfile.mkdtemp())
    >>> url = ("https://www.lmsal.com/solarsoft/irisa/data/level2_compressed/2021/09/05/"
    ...        "20210905_001833_3620258102/iris_l2_20210905_001833_3620258102_raster.tar.gz")
    >>> download, unpack = write_scripts([FileTarget(url, folder, "20210905_001833_3620258102")], folder)
    >>> "curl" in download.read_text(), "tar" in unpack.read_text()
    (True, True)
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    download_lines = [_HEADER.format(what="Download", name="download_iris.sh")]
    unpack_lines = [_HEADER.format(what="Unpack", name="unpack_iris.sh")]
    for target in targets:
        name = shlex.quote(target.filename)
        download_lines.append(
            f"[ -f {name} ] || {{ curl --fail --location --retry 3 --connect-timeout 60 "
            f"--output {name}.part {shlex.quote(target.url)} && mv {name}.part {name}; }}"
        )
        folder = shlex.quote(target.folder)
        unpack_lines.append(f"gzip -t {name}")
        unpack_lines.append(f"mkdir -p {folder}")
        if target.filename.endswith(".tar.gz"):
            unpack_lines.append(f"tar -xzf {name} --no-same-owner -C {folder}")
        else:
            fits = shlex.quote(target.filename.removesuffix(".gz"))
            unpack_lines.append(
                f"gzip -dc {name} > {folder}/{fits}.part && mv {folder}/{fits}.part {folder}/{fits}"
            )
    paths = (directory / "download_iris.sh", directory / "unpack_iris.sh")
    for path, lines in zip(paths, (download_lines, unpack_lines), strict=True):
        path.write_text("\n".join(lines) + "\n")
        _make_executable(path)
    return paths
