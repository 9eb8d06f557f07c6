"""
Read IRIS Level 2 files into cubes with full world coordinates.
"""

__all__ = ["read_files"]


def read_files(*args, **kwargs):  # placeholder until the reader lands
    raise NotImplementedError
