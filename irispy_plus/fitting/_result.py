"""
The result of fitting many spectra: parameter maps, uncertainties, chi-square and flags.
"""

from collections.abc import Sequence
from typing import Any

import astropy.constants as const
import astropy.units as u
import numpy as np
import numpy.typing as npt
from astropy.nddata import StdDevUncertainty
from astropy.wcs import WCS
from ndcube import NDCube

from irispy_plus.fitting._flags import FAILED, FitFlag
from irispy_plus.fitting._models import LineModel
from irispy_plus.physics.nonthermal import FWHM_PER_SIGMA, nonthermal_velocity
from irispy_plus.physics.velocities import doppler_velocity, reference_offset
from irispy_plus.utils._plotting import as_map
from irispy_plus.utils.exceptions import IrispyPlusFitError
from irispy_plus.utils.quality import DerivedMap, QualityFlag

__all__ = ["FitResult", "pixel_wcs"]


_C_KMS = const.c.to(u.km / u.s)


def pixel_wcs(ndim):
    """
    A WCS of ``ndim`` pixel axes, for maps of inputs that carry no coordinates.

    Examples
    --------
    >>> list(pixel_wcs(2).wcs.ctype)
    ['PIXEL', 'PIXEL']
    """
    wcs = WCS(naxis=max(ndim, 1))
    wcs.wcs.ctype = ["PIXEL"] * max(ndim, 1)
    return wcs


class FitResult:
    """
    Fitted line parameters for every spectrum of a cube or array.

    The result holds plain arrays plus a WCS and metadata, so that it can be written out
    and read back (an ASDF converter needs exactly the attributes listed below); the
    maps it hands out (parameters, intensity, width, Doppler and non-thermal velocity)
    are built on request from them, as `~irispy_plus.utils.quality.DerivedMap` cubes:
    masked where the fit failed, and with the fit's `flags` as their ``flags``.

    Parameters
    ----------
    model : LineModel
        The fitted model (its ``reference`` is the wavelength about which a linear
        background is expanded).
    values, errors : numpy.ndarray
        Best values and 1-sigma uncertainties, shape ``(*shape, P)``; NaN where a spectrum
        was not fitted, NaN uncertainty for a parameter the data do not determine
        (flag ``SINGULAR``), 0 for fixed parameters.
    chi2 : numpy.ndarray
        Reduced chi-square per spectrum, shape ``shape``.
    flags : numpy.ndarray
        `~irispy_plus.fitting.FitFlag` bits per spectrum (int32, 0 = converged).
    n_iterations : numpy.ndarray
        Iterations used per spectrum.
    wavelength : `~astropy.units.Quantity`
        The wavelengths that were fitted (after ``wl_range``), shape ``(M,)``.
    unit : `~astropy.units.Unit`, optional
        The unit of the fitted data (amplitudes and background carry it).
    wcs : WCS-like, optional
        WCS of the maps (the input cube's WCS with the spectral axis dropped); a pixel
        WCS when the input was a bare array.
    profile_wcs : WCS-like, optional
        WCS of the fitted spectral range (used by `profile`).
    extra_coords, global_coords : optional
        The input cube's extra and global coordinates with the spectral axis dropped
        (time and exposure time per step for IRIS); copied into every map.
    meta : dict, optional
        ``rest_wavelength`` (Quantity or None), ``window`` (label or None), ``ion``,
        ``observer_radial_velocity`` (Quantity per exposure or None), ``wl_range``,
        ``constraints`` (ties and fixed, plain values), ``absolute_sigma``; free to extend.

    Attributes
    ----------
    model, values, errors, chi2, flags, n_iterations, wavelength, unit, wcs, profile_wcs,
    extra_coords, global_coords, meta
        As given.

    Examples
    --------
    >>> import numpy as np
    >>> from irispy_plus.fitting import fit_gen
    >>> x = 1402.77 + 0.02596 * np.arange(-20, 21)
    >>> spectra = 2 + 100 * np.exp(-0.5 * ((x - 1402.8) / 0.05) ** 2) * np.ones((3, 1))
    >>> result = fit_gen(spectra, x, rest_wavelength=1402.77)
    >>> result.shape, result.parameter_names
    ((3,), ['c', 'amp1', 'mu1', 'sigma1'])
    >>> result.doppler_velocity().data.round(2)
    array([6.41, 6.41, 6.41])
    """

    def __init__(
        self,
        model: LineModel | dict,
        values: npt.ArrayLike,
        errors: npt.ArrayLike,
        chi2: npt.ArrayLike,
        flags: npt.ArrayLike,
        *,
        n_iterations: npt.ArrayLike,
        wavelength: u.Quantity | npt.ArrayLike,
        unit: u.UnitBase | str | None = None,
        wcs: Any = None,
        profile_wcs: Any = None,
        extra_coords: Any = None,
        global_coords: Any = None,
        meta: dict | None = None,
    ) -> None:
        self.model = model if isinstance(model, LineModel) else LineModel.from_dict(model)
        self.values = np.asarray(values, dtype=float)
        self.errors = np.asarray(errors, dtype=float)
        self.chi2 = np.asarray(chi2, dtype=float)
        self.flags = np.asarray(flags, dtype=np.int32)
        self.n_iterations = np.asarray(n_iterations, dtype=np.int32)
        self.wavelength = u.Quantity(wavelength, u.AA)
        self.unit = u.Unit(unit) if unit is not None else None
        self.wcs = wcs if wcs is not None else pixel_wcs(self.chi2.ndim)
        self.profile_wcs = profile_wcs
        self.extra_coords = extra_coords
        self.global_coords = global_coords
        self.meta = dict(meta or {})

    def __repr__(self):
        ok = int(np.count_nonzero(self.converged))
        return (
            f"<FitResult {self.model!r}: shape {self.shape}, {ok}/{self.chi2.size} converged, "
            f"window={self.meta.get('window')!r}>"
        )

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the maps (the input's shape without its spectral axis)."""
        return self.chi2.shape

    @property
    def parameter_names(self) -> list[str]:
        """Parameter names, e.g. ``['c', 'amp1', 'mu1', 'sigma1']``."""
        return self.model.parameter_names

    @property
    def converged(self) -> np.ndarray:
        """True where a spectrum was fitted and converged (bool array)."""
        return (self.flags & FAILED) == 0

    @property
    def failed(self) -> np.ndarray:
        """True where a spectrum has no usable fit (bool array)."""
        return ~self.converged

    def _unit_of(self, name):
        data_unit = self.unit if self.unit is not None else u.dimensionless_unscaled
        if name.startswith(("mu", "sigma", "gamma")):
            return u.AA
        if name == "slope":
            return data_unit / u.AA
        return data_unit

    def _index(self, name):
        try:
            return self.parameter_names.index(name)
        except ValueError:
            msg = f"{name!r} is not a fitted parameter; parameters are {self.parameter_names}."
            raise IrispyPlusFitError(msg) from None

    def _cube(self, data, unit, uncertainty=None, meta=None, low_signal=None):
        mask, flags = ~self.converged, self.flags
        if low_signal is not None:
            mask = mask | low_signal
            flags = np.where(low_signal, flags | int(QualityFlag.NOISY), flags).astype(np.int32)
        return as_map(
            DerivedMap(
                np.asarray(data),
                wcs=self.wcs,
                unit=unit,
                uncertainty=None if uncertainty is None else StdDevUncertainty(np.asarray(uncertainty)),
                mask=mask,
                meta={**self.meta, **(meta or {})},
                extra_coords=self.extra_coords,
                global_coords=self.global_coords,
                flags=flags,
            )
        )

    def parameter(self, name: str) -> DerivedMap:
        """
        The map of one parameter, with its uncertainty.

        Parameters
        ----------
        name : str
            A name from `parameter_names`, e.g. ``"mu1"``.

        Returns
        -------
        irispy_plus.utils.quality.DerivedMap
            Values with unit, `~astropy.nddata.StdDevUncertainty` uncertainties, mask True
            where the fit failed, and the input's celestial/time coordinates.

        Raises
        ------
        IrispyPlusFitError
            If ``name`` is not a parameter.
        """
        i = self._index(name)
        return self._cube(self.values[..., i], self._unit_of(name), self.errors[..., i], {"parameter": name})

    def uncertainty(self, name: str) -> DerivedMap:
        """
        The map of the 1-sigma uncertainty of one parameter.

        Parameters
        ----------
        name : str
            A name from `parameter_names`.

        Returns
        -------
        irispy_plus.utils.quality.DerivedMap
        """
        i = self._index(name)
        return self._cube(self.errors[..., i], self._unit_of(name), meta={"parameter": f"{name} error"})

    def __getitem__(self, name: str) -> DerivedMap:
        return self.parameter(name)

    @property
    def parameters(self) -> dict[str, DerivedMap]:
        """dict: one NDCube per parameter name (see `parameter`)."""
        return {name: self.parameter(name) for name in self.parameter_names}

    @property
    def uncertainties(self) -> dict[str, DerivedMap]:
        """dict: one NDCube of 1-sigma uncertainties per parameter name."""
        return {name: self.uncertainty(name) for name in self.parameter_names}

    @property
    def chi2_cube(self) -> DerivedMap:
        """ndcube.NDCube: reduced chi-square map."""
        return self._cube(self.chi2, u.dimensionless_unscaled, meta={"parameter": "reduced chi2"})

    @property
    def flags_cube(self) -> NDCube:
        """ndcube.NDCube: `~irispy_plus.fitting.FitFlag` bits map (the ``flags`` of every map of the fit)."""
        return as_map(
            NDCube(
                self.flags,
                wcs=self.wcs,
                meta={
                    **self.meta,
                    "parameter": "flags",
                    "bits": {flag.name: int(flag) for flag in FitFlag},
                },
                extra_coords=self.extra_coords,
                global_coords=self.global_coords,
            )
        )

    def _component(self, component):
        sl = self.model.component_slice(component)
        return sl.start, self.model.components[component - 1]

    def signal_to_noise(self, component: int = 1) -> DerivedMap:
        """
        The amplitude of a component over its 1-sigma uncertainty.

        A width or centroid is only as good as the line is bright: the maps of
        `intensity`, `line_width`, `doppler_velocity` and `nonthermal_velocity` take
        ``min_snr=`` to mask the spectra below a signal-to-noise ratio.

        Parameters
        ----------
        component : int, optional
            Component number, from 1.

        Returns
        -------
        irispy_plus.utils.quality.DerivedMap
            Dimensionless; NaN where the amplitude has no uncertainty.

        Examples
        --------
        >>> from irispy_plus import read_cube
        >>> from irispy_plus.data import sample
        >>> from irispy_plus.fitting import fit_siiv
        >>> fit = fit_siiv(read_cube(sample.RASTER, "Si IV 1403"), plot=False)
        >>> snr = fit.signal_to_noise()
        >>> bool((snr.data[~snr.mask] > 0).mean() > 0.5)
        True
        """
        return self._cube(
            self._amplitude_snr(component), u.dimensionless_unscaled, meta={"parameter": f"snr{component}"}
        )

    def _amplitude_snr(self, component):
        k, _ = self._component(component)
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.values[..., k] / np.where(self.errors[..., k] > 0, self.errors[..., k], np.nan)

    def _low_signal(self, component, min_snr):
        """Where the component's amplitude S/N is below ``min_snr`` or unknown (None if not asked)."""
        if min_snr is None:
            return None
        if isinstance(min_snr, bool) or not isinstance(min_snr, int | float | np.number) or not min_snr > 0:
            msg = f"min_snr={min_snr!r}: give a positive number (the amplitude over its error), e.g. 5."
            raise IrispyPlusFitError(msg)
        ratio = self._amplitude_snr(component)
        with np.errstate(invalid="ignore"):
            return ~(ratio >= min_snr)

    def intensity(self, component: int = 1, min_snr: float | None = None) -> DerivedMap:
        """
        Integrated line intensity of a component: ``amp * sigma * sqrt(2 pi)`` (Gaussian) or
        ``amp * gamma * pi`` (Lorentzian).

        Parameters
        ----------
        component : int, optional
            Component number, from 1.
        min_snr : float, optional
            Mask the spectra whose amplitude is below ``min_snr`` times its uncertainty
            (see `signal_to_noise`), and flag them ``NOISY``.

        Returns
        -------
        irispy_plus.utils.quality.DerivedMap
            In data unit times Å, with uncertainty (propagated from the amplitude and width
            uncertainties, their correlation neglected).
        """
        k, kind = self._component(component)
        factor = np.sqrt(2 * np.pi) if kind == "gaussian" else np.pi
        amp, width = self.values[..., k], self.values[..., k + 2]
        damp, dwidth = self.errors[..., k], self.errors[..., k + 2]
        value = factor * amp * width
        with np.errstate(invalid="ignore", divide="ignore"):
            error = np.abs(value) * np.hypot(damp / amp, dwidth / width)
        return self._cube(
            value,
            self._unit_of("amp") * u.AA,
            error,
            {"parameter": f"intensity{component}"},
            self._low_signal(component, min_snr),
        )

    def line_width(
        self, component: int = 1, fwhm: bool = False, velocity: bool = False, min_snr: float | None = None
    ) -> DerivedMap:
        """
        The width of a component.

        Parameters
        ----------
        component : int, optional
            Component number, from 1.
        fwhm : bool, optional
            Full width at half maximum instead of the Gaussian sigma (Lorentzian: gamma).
        velocity : bool, optional
            In km/s (relative to the rest wavelength) instead of Å.
        min_snr : float, optional
            Mask the spectra whose amplitude is below ``min_snr`` times its uncertainty
            (see `signal_to_noise`), and flag them ``NOISY``.

        Returns
        -------
        irispy_plus.utils.quality.DerivedMap
        """
        k, kind = self._component(component)
        scale = 1.0
        if fwhm:
            scale = FWHM_PER_SIGMA if kind == "gaussian" else 2.0
        value = self.values[..., k + 2] * scale * u.AA
        error = self.errors[..., k + 2] * scale * u.AA
        if velocity:
            rest = self._rest(component, None)
            value = (value / rest * _C_KMS).to(u.km / u.s)
            error = (error / rest * _C_KMS).to(u.km / u.s)
        return self._cube(
            value.value,
            value.unit,
            error.value,
            {"parameter": f"width{component}"},
            self._low_signal(component, min_snr),
        )

    def _rest(self, component, rest_wavelength):
        if rest_wavelength is not None:
            return u.Quantity(rest_wavelength, u.AA)
        rest = self.meta.get("rest_wavelength")
        if rest is None:
            msg = (
                "no rest wavelength is known for this fit; pass rest_wavelength= "
                "(see irispy_plus.physics.rest_wavelength)."
            )
            raise IrispyPlusFitError(msg)
        rest = u.Quantity(rest, u.AA)
        if rest.ndim:
            return rest[min(component, rest.size) - 1]
        return rest

    def doppler_velocity(
        self,
        component: int = 1,
        rest_wavelength: u.Quantity | float | None = None,
        observer: bool = False,
        reference: "FitResult | u.Quantity | None" = None,
        min_snr: float | None = None,
    ) -> DerivedMap:
        """
        Doppler velocity map of a component's centroid.

        Parameters
        ----------
        component : int, optional
            Component number, from 1.
        rest_wavelength : `~astropy.units.Quantity`, optional
            By default the one recorded at fitting time (``meta["rest_wavelength"]``).
        observer : bool, optional
            Subtract the observer's radial velocity per exposure (OBS_VRIX, recorded in
            ``meta["observer_radial_velocity"]`` from the input cube).
        reference : FitResult or `~astropy.units.Quantity`, optional
            A fit of a reference line (photospheric or low-chromospheric) of the same
            exposures, whose median velocity along the slit per exposure is taken as the
            zero point (its ``meta["rest_wavelength"]`` must be set), or the zero point
            itself (scalar or per exposure).
        min_snr : float, optional
            Mask the spectra whose amplitude is below ``min_snr`` times its uncertainty
            (see `signal_to_noise`), and flag them ``NOISY``.

        Returns
        -------
        irispy_plus.utils.quality.DerivedMap
            km/s, positive for red shifts, with uncertainty.

        Raises
        ------
        IrispyPlusFitError
            If no rest wavelength is known, or ``observer=True`` and the input had no
            observer velocity.
        """
        k, _ = self._component(component)
        rest = self._rest(component, rest_wavelength)
        orv = None
        if observer:
            orv = self.meta.get("observer_radial_velocity")
            if orv is None:
                msg = "observer=True but the fitted cube had no observer radial velocity (OBS_VRIX)."
                raise IrispyPlusFitError(msg)
            orv = u.Quantity(orv).to(u.km / u.s)
        if isinstance(reference, FitResult):
            ref_velocity = reference.doppler_velocity(observer=observer)
            reference = reference_offset(u.Quantity(ref_velocity.data, ref_velocity.unit), axis=-1)
        velocity = doppler_velocity(
            self.values[..., k + 1] * u.AA,
            rest,
            observer_radial_velocity=orv,
            reference=reference,
        )
        error = (self.errors[..., k + 1] * u.AA / rest * _C_KMS).to(u.km / u.s)
        return self._cube(
            velocity.value,
            velocity.unit,
            error.value,
            {"parameter": f"velocity{component}"},
            self._low_signal(component, min_snr),
        )

    def nonthermal_velocity(
        self,
        component: int = 1,
        ion: str | None = None,
        rest_wavelength: u.Quantity | float | None = None,
        min_snr: float | None = None,
        **kwargs: Any,
    ) -> DerivedMap:
        """
        Non-thermal velocity map of a Gaussian component (see
        `irispy_plus.physics.nonthermal_velocity` for the formula and keywords).

        Parameters
        ----------
        component : int, optional
            Component number, from 1.
        ion : str, optional
            The ion, e.g. ``"Si IV"``; by default ``meta["ion"]``.
        rest_wavelength : `~astropy.units.Quantity`, optional
            By default the one recorded at fitting time.
        min_snr : float, optional
            Mask the spectra whose amplitude is below ``min_snr`` times its uncertainty
            (see `signal_to_noise`), and flag them ``NOISY``: noise-dominated widths give
            non-thermal velocities of hundreds of km/s.
        **kwargs
            Passed on (``log_temperature``, ``instrumental``).

        Returns
        -------
        irispy_plus.utils.quality.DerivedMap
            km/s.
        """
        ion = ion or self.meta.get("ion")
        if ion is None:
            msg = "no ion is known for this fit; pass ion='Si IV' (for example)."
            raise IrispyPlusFitError(msg)
        width = self.line_width(component, min_snr=min_snr)
        return nonthermal_velocity(width, ion, self._rest(component, rest_wavelength), **kwargs)

    def profile(self, components: Sequence[int] | None = None) -> NDCube:
        """
        The fitted profiles on the fitted wavelengths.

        Parameters
        ----------
        components : list of int, optional
            Only these components (no background); the full model by default.

        Returns
        -------
        ndcube.NDCube
            Shape ``(*shape, M)`` in the data unit, with the input's WCS over the fitted
            range when known (a pixel WCS otherwise).
        """
        data = self.model.evaluate(self.wavelength.to_value(u.AA), self.values, components=components)
        wcs = self.profile_wcs if self.profile_wcs is not None else pixel_wcs(data.ndim)
        return NDCube(data, wcs=wcs, unit=self.unit, meta=dict(self.meta))

    def to_dict(self) -> dict[str, Any]:
        """
        The result as plain values (arrays, the model as a dict, the WCS objects as they are).

        Returns
        -------
        dict
            Keyword arguments that rebuild the result with ``FitResult(**d)``.
        """
        return {
            "model": self.model.to_dict(),
            "values": self.values,
            "errors": self.errors,
            "chi2": self.chi2,
            "flags": self.flags,
            "n_iterations": self.n_iterations,
            "wavelength": self.wavelength,
            "unit": self.unit,
            "wcs": self.wcs,
            "profile_wcs": self.profile_wcs,
            "extra_coords": self.extra_coords,
            "global_coords": self.global_coords,
            "meta": dict(self.meta),
        }
