"""
The ``irispy-plus`` command.

Each sub-command lives in a private module of this package that provides
``add_parser(subparsers)``; the parser it adds sets ``func`` to the function that runs it.
"""

import argparse
import importlib
import sys

from irispy_plus.utils.exceptions import IrispyPlusError

__all__ = ["main"]

_SUBCOMMAND_MODULES = ("_summary", "_info", "_fit", "_net", "_view", "_archive", "_batch")


def build_parser():
    """
    Build the argument parser of the ``irispy-plus`` command.

    Returns
    -------
    argparse.ArgumentParser
        The parser, with one sub-parser per sub-command.
    """
    parser = argparse.ArgumentParser(
        prog="irispy-plus", description="Find, read, analyse and view IRIS Level 2 data."
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module_name in _SUBCOMMAND_MODULES:
        module = importlib.import_module(f"irispy_plus.cli.{module_name}")
        module.add_parser(subparsers)
    return parser


def main(argv=None):
    """
    Run the ``irispy-plus`` command.

    Parameters
    ----------
    argv : list of str, optional
        The arguments; by default those of the running process.

    Returns
    -------
    int
        The exit status: 0 on success, 1 when irispy-plus reported an error.
    """
    args = build_parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except IrispyPlusError as error:
        print(f"irispy-plus {args.command}: error: {error}", file=sys.stderr)
        return 1
