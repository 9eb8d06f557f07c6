"""
Keep tests off the network: connections to anything but this machine raise.

`no_outside_connections` patches `socket.socket` so that connecting to an address that is
not a loopback one (``127.0.0.0/8``, ``::1``, ``localhost``) raises
`OutsideConnectionError`, and `socket.getaddrinfo` so that looking up another machine's
name does too (before any DNS query goes out). Unix sockets, loopback servers (the
`~irispy_plus.testing.hcr_server.HCRTestServer`, a dask ``LocalCluster``) and parfive or
aiohttp downloads from them keep working. The test suite turns it on for every test
(``tests/conftest.py``).

Examples
--------
>>> import socket
>>> from irispy_plus.testing.network import OutsideConnectionError, no_outside_connections
>>> with no_outside_connections():
...     try:
...         socket.create_connection(("192.0.2.1", 80), timeout=1)
...     except OutsideConnectionError as error:
...         print(str(error)[:66])
A test tried to connect to ('192.0.2.1', 80), outside this machine
"""

import contextlib
import ipaddress
import socket

__all__ = ["OutsideConnectionError", "is_loopback", "no_outside_connections"]

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


class OutsideConnectionError(RuntimeError):
    """
    A test tried to reach another machine while `no_outside_connections` was on.

    A `RuntimeError`, not an `OSError`: code that turns network failures into its own
    errors lets it through, so the test fails with this message.
    """


def is_loopback(host):
    """
    Whether ``host`` (a name or an address) is this machine's loopback interface.

    Parameters
    ----------
    host : str, bytes or None
        A host name, an IPv4 or IPv6 address (a scope ``%eth0`` is ignored), or None or an
        empty string (the local host, as the socket functions read them).

    Returns
    -------
    bool

    Examples
    --------
    >>> from irispy_plus.testing.network import is_loopback
    >>> [is_loopback(host) for host in ("127.0.0.1", "::1", "localhost", "www.lmsal.com", "8.8.8.8")]
    [True, True, True, False, False]
    """
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip().strip("[]").lower()
    if host in _LOOPBACK_NAMES or host == "":
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def _refuse(what, address):
    msg = (
        f"A test tried to connect to {address!r}, outside this machine ({what}). The tests run "
        "without network: serve what is needed on 127.0.0.1 (irispy_plus.testing.hcr_server."
        "HCRTestServer plays the HCR and the IRIS archive) and point the code at it."
    )
    raise OutsideConnectionError(msg)


def _check_address(sock, address):
    family = getattr(sock, "family", None)
    if family is not None and family == getattr(socket, "AF_UNIX", object()):
        return
    if getattr(sock, "type", None) == socket.SOCK_DGRAM:
        # Connecting a UDP socket sends nothing: it only picks the local address through
        # which a host would be reached (dask's get_ip does so with 8.8.8.8).
        return
    host = address[0] if isinstance(address, tuple) else address
    if not is_loopback(host):
        _refuse("socket.connect", address)


def _is_numeric(host):
    try:
        ipaddress.ip_address(str(host).split("%", 1)[0])
    except ValueError:
        return False
    return True


@contextlib.contextmanager
def no_outside_connections():
    """
    While active, connecting to (or looking up) another machine raises
    `OutsideConnectionError`.

    Yields
    ------
    None

    Notes
    -----
    Only this process is patched: worker processes it starts (a dask ``LocalCluster``)
    are not, which loopback clusters do not need. Looking up this machine's own name
    (`socket.gethostname`) is allowed, as are numeric addresses, which are checked when
    connected to. Connecting a UDP socket is allowed (it sends nothing; dask uses it to
    find the local address); stream connections, which carry HTTP, are what is refused.
    """
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_getaddrinfo = socket.getaddrinfo
    own_name = socket.gethostname().lower()

    def connect(self, address):
        _check_address(self, address)
        return original_connect(self, address)

    def connect_ex(self, address):
        _check_address(self, address)
        return original_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode("ascii", "replace") if isinstance(host, bytes) else host
        if not (is_loopback(name) or _is_numeric(name) or str(name).lower() == own_name):
            _refuse("socket.getaddrinfo", (host, *args[:1]))
        return original_getaddrinfo(host, *args, **kwargs)

    patched = {"connect": connect, "connect_ex": connect_ex}
    originals = {"connect": original_connect, "connect_ex": original_connect_ex}
    for name, function in patched.items():
        setattr(socket.socket, name, function)
    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(socket.socket, name, function)
        socket.getaddrinfo = original_getaddrinfo
