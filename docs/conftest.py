"""
Doctest fixtures of the narrative documentation.
"""

import pytest


@pytest.fixture(autouse=True)
def _doctest_tmp_path(doctest_namespace, tmp_path):
    doctest_namespace["tmp_path"] = tmp_path
