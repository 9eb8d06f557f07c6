"""
Benchmark: PSF deconvolution of a whole window against a per-slit scipy loop.

A synthetic FUV window of 320 exposures x 548 slit pixels x 800 wavelengths (float32,
the size of a full-resolution Si IV raster window) is deconvolved along the slit with
`irispy_plus.calibration.richardson_lucy`'s vectorised Richardson-Lucy (the engine of
`deconvolve_psf`: all 256,000 columns iterated at once, FFT convolutions in blocks) with
the 1394 PSF and 10 iterations (the FUV default).

The baseline is the textbook loop, one slit at a time, each iteration two
`scipy.signal.fftconvolve` calls (the structure of scikit-image's ``richardson_lucy``). It
runs on a subset of the columns (``--baseline-columns``) and is scaled per column, in the
same run; the two results are compared on that subset.

The same is reported for a NUV window (2796 PSF, 50 iterations) on fewer exposures.

Run: ``python benchmarks/psf.py [--quick] [--baseline-columns N]``.
"""

import argparse
import time

import numpy as np
import scipy.signal

from irispy_plus.calibration import spectrograph_psf
from irispy_plus.calibration._psf import _deconvolve_block


def synthetic_window(rng, shape):
    """Smooth spectra times a structured slit profile, with Poisson-like noise, float32."""
    n_exp, n_slit, n_wave = shape
    rows = np.arange(n_slit)[:, None]
    wave = np.arange(n_wave)[None, :]
    lines = (
        5 + 400 * np.exp(-0.5 * ((wave - n_wave / 2) / 6) ** 2) + 80 * np.exp(-0.5 * ((wave - 150) / 4) ** 2)
    )
    out = np.empty(shape, dtype=np.float32)
    for i in range(n_exp):
        slit = 1 + 3 * np.exp(-0.5 * ((rows - rng.uniform(50, n_slit - 50)) / rng.uniform(0.7, 3)) ** 2)
        slit += 0.5 * np.sin(rows / rng.uniform(5, 30))
        out[i] = np.clip(slit, 0.1, None) * lines
    return (out + rng.normal(0, 2, shape)).astype(np.float32)


def loop_baseline(columns, kernel, iterations):
    """Per-slit Richardson-Lucy with scipy.signal.fftconvolve."""
    mirror = kernel[::-1]
    out = np.empty_like(columns)
    for j, column in enumerate(columns):
        observed = np.maximum(column, 0)
        estimate = observed.copy()
        for _ in range(iterations):
            blurred = scipy.signal.fftconvolve(estimate, kernel, mode="same")
            ratio = np.where(blurred > 0, observed / np.where(blurred > 0, blurred, 1), 0)
            estimate *= scipy.signal.fftconvolve(ratio, mirror, mode="same")
        out[j] = estimate
    return out


def run(name, shape, iterations, baseline_columns, rng):
    data = synthetic_window(rng, shape)
    kernel = spectrograph_psf(name)
    start, cpu = time.perf_counter(), time.process_time()
    result = _deconvolve_block(data, None, axis=1, kernel=kernel, iterations=iterations)
    vectorised, vectorised_cpu = time.perf_counter() - start, time.process_time() - cpu
    n_columns = shape[0] * shape[2]
    picks = rng.choice(n_columns, size=min(baseline_columns, n_columns), replace=False)
    columns = np.moveaxis(data, 1, -1).reshape(-1, shape[1])[picks].astype(float)
    start, cpu = time.perf_counter(), time.process_time()
    reference = loop_baseline(columns, kernel, iterations)
    loop = (time.perf_counter() - start) * n_columns / picks.size
    loop_cpu = (time.process_time() - cpu) * n_columns / picks.size
    ours = np.moveaxis(result, 1, -1).reshape(-1, shape[1])[picks]
    inner = slice(kernel.size // 2, shape[1] - kernel.size // 2) if shape[1] > kernel.size else slice(60, -60)
    scale = np.abs(reference[:, inner]).max()
    difference = np.abs(ours[:, inner] - reference[:, inner]).max() / scale
    print(
        f"{name} PSF, {iterations} iterations, {shape[0]} x {shape[1]} x {shape[2]} "
        f"({n_columns:,} slits): vectorised {vectorised:.2f} s, per-slit loop {loop:.1f} s "
        f"(scaled from {picks.size} slits) -> {loop / vectorised:.1f}x wall; CPU time "
        f"{vectorised_cpu:.2f} s vs {loop_cpu:.1f} s -> {loop_cpu / vectorised_cpu:.1f}x; "
        f"max difference away from the slit ends {difference:.1e} of the peak"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--quick", action="store_true", help="a 32-exposure window instead of 320")
    parser.add_argument("--baseline-columns", type=int, default=1000)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    n_exp = 32 if args.quick else 320
    run("1394", (n_exp, 548, 800), 10, args.baseline_columns, rng)
    run("2796", (max(n_exp // 10, 4), 548, 800), 50, args.baseline_columns // 5, rng)


if __name__ == "__main__":
    main()
