"""
The tutorial interface's rules: default names, overwriting, atomic writes, and refusing
files that try to run code.
"""

import os
import pickle
import pty
import re
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from irispy_plus.asdf import load, load_vars, save, save_vars
from irispy_plus.testing.asdf_checks import Exploding, Stalling, failing_extension
from irispy_plus.utils.exceptions import IrispyPlusError, IrispyPlusFileError

RASTER_STEM = "iris_l2_20210905_001833_3620258102_raster_t000_r00000"


# --- names ---------------------------------------------------------------------------
def test_default_names(tmp_path, si_iv, sji):
    assert save(si_iv[:2], out_dir=tmp_path).name == f"roi_{RASTER_STEM}.asdf"
    assert (
        save(sji[:, :5, :5], out_dir=tmp_path).name
        == "soi_iris_l2_20230408_110821_3880012095_SJI_1400_t000.asdf"
    )
    with pytest.raises(IrispyPlusError, match="only_poi=True"):
        save(si_iv[:2], out_dir=tmp_path, only_poi=True)


def test_asdf_appended_when_missing(tmp_path):
    assert save_vars(tmp_path / "work", a=1, verbose=False).name == "work.asdf"
    assert save_vars(tmp_path / "work.asdf", a=1, force=True, verbose=False).name == "work.asdf"
    assert save_vars(tmp_path / "work.v2", a=1, verbose=False).name == "work.v2.asdf"
    assert save_vars("rel", out_dir=tmp_path, a=1, verbose=False) == tmp_path / "rel.asdf"


def test_no_name_for_objects_without_a_source(tmp_path):
    with pytest.raises(IrispyPlusError, match="Pass filename="):
        save({"a": np.ones(2)}, out_dir=tmp_path)


def test_missing_folder(tmp_path):
    with pytest.raises(IrispyPlusFileError, match="does not exist"):
        save_vars(tmp_path / "nowhere" / "file", a=1, verbose=False)


def test_nothing_to_save(tmp_path):
    with pytest.raises(IrispyPlusError, match="no variables"):
        save_vars(tmp_path / "file")


# --- overwriting -----------------------------------------------------------------------
def test_existing_file_untouched_without_force(tmp_path):
    path = save_vars(tmp_path / "old", a=1, verbose=False)
    before = path.read_bytes()
    # pytest's stdin is not a terminal: there is no one to ask.
    with pytest.raises(IrispyPlusFileError, match="force=True"):
        save_vars(path, a=2, verbose=False)
    assert path.read_bytes() == before
    save_vars(path, a=2, force=True, verbose=False)
    assert load_vars(path, verbose=False)["a"] == 2


def _run_at_terminal(script, answer):
    """
    Run ``script`` with a pseudo-terminal as stdin, answer its question, return stdout.
    """
    primary, secondary = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", script], stdin=secondary, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        os.write(primary, answer.encode() + b"\n")
        out, err = process.communicate(timeout=120)
    finally:
        os.close(primary)
        os.close(secondary)
    assert process.returncode == 0, err.decode()
    return out.decode()


@pytest.mark.parametrize(("answer", "kept"), [("y", False), ("n", True)])
def test_asks_before_overwriting_at_a_terminal(tmp_path, answer, kept):
    path = save_vars(tmp_path / "old", a=1, verbose=False)
    script = textwrap.dedent(
        f"""
        from irispy_plus.asdf import save_vars
        print("RESULT", save_vars({str(path)!r}, a=2, verbose=False))
        """
    )
    out = _run_at_terminal(script, answer)
    assert "already exists. Overwrite it? [y/N]" in out
    assert load_vars(path, verbose=False)["a"] == (1 if kept else 2)
    assert ("RESULT None" in out) == kept


# --- atomic writes ---------------------------------------------------------------------
def _only(path):
    return sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_failure_part_way_leaves_old_file(tmp_path):
    path = save_vars(tmp_path / "old", a=np.arange(5), verbose=False)
    before = path.read_bytes()
    with failing_extension(), pytest.raises(RuntimeError, match="on purpose"):
        save_vars(path, big=np.zeros(10**6), broken=Exploding(), force=True, verbose=False)
    assert path.read_bytes() == before
    assert _only(path)
    with failing_extension(), pytest.raises(RuntimeError, match="on purpose"):
        save_vars(tmp_path / "new", broken=Exploding(), verbose=False)
    assert _only(path)


def test_full_disk_leaves_old_file(tmp_path):
    """A real 'file too large' error after 1 MB written (RLIMIT_FSIZE), in a subprocess."""
    path = save_vars(tmp_path / "old", a=np.arange(5), verbose=False)
    before = path.read_bytes()
    script = textwrap.dedent(
        f"""
        import resource, signal
        import numpy as np
        from irispy_plus.asdf import save_vars
        from irispy_plus.utils.exceptions import IrispyPlusFileError
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2**20, 2**20))
        try:
            save_vars({str(path)!r}, big=np.ones(10**6), force=True, verbose=False)
        except IrispyPlusFileError as error:
            print("ERROR", error)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert "ERROR Could not write" in out.stdout
    assert "unchanged" in out.stdout
    assert path.read_bytes() == before
    assert _only(path)


def test_killed_writer_leaves_old_file(tmp_path):
    path = save_vars(tmp_path / "old", a=np.arange(5), verbose=False)
    before = path.read_bytes()
    script = textwrap.dedent(
        f"""
        import numpy as np
        from irispy_plus.asdf import save_vars
        from irispy_plus.testing.asdf_checks import Stalling, failing_extension
        with failing_extension():
            save_vars({str(path)!r}, big=np.ones(10**6), slow=Stalling(60), force=True, verbose=False)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "stalling"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
    assert path.read_bytes() == before
    assert _only(path)


def test_permissions_kept_on_overwrite(tmp_path):
    path = save_vars(tmp_path / "shared", a=1, verbose=False)
    path.chmod(0o640)
    save_vars(path, a=2, force=True, verbose=False)
    assert path.stat().st_mode & 0o777 == 0o640
    assert Stalling(0).seconds == 0


# --- files that try to run code ------------------------------------------------------
HEADER = "#ASDF 1.0.0\n#ASDF_STANDARD 1.5.0\n%YAML 1.1\n%TAG ! tag:stsci.edu:asdf/\n--- !core/asdf-1.1.0\n"


@pytest.mark.parametrize(
    "body",
    [
        "irispy_plus_object: !!python/object/apply:os.system ['touch {marker}']\n",
        "irispy_plus_object: !!python/object/new:os.system ['touch {marker}']\n",
        "irispy_plus_object: !!python/name:os.system\n",
        "irispy_plus_variables: {{a: !!python/object/apply:os.system ['touch {marker}']}}\n",
    ],
    ids=["apply", "new", "name", "nested"],
)
def test_python_tags_are_not_run(tmp_path, body):
    marker = tmp_path / "pwned"
    path = tmp_path / "crafted.asdf"
    path.write_text(HEADER + body.format(marker=marker) + "...\n")
    reader = load_vars if "variables" in body else load
    with pytest.raises(IrispyPlusFileError, match=r"python/.*never run"):
        reader(path)
    assert not marker.exists()


def test_unknown_class_tag_is_refused(tmp_path):
    path = tmp_path / "crafted.asdf"
    path.write_text(HEADER + "irispy_plus_object: !<tag:evil.org:os/system-1.0.0> {cmd: touch}\n...\n")
    with pytest.raises(IrispyPlusFileError, match=re.escape("tag:evil.org:os/system-1.0.0")):
        load(path)


# Editing the YAML moves the binary blocks: asdf warns that its block index is stale and
# reads the blocks in order instead; the warning is about the test's edit.
@pytest.mark.filterwarnings("ignore::asdf.exceptions.AsdfBlockIndexWarning")
def test_unknown_tag_inside_a_cube_is_refused(tmp_path, sji):
    path = save(sji[:, :4, :4], tmp_path / "cube")
    text = path.read_bytes().replace(b"OBS_DESC: ", b"OBS_DESC: !<tag:evil.org:thing-1.0.0> ", 1)
    path.write_bytes(text)
    with pytest.raises(IrispyPlusFileError, match=re.escape("tag:evil.org:thing-1.0.0")):
        load(path)


class _Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("name", ["saved.pkl", "saved.jbl", "saved.asdf", "saved"])
def test_pickles_are_refused(tmp_path, name):
    marker = tmp_path / "pwned"
    path = tmp_path / name
    path.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(IrispyPlusFileError, match="never loads those"):
        load(path)
    assert not marker.exists()


def test_other_files_are_refused(tmp_path):
    path = tmp_path / "notes.asdf"
    path.write_text("hello")
    with pytest.raises(IrispyPlusFileError, match="not an ASDF file"):
        load(path)
    with pytest.raises(IrispyPlusFileError, match="does not exist"):
        load(tmp_path / "missing.asdf")


# Editing the YAML moves the binary blocks: asdf warns that its block index is stale and
# reads the blocks in order instead; the warning is about the test's edit.
@pytest.mark.filterwarnings("ignore::asdf.exceptions.AsdfBlockIndexWarning")
def test_damaged_and_invalid_files_are_refused(tmp_path, sji):
    path = save(sji[:, :4, :4], tmp_path / "cube")
    text = path.read_bytes()
    broken = tmp_path / "broken.asdf"
    broken.write_bytes(
        text.replace(b"wcs: !<asdf://irispy-plus.org/tags/iris_sji_wcs-1.0.0>", b"wcs: [unclosed", 1)
    )
    with pytest.raises(IrispyPlusFileError):
        load(broken)
    invalid = tmp_path / "invalid.asdf"
    invalid.write_bytes(text.replace(b"unit: DN_IRIS_SJI_FUV", b"unit: 12", 1))
    with pytest.raises(IrispyPlusFileError, match="schema"):
        load(invalid)


def test_object_and_variables_files_are_told_apart(tmp_path):
    variables = save_vars(tmp_path / "vars", a=1, verbose=False)
    with pytest.raises(IrispyPlusFileError, match="save_vars"):
        load(variables)
    obj = save({"a": 1}, tmp_path / "obj")
    with pytest.raises(IrispyPlusFileError, match="save"):
        load_vars(obj)
    assert load(obj) == {"a": 1}


def test_large_lazy_arrays_are_computed_into_a_file_beside_the_output(tmp_path, monkeypatch, si_iv):
    """Lazy arrays above SPILL_BYTES go through a memory-mapped file, not memory."""
    from irispy_plus.asdf.converters import _arrays

    spilled = []
    original = _arrays._spill

    def spill(array):
        out = original(array)
        spilled.append((type(out.base), _arrays.SPILL_DIR.get()))
        return out

    monkeypatch.setattr(_arrays, "SPILL_BYTES", 0)
    monkeypatch.setattr(_arrays, "_spill", spill)
    assert si_iv.is_lazy
    loaded = load(save(si_iv, tmp_path / "cube"))
    np.testing.assert_array_equal(np.asarray(loaded.data), np.asarray(si_iv.data))
    np.testing.assert_array_equal(np.asarray(loaded.mask), np.asarray(si_iv.mask))
    lazy_variable = si_iv.data[:, :, 3]
    path = save_vars(tmp_path / "vars", image=lazy_variable, verbose=False)
    np.testing.assert_array_equal(load_vars(path, verbose=False)["image"], np.asarray(lazy_variable))
    assert spilled
    assert all(kind is np.memmap and folder == str(tmp_path) for kind, folder in spilled)
    # The temporary files had no name and are gone.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cube.asdf", "vars.asdf"]


def test_no_room_to_compute_a_large_lazy_array(tmp_path):
    """Space for the temporary file is reserved first: a clear error, the old file kept."""
    path = save_vars(tmp_path / "old", a=np.arange(5), verbose=False)
    before = path.read_bytes()
    script = textwrap.dedent(
        f"""
        import resource, signal
        import dask.array as da
        from irispy_plus.asdf import save_vars
        from irispy_plus.asdf.converters import _arrays
        from irispy_plus.utils.exceptions import IrispyPlusFileError
        _arrays.SPILL_BYTES = 0
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2**20, 2**20))
        try:
            save_vars({str(path)!r}, big=da.ones((1000, 1000), chunks=100), force=True, verbose=False)
        except IrispyPlusFileError as error:
            print("ERROR", error)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert "ERROR Cannot compute a 8 MiB lazy array for writing in" in out.stdout
    assert "Free some space" in out.stdout
    assert path.read_bytes() == before
    assert _only(path)
