"""
Helpers for the tests and benchmarks of irispy-plus, and for code built on it: files
and archives made from the bundled sample, a loopback HCR and IRIS archive, synthetic
spectra and cubes, checks of ASDF round trips, viewer events, and a guard that keeps
tests off the network.

Import them from their modules (importing this package imports none of them):

- `irispy_plus.testing.files`: int16, ``.fits.gz`` and ``raster.tar.gz`` copies of sample
  files, full-size synthetic files, in-memory ``.tar.gz`` archives, ``files_under``.
- `irispy_plus.testing.archives`: folder trees of observations in Fido's layout
  (``make_archive``), and batch functions that are slow, fail or kill their worker.
- `irispy_plus.testing.hcr_events`: HCR events in the shape of real answers.
- `irispy_plus.testing.hcr_server`: ``HCRTestServer``, a real HTTP server on 127.0.0.1
  playing the HCR and the IRIS archive, with faults on demand.
- `irispy_plus.testing.spectra`: noisy spectra with known parameters and spectrograph
  cubes with a real IRIS WCS around given data.
- `irispy_plus.testing.asdf_checks`: comparisons of saved and loaded objects, and
  objects whose writing fails or stalls part way.
- `irispy_plus.testing.viewer_events`: key and mouse events sent through a viewer.
- `irispy_plus.testing.network`: ``no_outside_connections``, the guard the test suite
  runs under.
"""

__all__: list[str] = []
