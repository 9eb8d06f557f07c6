"""
``python -m irispy_plus.cli``: the ``irispy-plus`` command.
"""

import sys

from irispy_plus.cli import main

sys.exit(main())
