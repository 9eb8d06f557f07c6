"""
The ``irispy-plus`` sub-command(s) of this module (placeholder).
"""

__all__ = ["add_parser"]


def add_parser(subparsers):
    """
    Add this module's sub-commands to subparsers (none yet).
    """
