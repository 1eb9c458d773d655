# TEST ONLY. Loaded by Python at start-up because tests/harness/synapse.ts puts
# this folder on PYTHONPATH when it starts Synapse. It makes the test Synapse
# unable to reach anything but loopback, whatever its configuration says:
# every socket connect/sendto to a non-127.0.0.0/8 address raises, and name
# lookups of anything but IP literals and "localhost" fail.
import ipaddress
import socket

_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_sendto = socket.socket.sendto
_getaddrinfo = socket.getaddrinfo


def _loopback_only(address):
    if isinstance(address, tuple) and address:
        host = address[0]
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            raise OSError(f"chatlas test harness: refusing non-literal address {host!r}")
        if not ip.is_loopback:
            raise OSError(f"chatlas test harness: refusing non-loopback address {host}")


def connect(self, address):
    _loopback_only(address)
    return _connect(self, address)


def connect_ex(self, address):
    _loopback_only(address)
    return _connect_ex(self, address)


def sendto(self, data, *args):
    _loopback_only(args[-1])
    return _sendto(self, data, *args)


def getaddrinfo(host, *args, **kwargs):
    if host not in (None, "localhost"):
        h = host.decode() if isinstance(host, bytes) else host
        try:
            ipaddress.ip_address(h)
        except ValueError:
            raise socket.gaierror(socket.EAI_NONAME, f"chatlas test harness: no lookups of {h!r}")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.socket.sendto = sendto
socket.getaddrinfo = getaddrinfo
