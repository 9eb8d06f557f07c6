"""
5. Quick look, and its keys
===========================

ITN 45's ``iris_raster.quick_look()`` shows three linked panels: the map at one
wavelength, the slit spectra at one step and the spectrum at one point. irispy-plus has
the same viewer, with the same keys, on any raster cube, sequence or collection
(``cube.quick_look()``, or `irispy_plus.visualization.quick_look`), and one for slit-jaws.

In a script or notebook, move the pointer and press keys; this page is built without a
screen, so it moves the viewer from code and shows a static figure of what it showed.
"""

import matplotlib.pyplot as plt

from irispy_plus import read_files
from irispy_plus.data import sample
from irispy_plus.visualization import quick_look, show_poi

obs = read_files(sample.SNS_RASTER, as_observation=True)
viewer = quick_look(obs.raster, window="Si IV 1403", gamma=0.6)
# The viewer's figure lives on through the next cells: draw it only at the end.
# sphinx_gallery_defer_figures

# %%
# The keys
# --------
# ``?`` prints this table in the viewer.
print(viewer.help_text)
# sphinx_gallery_defer_figures

# %%
# Moving from code
# ----------------
# What the pointer and the keys do is also a method: ``move`` (pointer and arrows),
# ``change_window`` (``n``/``m``), ``contrast`` (``u``/``i``/``o``/``p``).
viewer.move(step=120, slit=22, wave=14)
print(viewer.window.label, viewer.step, viewer.slit, viewer.wave)
# sphinx_gallery_defer_figures

# %%
# A static figure of what the viewer shows
# ----------------------------------------
# ``viewer.snapshot()`` keeps the panels with their limits and contrast;
# `~irispy_plus.visualization.show_poi` draws them again, here with colour bars (and
# ``viewer.build_figure("view.png")`` writes the same to a file). ``viewer.quit()`` (or
# ``q``) closes the viewer.
fig = show_poi(viewer.snapshot(), colorbar=True)
viewer.quit()
plt.show()
