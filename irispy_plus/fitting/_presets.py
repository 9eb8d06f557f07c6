"""
The IRIS tutorial's fitting entry points: ``fit_siiv``, ``fit_mgii`` and ``fit_gen``.

They keep the tutorial's conventions: ``init_vals`` as ``c, amp1, mu1, sigma1, ...``,
``limits`` as ``[[lower, ...], [upper, ...]]``, ``wl_range`` as ``[min, max]`` in Å, and the
``two``/``three``, ``four``/``five`` and ``lorentz`` switches. Called on one spectrum they
return a `SpectrumFit` (which unpacks as ``profile, components, best_vals, errors``) and
plot it; called on a cube or an array of spectra (wavelength last) they return a
`~irispy_plus.fitting.FitResult`.
"""

from collections.abc import Sequence
from functools import partial
from typing import Any, cast

import astropy.units as u
import numpy as np
import numpy.typing as npt

from irispy_plus.fitting._fit import fit_lines
from irispy_plus.fitting._guess import auto_guess, default_limits
from irispy_plus.fitting._inputs import cube_wavelength, is_sequence
from irispy_plus.fitting._models import LineModel
from irispy_plus.fitting._moments import moment_arrays
from irispy_plus.fitting._result import FitResult
from irispy_plus.physics.lines import find_lines, rest_wavelength
from irispy_plus.utils.exceptions import IrispyPlusFitError
from irispy_plus.utils.optional import import_optional

__all__ = [
    "MGII_H",
    "MGII_K",
    "MGII_TRIPLET",
    "SIIV_1394",
    "SIIV_1403",
    "SpectrumFit",
    "fit_gen",
    "fit_mgii",
    "fit_siiv",
]


def _rest(ion, near):
    """The rest wavelength (Å) of the line of ``ion`` nearest ``near`` in the line list."""
    return float(rest_wavelength(ion, near=near).to_value(u.AA))


#: Rest wavelengths used by the presets (Å, vacuum), taken from the IRIS line list
#: (`irispy_plus.physics.line_list`); the triplet is the mean of its blended 2798.754
#: and 2798.823 Å lines.
SIIV_1394 = _rest("Si IV", 1394)
SIIV_1403 = _rest("Si IV", 1403)
MGII_K = _rest("Mg II", 2796.4)
MGII_H = _rest("Mg II", 2803.5)
MGII_TRIPLET = float(
    np.mean(find_lines(ion="Mg II", wavelength_range=[2798.7, 2798.9] * u.AA)["wavelength"].to_value(u.AA))
)


class SpectrumFit:
    """
    The fit of one spectrum, as the tutorial returns it.

    It unpacks and indexes like the tutorial's tuple ``profile, components, best_vals,
    errors``: ``fit_siiv(spectrum, wavelength)[2]`` is ``best_vals``.

    Parameters
    ----------
    result : FitResult
        The fit of the one spectrum (one-element maps).
    data : numpy.ndarray
        The spectrum over the fitted wavelengths.
    figure : matplotlib.figure.Figure, optional
        The plot, if one was made.

    Attributes
    ----------
    profile : numpy.ndarray
        The fitted model on `wavelength`.
    components : list of numpy.ndarray
        Each component on `wavelength`, with the background added.
    best_vals, errors : numpy.ndarray
        Best values and 1-sigma uncertainties, in the order of `names`.
    names : list of str
        Parameter names.
    wavelength : numpy.ndarray
        The fitted wavelengths (Å).
    data : numpy.ndarray
        The spectrum over `wavelength`.
    chi2 : float
        Reduced chi-square.
    flag : int
        `~irispy_plus.fitting.FitFlag` bits (0: converged).
    converged : bool
        Whether the fit converged.
    result : FitResult
        The fit as `~irispy_plus.fitting.fit_lines` returns it (one spectrum).
    figure : matplotlib.figure.Figure or None
        The plot, if one was made.

    Examples
    --------
    >>> import numpy as np
    >>> from irispy_plus.fitting import fit_siiv
    >>> wave = 1401.5 + 0.02596 * np.arange(100)
    >>> spectrum = 5 + 80 * np.exp(-0.5 * ((wave - 1402.8) / 0.07) ** 2)
    >>> fit = fit_siiv(spectrum, wave, plot=False)
    >>> fit.names, fit.converged, fit.flag
    (['c', 'amp1', 'mu1', 'sigma1'], True, 0)
    >>> round(float(fit.best_vals[fit.names.index("mu1")]), 3)
    1402.8
    >>> profile, components, best_vals, errors = fit  # the tutorial's tuple
    >>> len(components), profile.shape == fit.wavelength.shape
    (1, True)
    """

    def __init__(self, result: FitResult, data: np.ndarray, figure: Any = None) -> None:
        x = result.wavelength.to_value(u.AA)
        values = result.values.reshape(-1)
        model = result.model
        self.names = result.parameter_names
        self.wavelength = x
        self.data = data
        self.best_vals = values
        self.errors = result.errors.reshape(-1)
        self.profile = model.evaluate(x, values)
        background = self.profile - model.evaluate(x, values, components=range(1, model.n_components + 1))
        self.components = [
            background + model.evaluate(x, values, components=[i]) for i in range(1, model.n_components + 1)
        ]
        self.chi2 = float(result.chi2.reshape(-1)[0])
        self.flag = int(result.flags.reshape(-1)[0])
        self.converged = bool(result.converged.reshape(-1)[0])
        self.result = result
        self.figure = figure

    def __iter__(self):
        return iter((self.profile, self.components, self.best_vals, self.errors))

    def __len__(self):
        return 4

    def __getitem__(self, index):
        items = "the tutorial's tuple (0-3: profile, components, best_vals, errors)"
        if isinstance(index, str):
            msg = f"A SpectrumFit indexes like {items}; by name: fit.best_vals[fit.names.index({index!r})]."
            raise IrispyPlusFitError(msg)
        try:
            return tuple(self)[index]
        except IndexError:  # an IndexError, as a tuple's: code that indexes until it fails needs it
            raise IndexError(f"index {index} is out of range of {items}.") from None
        except TypeError:
            msg = f"A SpectrumFit indexes like {items}: with an int or a slice, not {type(index).__name__}."
            raise IrispyPlusFitError(msg) from None

    def __repr__(self):
        pairs = ", ".join(
            f"{n}={v:.5g}±{e:.2g}" for n, v, e in zip(self.names, self.best_vals, self.errors, strict=True)
        )
        return f"<SpectrumFit {pairs}; chi2={self.chi2:.3g}, converged={self.converged}>"

    def plot(self, axes=None):
        """
        Plot the spectrum, the fit and its components.

        Parameters
        ----------
        axes : matplotlib.axes.Axes, optional
            Where to draw; a new figure otherwise.

        Returns
        -------
        matplotlib.axes.Axes
        """
        plt = import_optional("matplotlib.pyplot", "visualization")
        if axes is None:
            _, axes = plt.subplots()
        axes.plot(self.wavelength, self.data, drawstyle="steps-mid", color="k", lw=1, label="data")
        axes.plot(self.wavelength, self.profile, color="C3", lw=1.5, label="fit")
        for i, component in enumerate(self.components, start=1):
            axes.plot(self.wavelength, component, ls="--", lw=1, label=f"component {i}")
        axes.set_xlabel("Wavelength [Å]")
        axes.set_ylabel("Intensity")
        axes.legend(fontsize="small")
        self.figure = axes.figure
        return axes


def _is_single(spectrum):
    return not hasattr(spectrum, "wcs") and not is_sequence(spectrum) and np.ndim(spectrum) == 1


def _run(spectrum, wavelength, plot, **kwargs) -> "SpectrumFit | FitResult | list[FitResult]":
    if _is_single(spectrum):
        data = u.Quantity(spectrum).value if isinstance(spectrum, u.Quantity) else np.asarray(spectrum, float)
        result = cast("FitResult", fit_lines(data[None, :], wavelength, progress=False, **kwargs))
        x = result.wavelength.to_value(u.AA)
        full = u.Quantity(wavelength, u.AA).to_value(u.AA)
        i0 = int(np.argmin(np.abs(full - x[0])))
        fit = SpectrumFit(result, data[i0 : i0 + x.size])
        if plot:
            fit.plot()
        return fit
    return fit_lines(spectrum, wavelength, **kwargs)


def _wave_range(spectrum, wavelength):
    if is_sequence(spectrum):
        spectrum = spectrum.data[0]
    if wavelength is None:
        wavelength = cube_wavelength(spectrum)
    x = u.Quantity(wavelength, u.AA).to_value(u.AA)
    return float(np.min(x)), float(np.max(x))


def fit_siiv(
    spectrum: Any,
    wavelength: u.Quantity | npt.ArrayLike | None = None,
    *,
    init_vals: npt.ArrayLike | None = None,
    limits: npt.ArrayLike | None = None,
    wl_range: u.Quantity | Sequence[float] | None = None,
    two: bool = False,
    three: bool = False,
    lorentz: bool = False,
    line: float | None = None,
    plot: bool = True,
    **kwargs: Any,
) -> "SpectrumFit | FitResult | list[FitResult]":
    """
    Fit Si IV 1393.755 or 1402.770 Å with one Gaussian (or two, three, or a Lorentzian).

    Parameters
    ----------
    spectrum : array, `~astropy.units.Quantity` or cube
        One spectrum (1D), an array of spectra with wavelength last, or a cube.
    wavelength : array or `~astropy.units.Quantity`, optional
        Wavelengths (Å); taken from a cube if not given.
    init_vals : list, optional
        ``c, amp1, mu1, sigma1, ...``; by default from each spectrum's moments.
    limits : array, optional
        ``[[lower, ...], [upper, ...]]``.
    wl_range : pair of float, optional
        Fitted range, by default the line ±1 Å.
    two, three : bool, optional
        Two or three Gaussian components (a core and broader or shifted components).
    lorentz : bool, optional
        One Lorentzian instead of one Gaussian.
    line : {1394, 1403}, optional
        Which Si IV line; by default the one inside the wavelength range (1403 if both).
    plot : bool, optional
        Plot a single-spectrum fit (matplotlib is imported only then).
    **kwargs
        Passed to `fit_lines` (``ties``, ``fixed``, ``uncertainty``, ``mask``, ``progress``...).

    Returns
    -------
    SpectrumFit or FitResult
        `SpectrumFit` for one spectrum, `FitResult` for arrays and cubes (a list of them
        for a raster sequence).

    Raises
    ------
    IrispyPlusFitError
        If the arguments do not fit the model.

    Examples
    --------
    >>> import numpy as np
    >>> from irispy_plus.fitting import fit_siiv
    >>> wave = 1401.5 + 0.02596 * np.arange(100)
    >>> spectrum = 5 + 80 * np.exp(-0.5 * ((wave - 1402.8) / 0.07) ** 2)
    >>> fit, comps, best_vals, errors = fit_siiv(spectrum, wave, plot=False)
    >>> best_vals.round(3).tolist()
    [5.0, 80.0, 1402.8, 0.07]
    """
    if line is None:
        lo, hi = _wave_range(spectrum, wavelength)
        rest = SIIV_1403 if lo <= SIIV_1403 <= hi or not lo <= SIIV_1394 <= hi else SIIV_1394
    else:
        rest = SIIV_1403 if float(line) > 1398 else SIIV_1394
    if wl_range is None:
        wl_range = [rest - 1.0, rest + 1.0]
    n_comp = 3 if three else 2 if two else 1
    kind = "lorentzian" if lorentz else "gaussian"
    kwargs.setdefault("rest_wavelength", rest)
    kwargs.setdefault("ion", "Si IV")
    return _run(
        spectrum,
        wavelength,
        plot,
        components=[kind] * n_comp,
        init_vals=init_vals,
        limits=limits,
        wl_range=wl_range,
        **kwargs,
    )


def _mgii_layout(n_comp):
    """Per component: (centre, kind of amplitude), for 4, 5 or 7 Gaussians."""
    if n_comp == 7:
        return [
            (MGII_K - 0.15, "peak"),
            (MGII_K, "absorption"),
            (MGII_K + 0.15, "peak"),
            (MGII_H - 0.13, "peak"),
            (MGII_H, "absorption"),
            (MGII_H + 0.13, "peak"),
            (MGII_TRIPLET, "any"),
        ]
    layout = [(MGII_K, "emission"), (MGII_K, "absorption"), (MGII_H, "emission"), (MGII_H, "absorption")]
    if n_comp == 5:
        layout.append((MGII_TRIPLET, "any"))
    return layout


# Starting widths (Å) of the components that are not placed from the profile itself.
_MGII_WIDTH = {"peak": 0.08, "emission": 0.15, "absorption": 0.05, "any": 0.06}
# Half-width (Å) about each line's rest wavelength in which its peaks and core are read.
_MGII_SEARCH = 0.4
# The k2/h2 components start this fraction of the observed peak-to-core distance from
# the core.
_MGII_PULL = 0.8


def _mgii_shape(x, y, rest):
    """
    Blue peak, core and red peak (wavelengths, Å) of each spectrum near ``rest``, read off
    the pixels: the highest pixel, the highest other local maximum behind a dip of at
    least 2 % of it, and the lowest pixel between the two. A profile with no such second
    peak gets its core at the peak and nominal peaks 0.13 Å either side.
    """
    sel = np.flatnonzero(np.abs(x - rest) <= _MGII_SEARCH)
    if sel.size < 5:
        centre = np.full(y.shape[0], rest)
        return centre - 0.13, centre, centre + 0.13
    seg = y[:, sel]
    xs = x[sel]
    n, m = seg.shape
    rows = np.arange(n)
    index = np.arange(m)
    first = np.argmax(seg, axis=1)
    top = seg[rows, first]
    after = index >= first[:, None]
    right = np.minimum.accumulate(np.where(after, seg, np.inf), axis=1)
    left = np.minimum.accumulate(np.where(after, np.inf, seg)[:, ::-1], axis=1)[:, ::-1]
    local = np.zeros((n, m), bool)
    local[:, 1:-1] = (seg[:, 1:-1] > seg[:, :-2]) & (seg[:, 1:-1] >= seg[:, 2:])
    floor = np.nanmin(seg, axis=1)
    deep = seg - np.minimum(left, right) > 0.02 * (top - floor)[:, None]
    candidates = np.where(local & deep, seg, -np.inf)
    second = np.argmax(candidates, axis=1)
    double = np.isfinite(candidates[rows, second])
    lo, hi = np.minimum(first, second), np.maximum(first, second)
    between = (index > lo[:, None]) & (index < hi[:, None])
    core = np.argmin(np.where(between, seg, np.inf), axis=1)
    peak = xs[first]
    blue = np.where(double, xs[lo], peak - 0.13)
    red = np.where(double, xs[hi], peak + 0.13)
    return blue, np.where(double, xs[core], peak), red


def _mgii_guess(x, y, valid, model, layout):
    """
    Initial values for Mg II from each spectrum's own shape: the k2v/k3/k2r (h2v/h2r/h3)
    components at the peaks and core read off the pixels, widths from the peak
    separation, the background and amplitudes from a linear least-squares solve per
    spectrum with those centres and widths (signs then forced: peaks and emission
    positive, reversals negative).
    """
    mom = moment_arrays(x, y, valid, full=False)
    bg = np.where(np.isfinite(mom["background"]), mom["background"], 0.0)
    filled = np.where(valid, y, bg[:, None])
    n = y.shape[0]
    shapes = {rest: _mgii_shape(x, filled, rest) for rest in (MGII_K, MGII_H)}
    centres, widths = [], []
    for nominal, kind in layout:
        rest = MGII_K if abs(nominal - MGII_K) < 1 else MGII_H if abs(nominal - MGII_H) < 1 else None
        if rest is None:
            centres.append(np.full(n, nominal))
            widths.append(np.full(n, _MGII_WIDTH[kind]))
            continue
        blue, core, red = shapes[rest]
        if kind == "peak":
            # The reversal pushes the observed peaks outwards from their components.
            side = blue if nominal < rest else red
            offset = np.clip(_MGII_PULL * np.abs(side - core), 0.05, 0.3)
            centres.append(core + np.sign(nominal - rest) * offset)
            widths.append(np.full(n, _MGII_WIDTH[kind]))
        elif kind == "absorption":
            centres.append(core)
            widths.append(np.full(n, _MGII_WIDTH[kind]))
        else:
            centres.append(core)
            widths.append(np.full(n, _MGII_WIDTH[kind]))
    centres = np.stack(centres, axis=1)
    widths = np.stack(widths, axis=1)
    design = np.exp(-0.5 * ((x[None, :, None] - centres[:, None, :]) / widths[:, None, :]) ** 2)
    design = np.concatenate([np.ones((n, x.size, 1)), design], axis=2)
    weights = valid.astype(float)
    normal = np.einsum("nmi,nm,nmj->nij", design, weights, design)
    # A small ridge keeps spectra with few valid pixels (or none) solvable.
    ridge = 1e-9 * np.trace(normal, axis1=1, axis2=2) + 1e-12
    normal += ridge[:, None, None] * np.eye(normal.shape[-1])
    rhs = np.einsum("nmi,nm,nm->ni", design, weights, filled)
    coeffs = np.linalg.solve(normal, rhs[..., None])[..., 0]
    scale = np.maximum(np.abs(mom["peak"]), 1e-6)
    scale = np.where(np.isfinite(scale), scale, 1.0)
    p0 = np.empty((n, model.n_parameters))
    p0[:, 0] = coeffs[:, 0]
    for i, (_, kind) in enumerate(layout):
        k = model.component_slice(i + 1).start
        amp = coeffs[:, i + 1]
        if kind in ("emission", "peak"):
            amp = np.maximum(amp, 0.05 * scale)
        elif kind == "absorption":
            amp = np.minimum(amp, -0.05 * scale)
        p0[:, k], p0[:, k + 1], p0[:, k + 2] = amp, centres[:, i], widths[:, i]
    p0[~np.isfinite(mom["peak"])] = np.nan
    return p0


def _mgii_limits(layout, model, x):
    limits = default_limits(model, x)
    for i, (centre, kind) in enumerate(layout):
        k = model.component_slice(i + 1).start
        if kind == "peak":
            amp, mu, width = (0.0, np.inf), (centre - 0.35, centre + 0.35), (0.02, 0.2)
        elif kind == "emission":
            amp, mu, width = (0.0, np.inf), (centre - 0.4, centre + 0.4), (0.02, 0.6)
        elif kind == "absorption":
            amp, mu, width = (-np.inf, 0.0), (centre - 0.3, centre + 0.3), (0.01, 0.2)
        else:
            amp, mu, width = (-np.inf, np.inf), (centre - 0.2, centre + 0.2), (0.02, 0.3)
        limits[:, k], limits[:, k + 1], limits[:, k + 2] = amp, mu, width
    return limits


def fit_mgii(
    spectrum: Any,
    wavelength: u.Quantity | npt.ArrayLike | None = None,
    *,
    init_vals: npt.ArrayLike | None = None,
    limits: npt.ArrayLike | None = None,
    wl_range: u.Quantity | Sequence[float] | None = None,
    four: bool = False,
    five: bool = False,
    plot: bool = True,
    **kwargs: Any,
) -> "SpectrumFit | FitResult | list[FitResult]":
    """
    Fit Mg II k and h with seven Gaussians (or four, or five).

    The seven components are, in order: k2v, k3 (negative amplitude: the central
    reversal), k2r, h2v, h3, h2r and the Mg II triplet blend at 2798.79 Å. ``four`` fits an
    emission and a reversal component per line (k, k3, h, h3); ``five`` adds the triplet.

    Parameters
    ----------
    spectrum : array, `~astropy.units.Quantity` or cube
        One spectrum, an array of spectra with wavelength last, or a cube.
    wavelength : array or `~astropy.units.Quantity`, optional
        Wavelengths (Å); taken from a cube if not given.
    init_vals : list, optional
        ``c, amp1, mu1, sigma1, ...``; by default from each spectrum's own shape: the
        peaks and cores read off its pixels, the amplitudes from a linear least-squares
        solve with those centres.
    limits : array, optional
        ``[[lower, ...], [upper, ...]]``; by default emission amplitudes >= 0, reversal
        amplitudes <= 0, centroids within 0.35 Å (the single emission components of the
        four- and five-component models 0.4 Å, the reversals 0.3 Å) of nominal.
    wl_range : pair of float, optional
        Fitted range, by default 2795.3-2804.6 Å.
    four, five : bool, optional
        Four or five components instead of seven.
    plot : bool, optional
        Plot a single-spectrum fit.
    **kwargs
        Passed to `fit_lines`.

    Returns
    -------
    SpectrumFit or FitResult

    Raises
    ------
    IrispyPlusFitError
        If the arguments do not fit the model.

    Examples
    --------
    >>> import numpy as np
    >>> from irispy_plus.fitting import fit_mgii
    >>> wave = 2795.0 + 0.02546 * np.arange(400)
    >>> profile = 20 + 300 * np.exp(-0.5 * ((wave - 2796.35) / 0.2) ** 2)
    >>> profile += 250 * np.exp(-0.5 * ((wave - 2803.53) / 0.2) ** 2)
    >>> fit = fit_mgii(profile, wave, four=True, plot=False)
    >>> fit.converged, fit.names[:4]
    (True, ['c', 'amp1', 'mu1', 'sigma1'])
    """
    n_comp = 4 if four else 5 if five else 7
    layout = _mgii_layout(n_comp)
    if wl_range is None:
        wl_range = [2795.3, 2804.6]
    components = ["gaussian"] * n_comp
    if limits is None:
        lo, hi = _wave_range(spectrum, wavelength)
        x = np.linspace(max(lo, wl_range[0]), min(hi, wl_range[1]), 3)
        limits = _mgii_limits(layout, LineModel(components), x)
    kwargs.setdefault("rest_wavelength", [c for c, _ in layout] * u.AA)
    kwargs.setdefault("ion", "Mg II")
    kwargs.setdefault("guess", partial(_mgii_guess, layout=layout))
    return _run(
        spectrum,
        wavelength,
        plot,
        components=components,
        init_vals=init_vals,
        limits=limits,
        wl_range=wl_range,
        **kwargs,
    )


def fit_gen(
    spectrum: Any,
    wavelength: u.Quantity | npt.ArrayLike | None = None,
    *,
    init_vals: npt.ArrayLike | None = None,
    limits: npt.ArrayLike | None = None,
    wl_range: u.Quantity | Sequence[float] | None = None,
    lorentz: bool = False,
    n_components: int | None = None,
    rest_wavelength: u.Quantity | float | Sequence[float] | None = None,
    plot: bool = True,
    **kwargs: Any,
) -> "SpectrumFit | FitResult | list[FitResult]":
    """
    Fit any line with Gaussians (or Lorentzians) on a constant background.

    The number of components is taken from ``init_vals`` (``c`` then three per
    component), or ``n_components``, or one.

    Parameters
    ----------
    spectrum : array, `~astropy.units.Quantity` or cube
        One spectrum, an array of spectra with wavelength last, or a cube.
    wavelength : array or `~astropy.units.Quantity`, optional
        Wavelengths (Å); taken from a cube if not given.
    init_vals : list, optional
        ``c, amp1, mu1, sigma1, ...``.
    limits : array, optional
        ``[[lower, ...], [upper, ...]]``.
    wl_range : pair of float, optional
        Fitted range.
    lorentz : bool, optional
        Lorentzian components.
    n_components : int, optional
        Number of components when ``init_vals`` is not given.
    rest_wavelength : float or `~astropy.units.Quantity`, optional
        Rest wavelength(s), for Doppler velocities; when given without ``init_vals``,
        one component is started at each.
    plot : bool, optional
        Plot a single-spectrum fit.
    **kwargs
        Passed to `fit_lines`.

    Returns
    -------
    SpectrumFit or FitResult

    Raises
    ------
    IrispyPlusFitError
        If ``init_vals`` does not have 1 + 3n values or the arguments do not fit the model.

    Examples
    --------
    >>> import numpy as np
    >>> from irispy_plus.fitting import fit_gen
    >>> wave = 1355.0 + 0.02596 * np.arange(50)
    >>> spectrum = 1 + 40 * np.exp(-0.5 * ((wave - 1355.6) / 0.04) ** 2)
    >>> fit = fit_gen(spectrum, wave, init_vals=[0, 30, 1355.6, 0.05], plot=False)
    >>> fit.best_vals.round(2).tolist()
    [1.0, 40.0, 1355.6, 0.04]
    """
    if init_vals is not None:
        size = np.shape(init_vals)[-1]
        if (size - 1) % 3:
            msg = f"init_vals has {size} values; fit_gen needs c then 3 per component (amp, mu, sigma)."
            raise IrispyPlusFitError(msg)
        n_comp = (size - 1) // 3
    elif n_components is not None:
        n_comp = int(n_components)
    elif rest_wavelength is not None:
        n_comp = max(1, np.size(rest_wavelength))
    else:
        n_comp = 1
    if init_vals is None and rest_wavelength is not None and np.size(rest_wavelength) == n_comp > 1:
        centres = u.Quantity(rest_wavelength, u.AA).to_value(u.AA).ravel()
        kwargs.setdefault("guess", partial(auto_guess, centers=centres))
    kind = "lorentzian" if lorentz else "gaussian"
    return _run(
        spectrum,
        wavelength,
        plot,
        components=[kind] * n_comp,
        init_vals=init_vals,
        limits=limits,
        wl_range=wl_range,
        rest_wavelength=rest_wavelength,
        **kwargs,
    )
