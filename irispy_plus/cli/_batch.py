"""
``irispy-plus batch``: process every matching observation of an archive on a dask
cluster, resumably.
"""

__all__ = ["add_parser", "run_batch"]


def add_parser(subparsers):
    """
    Add the ``batch`` sub-command and its ``fit`` action.
    """
    from irispy_plus.cli._archive import add_selection_arguments

    parser = subparsers.add_parser(
        "batch",
        help="fit every matching raster of an archive on a dask cluster (resumable)",
        description=(
            "Run work over every matching observation of an archive on dask.distributed: a local "
            "cluster by default, any cluster with --scheduler. Each result is saved as "
            "OUT/<obs_id>.asdf; a rerun skips finished observations and retries failed ones."
        ),
    )
    actions = parser.add_subparsers(dest="action", required=True)
    fit = actions.add_parser(
        "fit",
        help="fit a line in every raster with the window; keep each FitResult",
        description=(
            "Fit a line in every spectrum of WINDOW in every observation of ROOT that has it (Si IV "
            "and Mg II k with their presets, any other line with --rest), saving each FitResult as "
            "OUT/<obs_id>.asdf, and print a summary: done, skipped (done before), failed. The exit "
            "status is 1 if any observation failed (see OUT/irispy_plus_run.json)."
        ),
    )
    fit.add_argument("root", help="the top folder of the archive")
    fit.add_argument("--out", required=True, help="the folder for the results (shared by every worker)")
    fit.add_argument("--scheduler", help="address of a running dask scheduler, e.g. tcp://host:8786")
    fit.add_argument(
        "--workers", type=int, help="workers of the local cluster (default: CPU count, at most 4)"
    )
    fit.add_argument("--components", type=int, help="Gaussian components (1-3, or 4, 5, 7 for Mg II)")
    fit.add_argument("--lorentz", action="store_true", help="one Lorentzian instead of Gaussians")
    fit.add_argument("--rest", type=float, help="rest wavelength (Å) of the line, if not Si IV or Mg II k")
    fit.add_argument("--wl-range", type=float, nargs=2, metavar=("MIN", "MAX"), help="fitted range (Å)")
    fit.add_argument("--catalogue", help="the catalogue, if not in ROOT")
    fit.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_selection_arguments(fit)
    fit.set_defaults(func=run_batch)


def run_batch(args):
    """
    Run ``irispy-plus batch fit``.
    """
    from irispy_plus.archive import Archive, FitJob
    from irispy_plus.cli._archive import selection_criteria
    from irispy_plus.utils.exceptions import IrispyPlusError

    if not args.window or len(args.window) != 1:
        msg = "batch fit needs one --window, the window to fit (e.g. --window 'Si IV 1403')."
        raise IrispyPlusError(msg)
    job = FitJob(
        args.window[0],
        components=args.components,
        lorentz=args.lorentz,
        rest=args.rest,
        wl_range=args.wl_range,
    )
    archive = Archive(args.root, catalogue=args.catalogue)
    selected = archive.select(**selection_criteria(args))
    print(f"{len(selected)} of {len(archive)} observations have {args.window[0]!r} and match.")
    report = selected.map(
        job,
        client=args.scheduler,
        out=args.out,
        n_workers=args.workers,
        progress=False if args.no_progress else None,
    )
    print(report.summary())
    for obs_id, entry in report.entries.items():
        if entry["status"] == "failed":
            print(f"  failed: {obs_id}: {entry['error']}")
    return 1 if report.failed else 0
