"""
10. The slit-jaw movie viewer
=============================

ITN 45's ``sji_view`` plays a slit-jaw series fast. `irispy_plus.visualization.sji_view`
(or ``irispy-plus view FILE`` from a shell) does the same in a pyqtgraph window (the
``qt`` extra), reading one frame from disk per paint, so files larger than memory play.

This page is built without a screen: Qt runs offscreen (``QT_QPA_PLATFORM=offscreen``),
the viewer is stepped from code, and the frames it showed are drawn with matplotlib.
In a script, call ``viewer.exec()`` to play; in IPython, run ``%gui qt`` first.
"""

import os

import matplotlib.pyplot as plt

from irispy_plus import read_cube
from irispy_plus.data import sample
from irispy_plus.visualization import histo_opt, plot_map, show_poi, sji_quick_look, sji_view

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # only for this headless build

# %%
# The Qt viewer
# -------------
# Keys in the window: space plays and pauses, arrows step, ``-``/``+`` change the speed.
sji = read_cube(sample.SNS_SJI_1400)
viewer = sji_view(sji, gamma=0.7, cutoff=1e-3, fps=20)
for _ in range(20):
    viewer.step()
print(viewer.frame_index, "of", sji.data.shape[0])
shown = viewer.frame_index
viewer.widget.close()

# %%
# The frame it showed, on world axes
# ----------------------------------
# With the same contrast (`~irispy_plus.visualization.histo_opt`, the tutorial's
# clipping):
levels = histo_opt(sji[shown].data, cutoff=1e-3)
print(levels)
ax = plot_map(sji[shown], limits=(levels.low, levels.high))

# %%
# The matplotlib slit-jaw viewer
# ------------------------------
# Without Qt, ``sji.quick_look()`` (`~irispy_plus.visualization.sji_quick_look`) shows
# the image with a time bar and the tutorial's keys; it works in any matplotlib backend,
# notebooks included. Here the frame it shows, drawn again with a colour bar.
quick = sji_quick_look(sji)
quick.show_frame(shown)
print(quick.help_text)
fig = show_poi(quick.snapshot(), colorbar=True)
quick.quit()
plt.show()
