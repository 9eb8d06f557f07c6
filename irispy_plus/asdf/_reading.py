"""
Reading ASDF files safely.

Before asdf parses a file, it is checked here:

- it must be a regular file that starts with ``#ASDF`` (pickles and joblib files are
  refused by name: loading one runs code);
- its YAML tree is scanned event by event, without building it: an alias to a node that
  is still open (``x: &a [*a]``) is refused, nesting deeper than `MAX_DEPTH` is refused,
  and the nodes the aliases would add when the tree is walked are counted, and the file
  refused as soon as they pass `MAX_ALIAS_NODES` plus `MAX_ALIAS_RATIO` times the nodes
  written so far (a "billion laughs" file of a few hundred bytes expands to billions of
  nodes; a collection whose cubes share tables adds a few times its own size);
- compressed blocks may not declare more than the ``max_decompressed_size``
  configuration item.

asdf then opens the file with every block's checksum verified, tags no installed package
reads refused, and each schema validated. Every failure becomes an
`~irispy_plus.utils.IrispyPlusFileError` that names the file.
"""

import struct
import warnings
from pathlib import Path

import numpy as np

from irispy_plus.utils.exceptions import IrispyPlusError, IrispyPlusFileError

__all__ = ["MAX_ALIAS_NODES", "MAX_ALIAS_RATIO", "MAX_DEPTH", "MAX_TREE_BYTES", "check_tree", "read_tree"]

#: The most nodes YAML aliases may add to a tree, beyond `MAX_ALIAS_RATIO` times the
#: nodes written in the file: work stays proportional to the file's size.
MAX_ALIAS_NODES = 1_000_000
MAX_ALIAS_RATIO = 10
#: The deepest nesting of a tree.
MAX_DEPTH = 200
#: The largest YAML tree read (arrays are in binary blocks; the tree is small).
MAX_TREE_BYTES = 256 * 2**20

_PICKLE_SUFFIXES = (".pkl", ".pickle", ".jbl", ".joblib", ".npy", ".npz")
_BLOCK_MAGIC = b"\xd3BLK"
_END_OF_TREE = (b"\n...\n", b"\n...\r\n")
_CHUNK = 2**20


def refuse_non_asdf(path):
    """
    Check that ``path`` is an ASDF file before asdf reads it; refuse pickles plainly.
    """
    if not path.is_file():
        msg = f"{path} does not exist or is not a regular file."
        raise IrispyPlusFileError(msg)
    with path.open("rb") as fileobj:
        head = fileobj.read(5)
    if head == b"#ASDF":
        return
    if head[:1] == b"\x80" or path.suffix.lower() in _PICKLE_SUFFIXES or path.name.endswith(".jbl.gz"):
        msg = (
            f"{path} looks like a pickle or joblib file. irispy-plus never loads those: loading a "
            "pickle runs code stored in the file. If you trust its author, load it with joblib or "
            "pickle yourself and save the objects again with irispy_plus.asdf.save or save_vars."
        )
        raise IrispyPlusFileError(msg)
    msg = f"{path} is not an ASDF file (it does not start with '#ASDF'); load() reads only ASDF files."
    raise IrispyPlusFileError(msg)


def _tree_bytes(path):
    """
    The YAML part of the file (up to its ``...`` line or its first block) and where the
    blocks start (None when there are none).
    """
    found = bytearray()
    with path.open("rb") as fileobj:
        while len(found) <= MAX_TREE_BYTES:
            chunk = fileobj.read(_CHUNK)
            start = max(len(found) - 8, 0)
            found += chunk
            block = found.find(_BLOCK_MAGIC, start)
            ends = [i for i in (found.find(end, start) for end in _END_OF_TREE) if i >= 0]
            if ends and (block < 0 or min(ends) < block):
                return bytes(found[: min(ends) + 5]), block if block >= 0 else None
            if block >= 0:
                return bytes(found[:block]), block
            if not chunk:
                return bytes(found), None
    msg = (
        f"{path}: its YAML tree is larger than {MAX_TREE_BYTES // 2**20} MiB, which no file written "
        "by irispy-plus is (arrays are stored as binary blocks); it was not loaded."
    )
    raise IrispyPlusFileError(msg)


def _scan_yaml(path, text):
    """
    Walk the YAML events of ``text``: refuse self-references, deep nesting, and aliases
    that would expand the tree by more than `MAX_ALIAS_NODES` nodes.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    sizes: dict[str, int] = {}  # anchor -> nodes in the anchored node, aliases expanded
    stack = []  # [anchor, nodes so far] of every open collection
    written = expanded = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append([event.anchor, 1])
            written += 1
            if len(stack) > MAX_DEPTH:
                msg = f"{path} nests its tree more than {MAX_DEPTH} levels deep; it was not loaded."
                raise IrispyPlusFileError(msg)
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, size = stack.pop()
        elif isinstance(event, yaml.AliasEvent):
            if any(frame[0] == event.anchor for frame in stack):
                msg = (
                    f"{path} holds a node that contains itself (YAML alias *{event.anchor} inside "
                    f"&{event.anchor}); such a tree has no end, so the file was not loaded."
                )
                raise IrispyPlusFileError(msg)
            anchor, size = None, sizes.get(event.anchor, 1)
        elif isinstance(event, yaml.ScalarEvent):
            anchor, size = event.anchor, 1
            written += 1
        else:
            continue
        if anchor is not None:
            sizes[anchor] = size
        if isinstance(event, yaml.AliasEvent):
            expanded += size
        if stack:
            stack[-1][1] += size
        if expanded > MAX_ALIAS_NODES + MAX_ALIAS_RATIO * written:
            msg = (
                f"{path}: its YAML aliases expand the tree of {written:,} nodes by more than "
                f"{expanded:,} nodes (a 'billion laughs' file); it was not loaded."
            )
            raise IrispyPlusFileError(msg)


def _check_blocks(path, start):
    """
    Refuse compressed blocks that declare more than ``max_decompressed_size`` bytes.
    """
    from irispy_plus.utils.config import conf

    limit = int(conf.max_decompressed_size)
    with path.open("rb") as fileobj:
        fileobj.seek(start)
        while True:
            head = fileobj.read(6)
            if len(head) < 6 or head[:4] != _BLOCK_MAGIC:
                return
            (header_size,) = struct.unpack(">H", head[4:6])
            header = fileobj.read(header_size)
            if len(header) < 48:
                return  # asdf names the damage
            _flags, compression, allocated, _used, data_size = struct.unpack(">I4sQQQ", header[:32])
            if compression.strip(b"\0") and data_size > limit:
                msg = (
                    f"{path}: a compressed block declares {data_size:,} bytes once decompressed, more "
                    f"than the max_decompressed_size limit ({limit:,}); it was not loaded."
                )
                raise IrispyPlusFileError(msg)
            fileobj.seek(allocated, 1)


def check_tree(path):
    """
    Check the file ``path`` before asdf parses it (see the module docstring).

    Raises
    ------
    IrispyPlusFileError
        If it is not an ASDF file, or its tree or its blocks would take unbounded work.
    """
    import yaml

    refuse_non_asdf(path)
    text, blocks = _tree_bytes(path)
    try:
        _scan_yaml(path, text)
    except yaml.YAMLError as error:
        if "nesting depth" in str(error):  # libyaml's own limit, met while it reads ahead
            msg = f"{path} nests its tree more than {MAX_DEPTH} levels deep; it was not loaded."
        else:
            msg = f"{path} is a damaged ASDF file: its YAML tree cannot be parsed ({error})."
        raise IrispyPlusFileError(msg) from None
    if blocks is not None:
        _check_blocks(path, blocks)


def _materialize(value):
    """
    Arrays of a loaded tree as numpy arrays (memory-mapped, not copied), so that they
    outlive the closed file.
    """
    from asdf.tags.core import NDArrayType

    if isinstance(value, NDArrayType):
        return np.asarray(value)
    if type(value) is dict:
        return {key: _materialize(item) for key, item in value.items()}
    if type(value) in (list, tuple):
        return type(value)(_materialize(item) for item in value)
    return value


def _damage_message(path, error):
    text = str(error).removeprefix("A node failed to convert with: ")
    if "checksum" in text:
        return (
            f"{path} is damaged: a block of its arrays does not match its checksum ({text}). "
            "Get the file again, or save the objects again."
        )
    return f"{path} is a damaged or unsupported ASDF file: {text}"


def _conversion_message(path, warning):
    text = str(warning)
    if "checksum" in text:
        return _damage_message(path, warning)
    if "is not recognized" in text:
        tag = text.split(" is not recognized", maxsplit=1)[0]
        return (
            f"{path} holds an object tagged {tag}, which no installed package reads, so the file "
            "was not loaded. Python-object tags (tag:yaml.org,2002:python/...) are never run; "
            "other tags need the package that wrote them."
        )
    return f"{path} could not be read: {text.removeprefix('A node failed to convert with: ')}"


def read_tree(path, key, other_key, other_function):
    """
    Check and open ``path`` and return ``tree[key]``, converting every failure into an
    `IrispyPlusFileError` that says what is wrong.
    """
    import asdf
    import yaml
    from asdf.exceptions import AsdfBlockIndexWarning, AsdfConversionWarning, AsdfWarning, ValidationError

    path = Path(path).expanduser()
    check_tree(path)
    try:
        with warnings.catch_warnings():
            # A tag no installed extension knows (a Python-object tag, or a class of some
            # other package) would otherwise become a plain dict; refuse the file instead.
            # Other asdf warnings (invalid literals, ...) mean a damaged file too.
            warnings.simplefilter("error", AsdfWarning)
            # A stale block index is only a hint; asdf then reads the blocks one by one.
            warnings.simplefilter("ignore", AsdfBlockIndexWarning)
            with asdf.config_context() as config:
                config.validate_on_read = True
                with asdf.open(path, memmap=True, lazy_load=True, validate_checksums=True) as asdf_file:
                    tree = asdf_file.tree
                    if key not in tree:
                        hint = (
                            f"it was written by {other_function}; read it with that function's pair"
                            if other_key in tree
                            else "it was not written by irispy-plus"
                        )
                        msg = f"{path} holds no {key.split('_')[-1]} to load: {hint}."
                        raise IrispyPlusFileError(msg)
                    return _materialize(tree[key])
    except AsdfConversionWarning as warning:
        raise IrispyPlusFileError(_conversion_message(path, warning)) from None
    except ValidationError as error:
        msg = f"{path} does not match its schema, so it was not loaded: {error.message}."
        raise IrispyPlusFileError(msg) from None
    except IrispyPlusError:
        raise
    except (yaml.YAMLError, AsdfWarning, ValueError, KeyError, TypeError, OverflowError) as error:
        raise IrispyPlusFileError(_damage_message(path, error)) from None
    except (RecursionError, MemoryError) as error:
        msg = f"{path} could not be loaded: its tree is too large or too deep ({type(error).__name__})."
        raise IrispyPlusFileError(msg) from None
