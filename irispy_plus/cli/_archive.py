"""
``irispy-plus archive``: index a folder tree of IRIS observations, and list what matches.
"""

__all__ = ["add_parser", "add_selection_arguments", "run_archive", "selection_criteria"]


def add_selection_arguments(parser):
    """
    Add the options that select observations of an archive (shared with ``batch``).
    """
    group = parser.add_argument_group("selection")
    group.add_argument(
        "--window", action="append", help="a spectral window it has, e.g. 'Mg II k 2796' (repeatable)"
    )
    group.add_argument("--band", action="append", help="a slit-jaw band it has, e.g. 1400 (repeatable)")
    group.add_argument("--obsid", type=int, action="append", help="an OBSID (repeatable: any of them)")
    group.add_argument("--description", action="append", help="text of its description (repeatable: all)")
    group.add_argument("--start", help="observations overlapping from this time on")
    group.add_argument("--end", help="observations overlapping up to this time")
    group.add_argument("--min-steps", type=int, help="at least this many raster steps")
    group.add_argument("--max-steps", type=int, help="at most this many raster steps (1: sit-and-stare)")
    group.add_argument(
        "--max-distance", type=float, metavar="ARCSEC", help="pointing at most this far from disk centre"
    )
    group.add_argument(
        "--min-fov-x", type=float, metavar="ARCSEC", help="field of view across the slit at least this"
    )
    group.add_argument(
        "--min-fov-y", type=float, metavar="ARCSEC", help="field of view along the slit at least this"
    )


def selection_criteria(args):
    """
    The `Archive.select` criteria of the selection options.
    """
    import astropy.units as u

    def span(low, high, unit=None):
        if low is None and high is None:
            return None
        scale = (
            (lambda value: value) if unit is None else (lambda value: None if value is None else value * unit)
        )
        return (scale(low), scale(high))

    time = None
    if args.start or args.end:
        time = (args.start or "2013-06-27", args.end or "2100-01-01")
    return {
        "windows": args.window,
        "bands": args.band,
        "obsid": args.obsid,
        "description": args.description,
        "time": time,
        "steps": span(args.min_steps, args.max_steps),
        "distance": span(None, args.max_distance, u.arcsec),
        "fov_x": span(args.min_fov_x, None, u.arcsec),
        "fov_y": span(args.min_fov_y, None, u.arcsec),
    }


def add_parser(subparsers):
    """
    Add the ``archive`` sub-command and its ``index`` and ``list`` actions.
    """
    parser = subparsers.add_parser(
        "archive",
        help="index a folder tree of IRIS observations; list those that match",
        description=(
            "Keep a catalogue of the IRIS Level 2 observations in a folder tree (as Fido.fetch or "
            "LMSAL's archive lays them out) in ROOT/irispy_plus_catalogue.ecsv, and query it."
        ),
    )
    actions = parser.add_subparsers(dest="action", required=True)
    index = actions.add_parser("index", help="index new and changed files; list files that cannot be read")
    index.add_argument("root", help="the top folder of the archive")
    index.add_argument("--catalogue", help="keep the catalogue here instead of in ROOT")
    index.set_defaults(func=run_archive)
    listing = actions.add_parser("list", help="list the observations that match (indexing first)")
    listing.add_argument("root", help="the top folder of the archive")
    listing.add_argument("--catalogue", help="the catalogue, if not in ROOT")
    listing.add_argument(
        "--format", choices=("table", "ids", "csv"), default="table", help="a table, observation ids, or CSV"
    )
    add_selection_arguments(listing)
    listing.set_defaults(func=run_archive)


_SHOWN = ("obs_id", "description", "start", "n_steps", "n_repeats", "windows", "sji_bands", "x_cen", "y_cen")


def run_archive(args):
    """
    Run ``irispy-plus archive index`` or ``irispy-plus archive list``.
    """
    from irispy_plus.archive import Archive

    archive = Archive(args.root, catalogue=args.catalogue)
    report = archive.last_update
    if args.action == "index":
        print(
            f"Indexed {archive.root}: {len(archive)} observations; {report.read} files read, "
            f"{report.kept} unchanged, {report.removed} removed, in {report.seconds:.2f} s."
        )
        print(f"Catalogue: {archive.catalogue_path}")
        errors = archive.errors
        if len(errors):
            print(f"{len(errors)} files could not be indexed:")
            for path, error in errors.iterrows():
                print(f"  {path}: {error}")
        return 0
    selected = archive.select(**selection_criteria(args))
    if args.format == "ids":
        for obs_id in selected.obs_ids:
            print(obs_id)
        return 0
    table = selected.table[list(_SHOWN)]
    if args.format == "csv":
        import sys

        table.write(sys.stdout, format="ascii.csv")
        return 0
    print(f"{len(selected)} of {len(archive)} observations match.")
    if len(selected):
        table["start"].format = "isot"
        print("\n".join(table.pformat(max_lines=-1, max_width=-1)))
    return 0
