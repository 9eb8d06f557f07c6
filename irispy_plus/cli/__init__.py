"""
The ``irispy-plus`` command.

Each sub-command lives in a private module of this package that provides
``add_parser(subparsers)``; the parser it adds sets ``func`` to the function that runs it.
A sub-command module imports nothing heavy at module level (no numpy, astropy, sunpy or
ndcube): its run function imports what it needs. So building the parser, and with it
``irispy-plus --help``, ``irispy-plus SUB-COMMAND --help`` and ``irispy-plus --version``,
costs a small fraction of a second (``benchmarks/startup.py``).

`main` handles the errors of every sub-command in one way: a user's error or a failure
prints one line, never a traceback, and sets the exit status:

- 0: done;
- 1: failed (an `~irispy_plus.utils.IrispyPlusError` or an operating-system error, such as
  a folder that cannot be written);
- 2: the command line is wrong (argparse's usage errors, and
  `~irispy_plus.utils.IrispyPlusUsageError`);
- 130: interrupted by Ctrl-C (SIGINT).
"""

import argparse
import importlib
import logging
import sys

__all__ = ["build_parser", "main"]

_SUBCOMMAND_MODULES = ("_summary", "_info", "_fit", "_net", "_view", "_movie", "_archive", "_batch")
#: Exit statuses.
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

_LOG_FORMAT = "irispy-plus: %(levelname)s: %(message)s"


class _Parser(argparse.ArgumentParser):
    """
    An argument parser whose usage errors are one line (sub-parsers are of this class too).
    """

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: usage error: {message} (see {self.prog} --help)\n")


def _version():
    from irispy_plus import __version__

    return f"irispy-plus {__version__}"


def _add_verbose(parser, default):
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default,
        help="print what is being done (-v: INFO log messages, -vv: DEBUG as well)",
    )


def build_parser():
    """
    Build the argument parser of the ``irispy-plus`` command.

    Returns
    -------
    argparse.ArgumentParser
        The parser, with one sub-parser per sub-command; each takes ``-v/--verbose``.
    """
    parser = _Parser(prog="irispy-plus", description="Find, read, analyse and view IRIS Level 2 data.")
    parser.add_argument("--version", action="version", version=_version())
    _add_verbose(parser, default=0)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module_name in _SUBCOMMAND_MODULES:
        module = importlib.import_module(f"irispy_plus.cli.{module_name}")
        module.add_parser(subparsers)
    for subparser in subparsers.choices.values():
        if "--verbose" not in subparser._option_string_actions:
            # SUPPRESS: a sub-parser's default must not overwrite the main parser's count.
            _add_verbose(subparser, default=argparse.SUPPRESS)
    return parser


def _set_up_logging(verbose):
    """
    Print irispy-plus log messages on standard error from the ``log_level`` config item,
    or from INFO (-v) or DEBUG (-vv).
    """
    from irispy_plus.utils.logger import _configured_level, log

    levels = {0: _configured_level(), 1: logging.INFO}
    level = levels.get(verbose, logging.DEBUG)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_LOG_FORMAT))
    log.addHandler(handler)
    log.setLevel(level)
    log.propagate = False  # the command prints each message once, whatever the root logger does
    return handler


def _describe_os_error(error):
    """One line for an operating-system error: what failed, on which file."""
    reason = error.strerror or str(error)
    names = [name for name in (error.filename, error.filename2) if name is not None]
    return f"{reason}: {' -> '.join(map(str, names))}" if names else reason


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
        The exit status: 0 on success, 1 on a failure, 2 on a usage error, 130 when
        interrupted. Usage errors found by argparse (and ``--help``, ``--version``)
        raise `SystemExit` with status 2 (0) as argparse does.
    """
    from irispy_plus.utils.exceptions import IrispyPlusError, IrispyPlusUsageError

    command = "irispy-plus"
    handler = None
    try:
        args = build_parser().parse_args(argv)
        command = f"irispy-plus {args.command}"
        handler = _set_up_logging(args.verbose)
        return args.func(args) or 0
    except KeyboardInterrupt:
        print(f"{command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except IrispyPlusUsageError as error:
        print(f"{command}: usage error: {error} (see {command} --help)", file=sys.stderr)
        return EXIT_USAGE
    except IrispyPlusError as error:
        print(f"{command}: error: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except OSError as error:
        print(f"{command}: error: {_describe_os_error(error)}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        if handler is not None:
            from irispy_plus.utils.logger import log

            log.removeHandler(handler)
            log.setLevel(logging.NOTSET)
            log.propagate = True
