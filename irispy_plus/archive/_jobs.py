"""
Batch jobs ready to run over an archive: fitting a line in every raster of a window.
"""

from irispy_plus.utils.exceptions import IrispyPlusError

__all__ = ["FitJob"]

_GENERIC_HALF_RANGE = 0.5  # Å on each side of the rest wavelength, by default


class FitJob:
    """
    Fit a line in every spectrum of one window of an observation's rasters, with the
    preset for the window: `~irispy_plus.fitting.fit_siiv` for Si IV,
    `~irispy_plus.fitting.fit_mgii` for Mg II k, `~irispy_plus.fitting.fit_gen` about
    ``rest`` for any other.

    Called with an `Observation`, it returns the `~irispy_plus.fitting.FitResult` (a list
    of them, one per raster repeat, for several raster files). Picklable, so that
    `Archive.map` sends it to dask workers.

    Parameters
    ----------
    window : str
        The window label, e.g. ``"Si IV 1403"``.
    components : int, optional
        Gaussian components: 1 to 3 (Si IV and other lines), 4, 5 or 7 (Mg II).
    lorentz : bool, optional
        One Lorentzian instead of Gaussians.
    rest : float, optional
        The rest wavelength (Å) of the line, for windows other than Si IV and Mg II k.
    wl_range : pair of float, optional
        The fitted range (Å).
    n_threads : int, optional
        Threads of the solver; by default the threads of the dask worker it runs on.

    Raises
    ------
    IrispyPlusError
        If the components do not suit the line, or another line has no ``rest``.

    Examples
    --------
    >>> from irispy_plus.archive import Archive
    >>> from irispy_plus.archive._jobs import FitJob
    >>> from irispy_plus.testing.archives import make_archive
    >>> archive = Archive(make_archive(tmp_path / "iris", n_observations=1))
    >>> result = FitJob("Si IV 1403")(archive[0])
    >>> result.shape
    (8, 109)
    """

    def __init__(self, window, *, components=None, lorentz=False, rest=None, wl_range=None, n_threads=None):
        self.window = window
        self.components = components
        self.lorentz = bool(lorentz)
        self.rest = rest
        self.wl_range = None if wl_range is None else [float(value) for value in wl_range]
        self.n_threads = n_threads
        self._preset()  # check the options now, before any work is sent out

    def _preset(self):
        from irispy_plus.fitting import fit_gen, fit_mgii, fit_siiv

        n, label = self.components, self.window
        options = {"plot": False, "progress": False}
        if self.wl_range is not None:
            options["wl_range"] = self.wl_range
        if label.startswith("Mg II k"):
            if n not in (None, 4, 5, 7) or self.lorentz:
                msg = f"components={n}: Mg II k and h are fitted with 4, 5 or 7 Gaussians."
                raise IrispyPlusError(msg)
            return fit_mgii, {**options, "four": n == 4, "five": n == 5}
        if n not in (None, 1, 2, 3) or (self.lorentz and n not in (None, 1)):
            msg = f"components={n}: {label} is fitted with 1, 2 or 3 Gaussians, or one Lorentzian."
            raise IrispyPlusError(msg)
        if label.startswith("Si IV"):
            return fit_siiv, {**options, "two": n == 2, "three": n == 3, "lorentz": self.lorentz}
        if self.rest is None:
            msg = (
                f"Which line of {label!r}? Give its rest wavelength (rest=, or --rest on the command "
                "line); irispy_plus.physics.lines_in_window lists the window's lines."
            )
            raise IrispyPlusError(msg)
        rest = float(self.rest)
        options.setdefault("wl_range", [rest - _GENERIC_HALF_RANGE, rest + _GENERIC_HALF_RANGE])
        return fit_gen, {**options, "rest_wavelength": rest, "n_components": n or 1, "lorentz": self.lorentz}

    def _threads(self):
        if self.n_threads is not None:
            return int(self.n_threads)
        try:
            from distributed import get_worker

            return get_worker().state.nthreads
        except (ImportError, ValueError, AttributeError):
            return None

    def __call__(self, observation):
        fitter, options = self._preset()
        cube = observation.raster(self.window)
        return fitter(cube, n_threads=self._threads(), **options)

    def __repr__(self):
        return (
            f"FitJob({self.window!r}, components={self.components}, lorentz={self.lorentz}, rest={self.rest})"
        )
