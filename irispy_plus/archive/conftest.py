"""
Doctest set-up for irispy_plus.archive: examples write into a fresh temporary folder.
"""

import pytest


@pytest.fixture(autouse=True)
def _doctest_tmp_path(doctest_namespace, tmp_path):
    doctest_namespace["tmp_path"] = tmp_path
