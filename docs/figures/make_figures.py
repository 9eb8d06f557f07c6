"""
Draw the figures of the PSF, wavelength-correction and line-ratio pages.

Run from the repository root: ``python docs/figures/make_figures.py``. The PSF and drift
figures use synthetic data at full IRIS sampling (the bundled sample keeps every 10th
pixel); the ratio figure uses the bundled sample.
"""

from pathlib import Path

import astropy.units as u
import matplotlib as mpl
import numpy as np
import scipy.signal
from astropy.time import Time

HERE = Path(__file__).parent


def psf_figure(plt):
    from irispy_plus.calibration import PSF_NAMES, spectrograph_psf
    from irispy_plus.calibration._psf import richardson_lucy

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
    offsets = np.arange(-210, 211)
    for name in PSF_NAMES:
        left.semilogy(offsets, np.clip(spectrograph_psf(name), 1e-7, None), label=name, lw=1)
    left.set(xlim=(-40, 40), ylim=(1e-5, 1), xlabel="offset along the slit (unsummed pixels)", ylabel="PSF")
    left.legend(title="PSF")
    rows = np.arange(548)
    truth = (
        20 + 1000 * np.exp(-0.5 * ((rows - 250.3) / 0.7) ** 2) + 300 * np.exp(-0.5 * ((rows - 290) / 5) ** 2)
    )
    kernel = spectrograph_psf("2796")
    observed = scipy.signal.convolve(truth, kernel, mode="same", method="direct")
    sharp = richardson_lucy(observed[None], np.ones((1, 548), bool), kernel, 50)[0]
    right.plot(rows, truth, "k", lw=2, alpha=0.4, label="truth")
    right.plot(rows, observed, label="observed (2796 PSF)")
    right.plot(rows, sharp, "--", label="deconvolved, 50 iterations")
    right.set(xlim=(230, 320), xlabel="slit pixel", ylabel="DN")
    right.legend()
    fig.savefig(HERE / "psf_deconvolution.png", dpi=90)


def drift_figure(plt):
    from irispy_plus.calibration import ORBITAL_PERIOD, wavelength_drift
    from irispy_plus.testing.spectra import synthetic_raster

    rng = np.random.default_rng(3)
    seconds = np.arange(150) * 80.0
    drift = 0.02 * np.sin(2 * np.pi * seconds / ORBITAL_PERIOD.to_value(u.s) + 0.7) + 0.01
    x = 2799.0 + 0.02546 * np.arange(280)
    profile = np.full((seconds.size, x.size), 100.0)
    for centre, depth, sigma in [(2799.474, 0.5, 0.05), (2801.902, 0.3, 0.06), (2805.346, 0.4, 0.05)]:
        profile *= 1 - depth * np.exp(-0.5 * ((x[None] - (centre + drift[:, None])) / sigma) ** 2)
    data = profile[:, None, :] * rng.uniform(0.8, 1.2, (1, 8, 1))
    data = data + rng.normal(0, np.sqrt(data / 18 + 1.5**2))
    times = Time("2021-09-05T00:00:00") + seconds * u.s
    cube = synthetic_raster(data, [2799.0, 0.02546] * u.AA, times=times)
    table = wavelength_drift(cube)
    minutes = seconds / 60
    fig, ax = plt.subplots(figsize=(8, 3.5), layout="constrained")
    for label in ("Ni I 2799.474", "Mn I 2801.902", "Fe I 2805.346"):
        ax.plot(minutes, 1e3 * table[label].to_value(u.AA), ".", ms=3, label=label)
    ax.plot(minutes, 1e3 * drift, "k", lw=2, alpha=0.4, label="true drift")
    ax.plot(minutes, 1e3 * table["drift_NUV"].to_value(u.AA), "r--", label="fitted drift_NUV")
    ax.set(xlabel="minutes", ylabel="shift (mÅ)", title="Synthetic NUV raster, two orbits")
    ax.legend(ncol=2, fontsize="small")
    fig.savefig(HERE / "wavelength_drift.png", dpi=90)


def ratio_figure(plt):
    from irispy_plus import read_files
    from irispy_plus.data import sample
    from irispy_plus.diagnostics import SI_IV_THIN_RATIO, ratio_map

    windows = read_files(sample.SNS_RASTER, uncertainty=True, as_observation=True)
    out = ratio_map(windows, "Si IV 1393.76/1402.77", half_width=0.7 * u.AA)
    ratio = np.where(out["flags"].data == 0, out["ratio"].data, np.nan)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
    image = left.imshow(ratio.T, origin="lower", aspect="auto", vmin=0, vmax=4, cmap="coolwarm")
    left.set(xlabel="exposure", ylabel="slit pixel (every 10th)", title="Si IV 1393.76 / 1402.77")
    fig.colorbar(image, ax=left)
    right.hist(ratio[np.isfinite(ratio)], bins=60, range=(0, 5))
    right.axvline(SI_IV_THIN_RATIO, color="k", ls="--", label="optically thin")
    right.set(xlabel="ratio", ylabel="pixels", title="unflagged pixels")
    right.legend()
    fig.savefig(HERE / "si_iv_ratio.png", dpi=90)


def main():
    mpl.use("agg")
    import matplotlib.pyplot as plt

    psf_figure(plt)
    drift_figure(plt)
    ratio_figure(plt)


if __name__ == "__main__":
    main()
