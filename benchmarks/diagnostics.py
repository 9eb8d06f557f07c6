"""
Benchmark: Mg II k and h features of a whole raster against a per-spectrum loop.

A synthetic Mg II raster of 320 steps x 548 slit pixels at the IRIS NUV sampling
(0.02546 Å/px, 2794-2806 Å: 472 pixels per spectrum, float32): k and h profiles with
Doppler shifts within ±10 km/s, reversal depths 0.2-0.7 and a peak signal-to-noise of
20-100. `mg_features` runs on it in memory and as a dask array (the way a lazily read
file arrives, 16-step chunks, on the threaded scheduler: both cores).

The baseline is the same method applied one spectrum at a time in a Python loop (the
way SolarSoft's ``iris_get_mg_features_lev2`` runs), over a subset, scaled per spectrum;
it even reuses the spline matrices, which the IDL routine rebuilds for every spectrum.
The agreement of the two on the subset is reported.

The CPU times are printed too: on a shared machine the wall time of a run can be several
times its CPU time.

Run: ``python benchmarks/diagnostics.py [--quick]``.
"""

import sys
import time

import numpy as np

from irispy_plus.diagnostics import mg_features
from irispy_plus.diagnostics._mg_arrays import MGII_H_REST, MGII_K_REST, feature_block, line_setup
from irispy_plus.diagnostics._mg_features import _triplet_setup
from irispy_plus.diagnostics.synthetic import mg_model

STEP = 0.02546


def raster(rng, shape=(320, 548)):
    wave = 2794.0 + STEP * np.arange(472)
    n_steps, n_slit = shape
    profiles = np.empty((n_slit, wave.size))
    for j in range(n_slit):
        shift = rng.uniform(-10, 10)
        depth = rng.uniform(0.2, 0.7)
        k = {"centre": shift, "core": shift + rng.uniform(-3, 3), "depth": depth}
        h = {"centre": shift, "core": k["core"], "depth": 0.9 * depth}
        profiles[j] = mg_model(wave, k=k, h=h) * rng.uniform(0.5, 2.0)
    snr = rng.uniform(20, 100, n_slit)
    sigma = np.sqrt(profiles * profiles.max(axis=1, keepdims=True)) / snr[:, None]
    data = np.empty((n_steps, n_slit, wave.size), dtype=np.float32)
    for i in range(n_steps):
        data[i] = profiles + rng.normal(size=profiles.shape) * sigma
    return wave, data


def loop(wave, spectra):
    """The same method, one spectrum at a time."""
    setups = [line_setup(wave, rest, (-40.0, 40.0), 300, 0.0) for rest in (MGII_K_REST, MGII_H_REST)]
    triplet = _triplet_setup(wave)
    out = np.empty((spectra.shape[0], 17))
    for i, spectrum in enumerate(spectra):
        out[i] = feature_block(
            spectrum[None, :], None, x=wave, setups=setups, noise_limit=0.1, triplet=triplet
        )[0]
    return out


def best_of(func, repeat):
    """Shortest wall time of ``repeat`` calls, the CPU time of that call, and its result."""
    best = (np.inf, np.inf)
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        result = func()
        best = min(best, (time.perf_counter() - w0, time.process_time() - c0))
    return best, result


def main(quick=False):
    import dask
    import dask.array as da

    rng = np.random.default_rng(42)
    shape = (40, 548) if quick else (320, 548)
    wave, data = raster(rng, shape)
    n = data.shape[0] * data.shape[1]
    print(f"Mg II raster {shape[0]} x {shape[1]} x {wave.size} (float32), {n:,} spectra")
    (t_vec, cpu_vec), maps = best_of(lambda: mg_features(data, wave), 1 if quick else 3)
    print(f"  mg_features in memory:      {t_vec:6.2f} s  ({n / t_vec:,.0f} spectra/s; CPU {cpu_vec:.2f} s)")
    lazy = da.from_array(data, chunks=(16, 548, wave.size))
    with dask.config.set(scheduler="threads", num_workers=2):
        (t_lazy, cpu_lazy), maps_lazy = best_of(lambda: mg_features(lazy, wave), 1 if quick else 3)
    print(f"  mg_features as dask array:  {t_lazy:6.2f} s  (target < 5 s; CPU {cpu_lazy:.2f} s on 2 threads)")
    same = np.allclose(maps["k3_velocity"].data, maps_lazy["k3_velocity"].data, equal_nan=True, atol=1e-9)
    print(f"  dask vs in memory: same k3 velocities: {same}")
    subset = data.reshape(n, -1)[rng.choice(n, 500 if quick else 2000, replace=False)]
    (t_loop, _), looped = best_of(lambda: loop(wave, subset), 1)
    per_spectrum = t_loop / subset.shape[0]
    scaled = per_spectrum * n
    print(f"  per-spectrum loop: {per_spectrum * 1e3:6.3f} ms/spectrum -> {scaled:6.1f} s for the raster")
    print(f"  speed-up vs the loop: {scaled / t_vec:6.1f}x in memory, {scaled / t_lazy:6.1f}x dask (>= 50x)")
    vector = mg_features(subset, wave)
    agree = np.allclose(vector["k3_velocity"].data, looped[:, 0], equal_nan=True, atol=1e-6)
    print(f"  loop and vectorised agree on the subset (k3 velocity): {agree}")
    flags = maps["k_flags"].data
    print(
        f"  k profiles with no flag: {np.mean(flags == 0):.1%}; single-peaked: {np.mean(flags & 128 > 0):.1%}"
    )


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
