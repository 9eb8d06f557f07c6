"""
Hostile and damaged ASDF files, each crafted in the test, and values `save_vars` cannot
keep: every one ends in a named error that names the file, quickly, with bounded memory,
and nothing half-written is left behind.
"""

import re
import struct
import subprocess
import sys
import textwrap

import asdf
import numpy as np
import pytest

from irispy_plus.asdf import load, load_vars, save, save_vars
from irispy_plus.utils.exceptions import IrispyPlusError, IrispyPlusFileError, IrispyPlusUsageError

HEADER = "#ASDF 1.0.0\n#ASDF_STANDARD 1.5.0\n%YAML 1.1\n%TAG ! tag:stsci.edu:asdf/\n--- !core/asdf-1.1.0\n"


def _billion_laughs(levels=9):
    """A few hundred bytes whose aliases expand to 10**levels strings."""
    lines = ["irispy_plus_variables:", "  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        aliases = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"  l{level}: &l{level} [{aliases}]")
    return HEADER + "\n".join(lines) + "\n...\n"


def _crafted(tmp_path, body, name="crafted.asdf"):
    path = tmp_path / name
    path.write_text(HEADER + body + "...\n" if not body.startswith("#ASDF") else body)
    return path


# --- checksums -------------------------------------------------------------------------
def _flip_a_data_byte(path, array_bytes):
    raw = bytearray(path.read_bytes())
    start = raw.index(array_bytes)
    raw[start + len(array_bytes) // 2] ^= 0x10
    path.write_bytes(bytes(raw))


def test_a_flipped_byte_in_a_block_is_named(tmp_path, sji):
    values = np.arange(1000.0)
    path = save_vars(tmp_path / "vars", values=values, verbose=False)
    _flip_a_data_byte(path, values.tobytes())
    with pytest.raises(
        IrispyPlusFileError, match=r"vars\.asdf is damaged: a block .* does not match its checksum"
    ):
        load_vars(path)
    cube = sji[:, :8, :8]
    path = save(cube, tmp_path / "cube")
    _flip_a_data_byte(path, np.asarray(cube.data).tobytes())
    with pytest.raises(IrispyPlusFileError, match=r"cube\.asdf is damaged: a block"):
        load(path)


# --- YAML aliases, self-references, nesting ----------------------------------------------
def test_billion_laughs_is_refused_quickly_in_bounded_memory(tmp_path):
    path = tmp_path / "laughs.asdf"
    path.write_text(_billion_laughs())
    assert path.stat().st_size < 700
    code = textwrap.dedent(
        f"""
        import resource
        from irispy_plus.asdf import load_vars
        from irispy_plus.utils import IrispyPlusFileError
        load_vars  # imported: what follows is the load alone
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            load_vars({str(path)!r})
        except IrispyPlusFileError as error:
            print(error)
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        print(grown // 1024)
        """
    )
    # Before the check this took 102 s and 725 MB; a hang fails on the time-out.
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    message, grown_mib = result.stdout.strip().splitlines()
    assert "laughs.asdf: its YAML aliases expand the tree" in message
    assert int(grown_mib) < 50


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("irispy_plus_variables: {x: &a [*a]}\n", r"contains itself \(YAML alias \*a inside &a\)"),
        ("irispy_plus_variables: &top {x: {y: *top}}\n", "contains itself"),
        ("irispy_plus_object: &a {x: *a}\n", "contains itself"),
        ("irispy_plus_variables: {x: " + "[" * 5000 + "]" * 5000 + "}\n", "nests its tree more than"),
    ],
    ids=["list", "mapping", "object", "deep"],
)
def test_trees_without_end_are_refused(tmp_path, body, text):
    path = _crafted(tmp_path, body)
    reader = load if "object" in body else load_vars
    with pytest.raises(IrispyPlusFileError, match=re.escape(str(path)) + ".*" + text):
        reader(path)


def test_aliases_within_bounds_still_load(tmp_path):
    path = _crafted(tmp_path, "irispy_plus_variables: {a: &a [1, 2], b: *a, c: {d: *a}}\n")
    assert load_vars(path, verbose=False) == {"a": [1, 2], "b": [1, 2], "c": {"d": [1, 2]}}


# --- arrays that declare more than they hold ---------------------------------------------
@pytest.mark.filterwarnings("ignore::asdf.exceptions.AsdfBlockIndexWarning")  # the edit moves the blocks
@pytest.mark.parametrize(
    "shape", ["[1000000000000]", "[100000, 100000, 100000]", "[10000000000000000000000]"]
)
def test_huge_declared_shape(tmp_path, shape):
    path = save_vars(tmp_path / "vars", a=np.arange(10.0), verbose=False)
    path.write_bytes(path.read_bytes().replace(b"shape: [10]", f"shape: {shape}".encode(), 1))
    for reader in (load_vars, load):
        with pytest.raises(IrispyPlusFileError, match=re.escape(str(path))):
            reader(path)


def test_compressed_block_declaring_a_huge_size(tmp_path):
    from irispy_plus.utils.config import conf

    path = tmp_path / "zipped.asdf"
    asdf.AsdfFile({"irispy_plus_variables": {"a": np.zeros(1000)}}).write_to(
        path, all_array_compression="zlib"
    )
    raw = bytearray(path.read_bytes())
    block = raw.index(b"\xd3BLK")
    # The header: magic, its size, flags, compression, allocated, used, data_size, checksum.
    raw[block + 6 + 24 : block + 6 + 32] = struct.pack(">Q", 2**50)
    path.write_bytes(bytes(raw))
    with pytest.raises(IrispyPlusFileError, match=r"zipped\.asdf: a compressed block declares"):
        load_vars(path)
    # Under the limit, asdf itself names the mismatch.
    with conf.set_temp("max_decompressed_size", 2**51), pytest.raises(IrispyPlusFileError, match="zipped"):
        load_vars(path)


# --- save_vars: what cannot be kept is named, and nothing is written -----------------
def test_a_dict_that_holds_itself(tmp_path):
    looped = {"a": 1}
    looped["self"] = looped
    nested = [1, [2]]
    nested[1].append(nested)
    for value in (looped, nested):
        with pytest.raises(IrispyPlusError, match="holds itself"):
            save_vars(tmp_path / "loop", value=value, verbose=False)
    assert not list(tmp_path.iterdir())
    # The same object twice is no cycle.
    shared = [1, 2]
    path = save_vars(tmp_path / "shared", a={"x": shared, "y": shared}, verbose=False)
    assert load_vars(path, verbose=False)["a"] == {"x": [1, 2], "y": [1, 2]}


def test_file_names_the_system_cannot_hold(tmp_path):
    with pytest.raises(IrispyPlusError, match="NUL character"):
        save_vars(str(tmp_path / "bad\0name"), a=1, verbose=False)
    with pytest.raises(IrispyPlusError, match="bytes long"):
        save_vars(tmp_path / ("x" * 300), a=1, verbose=False)
    with pytest.raises(IrispyPlusError, match="bytes long"):
        save(np.ones(2), tmp_path / ("y" * 250))
    assert not list(tmp_path.iterdir())


def test_variable_names_must_be_identifiers(tmp_path):
    for name in ("a\0b", "two words", "1st", ""):
        with pytest.raises(IrispyPlusUsageError, match="not a Python identifier"):
            save_vars(tmp_path / "v", verbose=False, **{name: 1})
    assert not list(tmp_path.iterdir())


def test_positional_values_iris_lmsalpy_form(tmp_path):
    a, b = np.arange(3), "note"
    with pytest.raises(IrispyPlusUsageError, match=re.escape("save_vars(filename, a=a, b=b)")):
        save_vars(tmp_path / "v", a, b)
    with pytest.raises(IrispyPlusUsageError, match="2 values without names \\(1 varnames\\)"):
        save_vars(tmp_path / "v", a, b, varnames=["a"])
    assert not list(tmp_path.iterdir())
    path = save_vars(tmp_path / "v", a, b, varnames=["a", "b"], c=2.5, verbose=False)
    loaded = load_vars(path, verbose=False)
    assert list(loaded) == ["a", "b", "c"]
    np.testing.assert_array_equal(loaded["a"], a)
    assert loaded["b"] == "note"


def test_nesting_that_load_would_refuse_is_not_saved(tmp_path):
    from irispy_plus.asdf._reading import MAX_DEPTH

    def nested(depth):
        outer = inner = []
        for _ in range(depth):
            inner.append([])
            inner = inner[0]
        return outer

    path = save_vars(tmp_path / "deep", v=nested(MAX_DEPTH - 12), verbose=False)
    assert len(load_vars(path, verbose=False)["v"]) == 1
    with pytest.raises(IrispyPlusError, match="nested more than"):
        save_vars(tmp_path / "deeper", v=nested(MAX_DEPTH), verbose=False)
    assert not (tmp_path / "deeper.asdf").exists()
