"""
The suite runs without network: connecting to another machine raises, loopback works.
"""

import asyncio
import socket
import threading
import urllib.request

import pytest

from irispy_plus.net import conf
from irispy_plus.net._http import http_get
from irispy_plus.testing.network import OutsideConnectionError, is_loopback, no_outside_connections

# 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never routed, so even without the guard the
# attempt could not reach anyone; the short time-outs keep a broken guard from hanging.
OUTSIDE = ("192.0.2.1", 80)


def test_a_connection_outside_is_refused_with_a_clear_error():
    with pytest.raises(OutsideConnectionError, match=r"192\.0\.2\.1.*without network.*127\.0\.0\.1"):
        socket.create_connection(OUTSIDE, timeout=0.5)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        with pytest.raises(OutsideConnectionError):
            sock.connect_ex(OUTSIDE)


def test_a_name_of_another_machine_is_not_even_looked_up():
    with pytest.raises(OutsideConnectionError, match=r"www\.lmsal\.com"):
        socket.getaddrinfo("www.lmsal.com", 443)


def test_urllib_and_the_package_s_http_get_are_refused():
    # A RuntimeError, so urllib does not turn it into a URLError that code may catch.
    with pytest.raises(OutsideConnectionError):
        urllib.request.urlopen("http://192.0.2.1/", timeout=0.5)
    with conf.set_temp("timeout", 0.5), pytest.raises(OutsideConnectionError, match=r"www\.lmsal\.com"):
        http_get("https://www.lmsal.com/hek/hcr")


def test_asyncio_connections_outside_are_refused():
    async def attempt():
        await asyncio.wait_for(asyncio.open_connection(*OUTSIDE), 0.5)

    with pytest.raises(OutsideConnectionError):
        asyncio.run(attempt())


def _echo_server(family, host):
    server = socket.socket(family, socket.SOCK_STREAM)
    server.bind((host, 0))
    server.listen(1)

    def serve():
        connection, _ = server.accept()
        with connection:
            connection.sendall(connection.recv(16))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server, thread


@pytest.mark.parametrize(
    ("family", "host"),
    [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET, "localhost"), (socket.AF_INET6, "::1")],
)
def test_loopback_connections_work(family, host):
    if family == socket.AF_INET6 and not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        server, thread = _echo_server(family, "127.0.0.1" if host == "localhost" else host)
    except OSError as error:
        pytest.skip(f"cannot listen on {host}: {error}")
    with server:
        port = server.getsockname()[1]
        with socket.create_connection((host, port), timeout=5) as client:
            client.sendall(b"ping")
            assert client.recv(16) == b"ping"
        thread.join(5)


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no unix sockets")
def test_unix_sockets_work(tmp_path):
    left, right = socket.socketpair()
    with left, right:
        left.sendall(b"x")
        assert right.recv(1) == b"x"
    path = str(tmp_path / "s")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen(1)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(path)


def test_the_guard_restores_the_socket_functions():
    before = (socket.socket.connect, socket.getaddrinfo)
    with no_outside_connections():
        assert socket.socket.connect is not before[0]
    assert (socket.socket.connect, socket.getaddrinfo) == before


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        (b"localhost", True),
        ("LOCALHOST", True),
        (None, True),
        ("", True),
        ("10.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("2001:db8::1", False),
        ("www.lmsal.com", False),
        ("localhost.evil.example", False),
    ],
)
def test_what_counts_as_loopback(host, expected):
    assert is_loopback(host) is expected


def test_a_udp_connect_sends_nothing_and_is_allowed():
    # dask's get_ip finds the local address this way, with 8.8.8.8.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 80))
        except OSError as error:  # no route at all on this machine: not the guard
            pytest.skip(f"no route: {error}")
        assert sock.getsockname()[0]
