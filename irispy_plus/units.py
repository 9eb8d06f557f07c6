"""
The data numbers (DN) of the IRIS detectors as astropy units.

One DN of an IRIS camera stands for a fixed number of detected photons: 4 photons per DN
for the FUV spectrograph, 18 for the NUV spectrograph, 12 for the FUV slit-jaw bands
(1330, 1400) and 18 for the NUV bands (2796, 2832), as in the ``DN2PHOT_SG`` and
``DN2PHOT_SJI`` of the IRIS response files that SolarSoft's ``iris_get_response`` reads.
Defining each as its own unit lets ``cube.unit.to(u.ph)`` give photons directly.

The read noise is per camera: 3.1 DN for the FUV spectrograph, 1.2 DN for the NUV
spectrograph and for the slit-jaw camera (all bands), as in De Pontieu et al. (2014,
Solar Physics 289, 2733, the IRIS instrument paper) and as the IRIS team's Python
software uses them (``READOUT_NOISE`` in ``irispy/utils/constants.py`` of
irispy-lmsal, LM-SAL/irispy-lmsal on GitHub). `read_noise` gives it for a detector.

Examples
--------
>>> import astropy.units as u
>>> from irispy_plus.units import DN_FUV, DN_SJI_NUV, dn_unit
>>> (10 * DN_FUV).to(u.ph)
<Quantity 40. ph>
>>> dn_unit("SJI_2796") is DN_SJI_NUV
True
>>> read_noise("FUV"), read_noise(DN_SJI_NUV)
(<Quantity 3.1 DN_IRIS_FUV>, <Quantity 1.2 DN_IRIS_SJI_NUV>)
"""

import astropy.units as u

from irispy_plus.utils.exceptions import IrispyPlusDetectorError

__all__ = [
    "DN_FUV",
    "DN_NUV",
    "DN_SJI_FUV",
    "DN_SJI_NUV",
    "READ_NOISE",
    "dn_unit",
    "photon_uncertainty",
    "read_noise",
]

DN_FUV = u.def_unit("DN_IRIS_FUV", 4 * u.ph, doc="One data number of the IRIS FUV spectrograph")
DN_NUV = u.def_unit("DN_IRIS_NUV", 18 * u.ph, doc="One data number of the IRIS NUV spectrograph")
DN_SJI_FUV = u.def_unit("DN_IRIS_SJI_FUV", 12 * u.ph, doc="One data number of the FUV slit-jaw bands")
DN_SJI_NUV = u.def_unit("DN_IRIS_SJI_NUV", 18 * u.ph, doc="One data number of the NUV slit-jaw bands")
u.add_enabled_units([DN_FUV, DN_NUV, DN_SJI_FUV, DN_SJI_NUV])

_UNIT_BY_DETECTOR = {
    "FUV": DN_FUV,
    "NUV": DN_NUV,
    "SJI_1330": DN_SJI_FUV,
    "SJI_1400": DN_SJI_FUV,
    "SJI_2796": DN_SJI_NUV,
    "SJI_2832": DN_SJI_NUV,
    "SJI_1600": DN_SJI_FUV,
    "SJI_5000": DN_SJI_NUV,
}


#: Read noise of each IRIS camera, in that camera's DN (see the module docstring for the
#: sources): FUV spectrograph 3.1 DN; NUV spectrograph and slit-jaw camera 1.2 DN.
READ_NOISE = {
    DN_FUV: 3.1 * DN_FUV,
    DN_NUV: 1.2 * DN_NUV,
    DN_SJI_FUV: 1.2 * DN_SJI_FUV,
    DN_SJI_NUV: 1.2 * DN_SJI_NUV,
}


def read_noise(detector):
    """
    The read noise of an IRIS camera.

    3.1 DN for the FUV spectrograph, 1.2 DN for the NUV spectrograph and the slit-jaw
    camera (every band), from De Pontieu et al. (2014), the IRIS instrument paper, as
    irispy-lmsal's ``READOUT_NOISE`` uses them.

    Parameters
    ----------
    detector : str or astropy.units.Unit
        ``"FUV"``, ``"NUV"``, a slit-jaw band such as ``"SJI_1400"``, or one of the DN
        units of this module.

    Returns
    -------
    astropy.units.Quantity
        The read noise in the detector's DN unit.

    Raises
    ------
    IrispyPlusDetectorError
        If the detector is not one of IRIS's (a `ValueError` too).

    Examples
    --------
    >>> from irispy_plus.units import read_noise
    >>> read_noise("SJI_1330")
    <Quantity 1.2 DN_IRIS_SJI_FUV>
    """
    unit = detector if isinstance(detector, u.UnitBase) else dn_unit(detector)
    try:
        return READ_NOISE[unit]
    except KeyError:
        msg = (
            f"read_noise was given {unit}, which is not the DN unit of an IRIS camera; give a "
            f"detector name ({', '.join(sorted(_UNIT_BY_DETECTOR))}) or one of the DN units "
            f"{', '.join(map(str, READ_NOISE))}."
        )
        raise IrispyPlusDetectorError(msg) from None


def photon_uncertainty(data, unit):
    """
    The 1-sigma uncertainty of DN values from photon (Poisson) and read noise.

    ``sigma_DN = sqrt(max(DN, 0) / g + r**2)`` with ``g`` the photons per DN of the
    detector (``unit``) and ``r`` its read noise in DN (`irispy_plus.units.read_noise`:
    3.1 DN FUV, 1.2 DN NUV and slit-jaw). Lazy if ``data`` is.

    Parameters
    ----------
    data : array-like
        Values in DN.
    unit : astropy.units.Unit
        The detector's DN unit.

    Returns
    -------
    astropy.nddata.StdDevUncertainty

    Examples
    --------
    >>> import numpy as np
    >>> from irispy_plus.units import DN_FUV, photon_uncertainty
    >>> photon_uncertainty(np.array([0.0, 100.0]), DN_FUV).array.round(2)
    array([3.1 , 5.88])
    """
    import numpy as np
    from astropy.nddata import StdDevUncertainty

    photons_per_dn = unit.to(u.ph)
    noise = read_noise(unit).to_value(unit)
    variance = np.maximum(data, 0) / photons_per_dn + noise**2
    return StdDevUncertainty(variance**0.5, unit=unit)


def dn_unit(detector):
    """
    The DN unit of an IRIS detector.

    Parameters
    ----------
    detector : str
        ``"FUV"``, ``"NUV"`` or a slit-jaw band such as ``"SJI_1400"``.

    Returns
    -------
    astropy.units.Unit
        The DN unit of that detector.

    Raises
    ------
    IrispyPlusDetectorError
        If the detector is not one of IRIS's (a `ValueError` too).

    Examples
    --------
    >>> from irispy_plus.units import dn_unit
    >>> dn_unit("NUV")
    Unit("DN_IRIS_NUV")
    >>> dn_unit("SJI_9999")
    Traceback (most recent call last):
    ...
    irispy_plus.utils.exceptions.IrispyPlusDetectorError: Unknown IRIS detector 'SJI_9999': ...
    """
    try:
        return _UNIT_BY_DETECTOR[detector]
    except (KeyError, TypeError):
        msg = (
            f"Unknown IRIS detector {detector!r}: give one of {', '.join(sorted(_UNIT_BY_DETECTOR))} "
            "(the DETECTOR keyword of a Level 2 file, or cube.meta.detector)."
        )
        raise IrispyPlusDetectorError(msg) from None
