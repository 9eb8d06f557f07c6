"""
Cleaning IRIS data: dust specks on the slit-jaw images, spikes (cosmic-ray hits and hot
pixels) in the spectrograph data.

Each function returns a new cube and a boolean array of what it changed; the input is
never modified.
"""

from irispy_plus.cleaning._dust import find_dust, remove_dust
from irispy_plus.cleaning._spikes import find_spikes, remove_spikes

__all__ = ["find_dust", "find_spikes", "remove_dust", "remove_spikes"]
