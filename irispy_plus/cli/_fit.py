"""
``irispy-plus fit``: fit a line in every spectrum of a raster window, save the result and
draw its maps.
"""

import time
from pathlib import Path

import numpy as np

from irispy_plus.cli._common import choose_window, split_observation
from irispy_plus.utils.exceptions import IrispyPlusError
from irispy_plus.utils.windows import PREFERRED_WINDOWS

__all__ = ["add_parser", "run_fit"]

_GENERIC_HALF_RANGE = 0.5  # Å on each side of --rest, by default...
_GENERIC_HALF_PIXELS = 3  # ...and at least this many pixels (binned spectra)


def add_parser(subparsers):
    """
    Add the ``fit`` sub-command.
    """
    parser = subparsers.add_parser(
        "fit",
        help="fit a line in every spectrum of a raster window; save the result and its maps",
        description=(
            "Fit a line in every spectrum of one raster window (the bundled sample when no files "
            "are given): Si IV with one to three Gaussians or a Lorentzian, Mg II k and h with "
            "four, five or seven Gaussians, any other line with --rest. Prints a summary, saves "
            "the fit result as ASDF and draws intensity and Doppler velocity maps to PNG. If no "
            "spectrum converges it says why, writes nothing and exits with status 1."
        ),
    )
    parser.add_argument(
        "files", nargs="*", help="raster files or folders (default: the bundled sample raster)"
    )
    parser.add_argument("--window", default=None, help="spectral window label, e.g. 'Si IV 1403'")
    parser.add_argument(
        "--components",
        type=int,
        default=None,
        help="Gaussian components: 1-3 for Si IV and other lines, 4, 5 or 7 for Mg II (default 1 and 7)",
    )
    parser.add_argument("--lorentz", action="store_true", help="one Lorentzian instead of Gaussians")
    parser.add_argument(
        "--rest", type=float, default=None, help="rest wavelength (Å) of the line, if not Si IV or Mg II"
    )
    parser.add_argument(
        "--wl-range",
        type=float,
        nargs=2,
        metavar=("MIN", "MAX"),
        help="fitted range (Å); with --rest, by default the line ±0.5 Å or ±3 pixels, the wider",
    )
    parser.add_argument(
        "--observer",
        action="store_true",
        help="correct the Doppler velocities for the observer's radial velocity (OBS_VRIX, per exposure)",
    )
    parser.add_argument("--out", default="irispy-plus-output", help="folder for the result and the maps")
    parser.add_argument("--no-save", action="store_true", help="do not save the fit result")
    parser.set_defaults(func=run_fit)


def _check_line_components(n, lorentz, what):
    if n not in (None, 1, 2, 3) or (lorentz and n not in (None, 1)):
        msg = f"--components {n}: {what} is fitted with 1, 2 or 3 Gaussians, or one Lorentzian."
        raise IrispyPlusError(msg)


def _window_wavelength(sequence):
    return sequence.data[0].spectral_axis.to_value("Angstrom")


def _check_rest_in_window(rest, sequence, label):
    wavelength = _window_wavelength(sequence)
    if not wavelength.min() <= rest <= wavelength.max():
        msg = (
            f"--rest {rest} Å is outside the {label} window "
            f"({wavelength.min():.2f}-{wavelength.max():.2f} Å): give the wavelength of a line in it."
        )
        raise IrispyPlusError(msg)


def _fitter(label, args, sequence):
    """The preset for ``label`` and its options, from the command's arguments."""
    from irispy_plus.fitting import fit_gen, fit_mgii, fit_siiv

    n = args.components
    options = {"plot": False, "progress": None}
    if args.wl_range is not None:
        options["wl_range"] = list(args.wl_range)
    if label.startswith("Si IV"):
        _check_line_components(n, args.lorentz, "Si IV")
        return fit_siiv, {**options, "two": n == 2, "three": n == 3, "lorentz": args.lorentz}
    if label.startswith("Mg II k"):
        if n not in (None, 4, 5, 7) or args.lorentz:
            msg = f"--components {n}: Mg II k and h are fitted with 4, 5 or 7 Gaussians."
            raise IrispyPlusError(msg)
        return fit_mgii, {**options, "four": n == 4, "five": n == 5}
    if args.rest is None:
        msg = (
            f"Which line of {label!r}? Give its rest wavelength with --rest (Å); "
            "irispy_plus.physics.lines_in_window lists the window's lines."
        )
        raise IrispyPlusError(msg)
    _check_line_components(n, args.lorentz, "a line")
    pixel = float(np.median(np.abs(np.diff(_window_wavelength(sequence)))))
    half = max(_GENERIC_HALF_RANGE, _GENERIC_HALF_PIXELS * pixel)
    options.setdefault("wl_range", [args.rest - half, args.rest + half])
    return fit_gen, {**options, "rest_wavelength": args.rest, "n_components": n or 1, "lorentz": args.lorentz}


def _describe(label, result, seconds, observer):
    n_spectra = int(np.prod(result.shape))
    converged = int(np.count_nonzero(result.converged))
    lines = [f"{label}: fitted {n_spectra} spectra in {seconds:.2f} s, {converged} converged"]
    good = np.asarray(result.converged)
    if good.any():
        velocity = np.asarray(result.doppler_velocity(observer=observer).data)[good]
        width = np.asarray(result.line_width(fwhm=True, velocity=True).data)[good]
        low, mid, high = np.nanpercentile(velocity, [25, 50, 75])
        lines.append(f"  Doppler velocity: median {mid:.2f} km/s (quartiles {low:.2f} to {high:.2f})")
        lines.append(f"  line width (FWHM): median {np.nanmedian(width):.2f} km/s")
    return "\n".join(lines)


def _check_converged(label, results):
    """An error naming why, if no spectrum of any result converged."""
    from irispy_plus.fitting import FitFlag

    if any(np.count_nonzero(one.converged) for one in results):
        return
    flags = np.concatenate([np.ravel(one.flags) for one in results])
    reasons = ", ".join(
        f"{np.count_nonzero(flags & flag)} {flag.name.lower().replace('_', ' ')}"
        for flag in (FitFlag.NO_DATA, FitFlag.NO_SIGNAL, FitFlag.NOT_CONVERGED)
        if np.count_nonzero(flags & flag)
    )
    msg = (
        f"no spectrum of {label} converged ({reasons}); nothing was saved or drawn. "
        "Check --rest and --wl-range against the window, or try --components."
    )
    raise IrispyPlusError(msg)


def run_fit(args):
    """
    Run ``irispy-plus fit``.
    """
    import matplotlib as mpl

    mpl.use("Agg")
    from irispy_plus.asdf import save
    from irispy_plus.data import sample
    from irispy_plus.io import expand_sources, read_files
    from irispy_plus.visualization import save_map

    files = args.files or [sample.RASTER]
    rasters, _ = split_observation(read_files(files, as_observation=True))
    if rasters is None:
        msg = "fit needs raster files (spectra); these hold slit-jaw images only."
        raise IrispyPlusError(msg)
    label = choose_window(rasters, args.window, PREFERRED_WINDOWS)
    sequence = rasters[label]
    fitter, options = _fitter(label, args, sequence)
    if args.rest is not None:
        _check_rest_in_window(args.rest, sequence, label)
    # One raster file is fitted as its cube (one result), several as the sequence.
    cube = sequence.data[0] if len(sequence.data) == 1 else sequence
    start = time.perf_counter()
    result = fitter(cube, **options)
    seconds = time.perf_counter() - start
    results = result if isinstance(result, list) else [result]
    for index, one in enumerate(results):
        name = label if len(results) == 1 else f"{label} (raster {index})"
        print(_describe(name, one, seconds / len(results), args.observer))
    _check_converged(label, results)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = Path(expand_sources(files)[0]).name.split(".")[0]
    slug = label.replace(" ", "_")
    if not args.no_save:
        saved = save(result, out / f"fit_{slug}_{stem}.asdf", force=True)
        print(f"Saved the fit result to {saved.resolve()}")
    first = results[0]
    velocity = first.doppler_velocity(observer=args.observer)
    for title, cube_map in (("intensity", first.intensity()), ("Doppler velocity", velocity)):
        path = out / f"{title.split()[-1].lower()}_{slug}.png"
        save_map(cube_map, path, title=f"{label}: {title}")
        print(f"Wrote the {title} map to {path.resolve()}")
    return 0
