# TEST ONLY. Loaded by Python at start-up because tests/harness/synapse.ts puts
# this folder on PYTHONPATH when it starts Synapse. It makes the test Synapse
# unable to reach anything but loopback, whatever its configuration says:
# every socket connect/sendto to a non-127.0.0.0/8 address raises, and name
# lookups of anything but IP literals and "localhost" fail.
#
# A federating test Synapse (tests/harness/synapse.ts `federation`) runs in its
# own mount namespace whose /etc/resolv.conf names only the test DNS server,
# and gets CHATLAS_TEST_DNS=<that server's address>. Then, and only if
# /etc/resolv.conf really names that one loopback server, names may be looked
# up, and only loopback answers are returned.
import ipaddress
import os
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


def _resolver_is_ours():
    dns = os.environ.get("CHATLAS_TEST_DNS", "")
    if not dns or not ipaddress.ip_address(dns).is_loopback:
        return False
    try:
        with open("/etc/resolv.conf") as f:
            servers = [line.split()[1] for line in f if line.split()[:1] == ["nameserver"] and len(line.split()) > 1]
    except OSError:
        return False
    return servers == [dns]


_LOOKUPS_ALLOWED = _resolver_is_ours()


def getaddrinfo(host, *args, **kwargs):
    if host not in (None, "localhost"):
        h = host.decode() if isinstance(host, bytes) else host
        try:
            ipaddress.ip_address(h)
        except ValueError:
            if not _LOOKUPS_ALLOWED:
                raise socket.gaierror(socket.EAI_NONAME, f"chatlas test harness: no lookups of {h!r}")
            answers = [a for a in _getaddrinfo(host, *args, **kwargs) if ipaddress.ip_address(a[4][0].split("%")[0]).is_loopback]
            if not answers:
                raise socket.gaierror(socket.EAI_NONAME, f"chatlas test harness: {h!r} has no loopback address")
            return answers
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.socket.sendto = sendto
socket.getaddrinfo = getaddrinfo
