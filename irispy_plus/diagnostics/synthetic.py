"""
Synthetic Mg II k and h spectra with known features, for examples, tests and benchmarks.
"""

import astropy.constants as const
import numpy as np

from irispy_plus.diagnostics._mg_arrays import MGII_H_REST, MGII_K_REST

__all__ = ["MG_STEP", "mg_model", "mg_profile", "mg_spectra", "true_features"]

#: IRIS NUV spectral sampling, full resolution (Å per pixel).
MG_STEP = 0.02546
_C_KMS = const.c.to_value("km/s")

#: Default shape per line: peak amplitude, emission centre and width (km/s), reversal
#: centre, width (km/s) and depth (fraction).
_DEFAULT = {
    "k": {"amplitude": 300.0, "centre": 0.0, "width": 15.0, "core": 2.0, "core_width": 7.0, "depth": 0.6},
    "h": {"amplitude": 240.0, "centre": 0.0, "width": 14.0, "core": 2.0, "core_width": 7.0, "depth": 0.55},
}


def mg_model(wave, k=None, h=None, *, background=20.0, triplet=0.0, wing=0.0):
    """
    Noise-free Mg II profile on ``wave`` (Å): for each line an emission Gaussian with a
    multiplicative Gaussian reversal, on broad wings and a constant; ``triplet`` is the
    amplitude of a Gaussian at the triplet blend (negative: absorption); ``wing`` that of
    a rise away from each line (``1 - exp(-(v / 70 km/s)**2)``), which makes k1 and h1
    minima.
    """
    wave = np.asarray(wave, dtype=float)
    profile = np.full(wave.shape, float(background))
    for rest, name, given in ((MGII_K_REST, "k", k), (MGII_H_REST, "h", h)):
        p = {**_DEFAULT[name], **(given or {})}
        v = _C_KMS * (wave - rest) / rest
        emission = p["amplitude"] * np.exp(-0.5 * ((v - p["centre"]) / p["width"]) ** 2)
        reversal = 1 - p["depth"] * np.exp(-0.5 * ((v - p["core"]) / p["core_width"]) ** 2)
        profile += emission * reversal + 0.1 * p["amplitude"] / (1 + (v / 60.0) ** 2)
        profile += wing * (1 - np.exp(-((v / 70.0) ** 2)))
    if triplet:
        profile += triplet * np.exp(-0.5 * ((wave - 2798.79) / 0.04) ** 2)
    return profile


def mg_profile(start=2794.0, stop=2806.0, step=MG_STEP, **kwargs):
    """Wavelengths (Å) and the noise-free profile of `mg_model` sampled on them."""
    wave = start + step * np.arange(round((stop - start) / step) + 1)
    return wave, mg_model(wave, **kwargs)


def mg_spectra(n, snr, seed=0, **kwargs):
    """
    ``n`` noisy copies of `mg_profile`: Gaussian noise of photon-like scaling with a
    signal-to-noise ratio ``snr`` at the highest peak. Returns wavelengths and ``(n, M)``.
    """
    wave, profile = mg_profile(**kwargs)
    rng = np.random.default_rng(seed)
    sigma = np.sqrt(profile * profile.max()) / snr
    return wave, profile + rng.normal(size=(n, profile.size)) * sigma


def true_features(line="k", vrange=(-40, 40), **kwargs):
    """
    Core and peaks of the noise-free model, found on a 0.001 km/s grid: a dict of
    ``(velocity, intensity)`` for ``"3"``, ``"2v"``, ``"2r"``, and ``"1v"``, ``"1r"``
    (the lowest points between the ends of ``vrange`` and the peaks).
    """
    rest = MGII_K_REST if line == "k" else MGII_H_REST
    v = np.arange(vrange[0], vrange[1], 0.001)
    model_kwargs = {key: kwargs[key] for key in ("k", "h", "background", "triplet", "wing") if key in kwargs}
    y = mg_model(rest * (1 + v / _C_KMS), **model_kwargs)
    inner = np.flatnonzero((y[1:-1] > y[:-2]) & (y[1:-1] >= y[2:])) + 1
    maxima = inner[np.argsort(y[inner])[-2:]]
    lo, hi = np.sort(maxima)
    core = lo + np.argmin(y[lo:hi])
    blue = np.argmin(y[:lo])
    red = hi + np.argmin(y[hi:])
    return {
        "3": (v[core], y[core]),
        "2v": (v[lo], y[lo]),
        "2r": (v[hi], y[hi]),
        "1v": (v[blue], y[blue]),
        "1r": (v[red], y[red]),
    }
