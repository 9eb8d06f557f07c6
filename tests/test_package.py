"""
``import irispy_plus``: cheap, its public names lazy, and the HCR client registered with
Fido whichever of irispy_plus and sunpy.net is imported first.
"""

import subprocess
import sys
import textwrap

import pytest

import irispy_plus

_CHECK_FIDO = """
from sunpy.net import Fido, attrs as a
from irispy_plus.net import IRISHCRClient
assert IRISHCRClient in Fido.registry
query = a.iris.OBSID(3620258102)
assert Fido._check_registered_widgets(query) == [IRISHCRClient]
"""


def _python(code):
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(
    "first",
    [
        # sunpy.net imported later: registered right after its import.
        "import sys, irispy_plus\nassert 'sunpy.net' not in sys.modules",
        # irispy_plus.net imports sunpy.net itself, part way through its own import.
        "import irispy_plus.net",
    ],
)
def test_the_client_is_registered_with_fido(first):
    # (sunpy.net imported first is the net package's doctest.)
    _python(first + "\n" + _CHECK_FIDO)


def test_import_is_cheap_and_names_are_lazy():
    out = _python(
        """
        import sys
        import irispy_plus
        print(sorted({name.split(".")[0] for name in sys.modules} & {"sunpy", "ndcube", "astropy", "asdf"}))
        """
    )
    assert out.strip() == "[]"


def test_public_names():
    from irispy_plus import read_files, save

    assert (read_files.__module__, save.__module__) == ("irispy_plus.io.read", "irispy_plus.asdf._io")
    assert set(irispy_plus.__all__) <= set(dir(irispy_plus))
    assert irispy_plus.net.IRISHCRClient.__name__ == "IRISHCRClient"
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        irispy_plus.nonsense


def test_info_messages_are_not_passed_on_by_default(caplog):
    # sunpy.net sets the root logger to INFO with a handler: irispy-plus INFO lines used
    # to be printed by every script that imported it.
    import logging

    from irispy_plus.utils.config import conf
    from irispy_plus.utils.logger import log

    with caplog.at_level(logging.INFO):
        log.info("hidden %s", 1)
        log.warning("shown %s", 2)
        with conf.set_temp("log_level", "INFO"):
            log.info("shown %s", 3)
        log.setLevel(logging.INFO)
        try:
            log.info("shown %s", 4)
        finally:
            log.setLevel(logging.NOTSET)
    assert [record.getMessage() for record in caplog.records] == ["shown 2", "shown 3", "shown 4"]
