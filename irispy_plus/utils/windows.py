"""
The IRIS standard spectral windows: their labels, channels and nominal ranges, and the
one order in which irispy-plus picks a window when none is named.

This is the one home of the window names. It sits at the bottom of the package (it
imports nothing from irispy-plus), so that every layer can use it: `irispy_plus.net`
for its search attributes, `irispy_plus.physics` for its line list and
`~irispy_plus.physics.windows`, the command line for its defaults.
"""

__all__ = ["HCR_WINDOWS", "PREFERRED_WINDOWS", "STANDARD_WINDOWS"]

#: label (as in Level 2 headers, TDESCn): (channel, nominal minimum, nominal maximum in
#: Å). The ranges are those of the full-size windows of common OBS tables; a given
#: observation may read out less.
STANDARD_WINDOWS = {
    "C II 1336": ("FUV short", 1332.6, 1337.4),
    "1343": ("FUV short", 1342.3, 1344.3),
    "Fe XII 1349": ("FUV short", 1347.6, 1350.9),
    "Cl I 1352": ("FUV short", 1350.9, 1352.4),
    "C I 1354": ("FUV short", 1353.5, 1355.1),
    "O I 1356": ("FUV short", 1352.2, 1356.5),
    "Si IV 1394": ("FUV long", 1390.8, 1395.9),
    "Si IV 1403": ("FUV long", 1398.6, 1406.1),
    "Mg II k 2796": ("NUV", 2790.4, 2806.7),
    "Mg II h 2803": ("NUV", 2801.5, 2805.5),
    "2814": ("NUV", 2812.5, 2816.4),
    "2826": ("NUV", 2824.7, 2828.6),
    "2832": ("NUV", 2831.2, 2834.3),
}

#: The window taken when none is named (``irispy-plus fit``, ``irispy-plus summary``):
#: the first of these that an observation has, else its first window. Si IV 1403 first
#: (the brightest optically thin transition-region line, fitted by
#: `~irispy_plus.fitting.fit_siiv`; 1403 rather than 1394 because more OBS tables read
#: it out), then Si IV 1394, then Mg II k (the chromosphere, fitted by
#: `~irispy_plus.fitting.fit_mgii`), then C II (optically thick, no preset).
PREFERRED_WINDOWS = ("Si IV 1403", "Si IV 1394", "Mg II k 2796", "C II 1336")

#: The windows the HEK Coverage Registry can be searched by: its window names that make
#: attribute names (the bare-number Mg II wing windows and "1343" do not).
HCR_WINDOWS = ("C II 1336", "O I 1356", "Si IV 1394", "Si IV 1403", "Fe XII 1349", "Mg II k 2796")
