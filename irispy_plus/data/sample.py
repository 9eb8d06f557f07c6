"""
Paths to the sample IRIS Level 2 files shipped with irispy-plus.

The files are real IRIS Level 2 files cut down to every 10th pixel along the slit, along
wavelength and across slit-jaw images, and about one exposure in ten for sit-and-stare
and slit-jaw series; world coordinates still span the original observation.

=====================  ==========================================================
name                   what
=====================  ==========================================================
``SNS_RASTER``         OBSID 3620258102, 2021-09-05, medium sit-and-stare, 7 windows
``SNS_SJI_1330``       its 1330 slit-jaw
``SNS_SJI_1400``       its 1400 slit-jaw
``SNS_SJI_2796``       its 2796 slit-jaw (deconvolved)
``SNS_SJI_2832``       its 2832 slit-jaw (deconvolved)
``RASTER_SERIES``      OBSID 3860258481, 2014-03-29, 8-step raster: repeats 0, 1, 2
``RASTER``             the first file of that series
``SJI_1400``           OBSID 3880012095, 2023-04-08: 1400 slit-jaw, two frames
``SJI_2832``           OBSID 3880012095, 2023-04-08: 2832 slit-jaw, two frames
=====================  ==========================================================

Examples
--------
>>> from irispy_plus.data import sample
>>> sample.SNS_RASTER.name
'iris_l2_20210905_001833_3620258102_raster_t000_r00000.fits'
>>> len(sample.RASTER_SERIES)
3
"""

from pathlib import Path

__all__ = [
    "ALL_FILES",
    "RASTER",
    "RASTER_SERIES",
    "SAMPLE_DIR",
    "SJI_1400",
    "SJI_2832",
    "SNS_DIR",
    "SNS_RASTER",
    "SNS_SJI_1330",
    "SNS_SJI_1400",
    "SNS_SJI_2796",
    "SNS_SJI_2832",
]

SAMPLE_DIR = Path(__file__).parent / "sample_files"
SNS_DIR = SAMPLE_DIR / "sns"
_SNS_STEM = "iris_l2_20210905_001833_3620258102"
SNS_RASTER = SNS_DIR / f"{_SNS_STEM}_raster_t000_r00000.fits"
SNS_SJI_1330 = SNS_DIR / f"{_SNS_STEM}_SJI_1330_t000.fits"
SNS_SJI_1400 = SNS_DIR / f"{_SNS_STEM}_SJI_1400_t000.fits"
SNS_SJI_2796 = SNS_DIR / f"{_SNS_STEM}_SJI_2796_t000.fits"
SNS_SJI_2832 = SNS_DIR / f"{_SNS_STEM}_SJI_2832_t000.fits"
RASTER_SERIES = tuple(
    SAMPLE_DIR / "raster" / f"iris_l2_20140329_140938_3860258481_raster_t000_r{repeat:05d}.fits"
    for repeat in range(3)
)
RASTER = RASTER_SERIES[0]
SJI_1400 = SAMPLE_DIR / "sji" / "iris_l2_20230408_110821_3880012095_SJI_1400_t000.fits"
SJI_2832 = SAMPLE_DIR / "sji" / "iris_l2_20230408_110821_3880012095_SJI_2832_t000.fits"
ALL_FILES = (
    SNS_RASTER,
    SNS_SJI_1330,
    SNS_SJI_1400,
    SNS_SJI_2796,
    SNS_SJI_2832,
    *RASTER_SERIES,
    SJI_1400,
    SJI_2832,
)
