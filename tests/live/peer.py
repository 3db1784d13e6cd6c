#!/usr/bin/env python3
"""peer.py - listeners and plain-socket probes for the live namespace tests (stdlib only).

  peer.py serve READYFILE MAX_SECONDS
      In the target namespace: TCP listeners on 8888 (IPv4 and IPv6; every connection is
      accepted and closed at once) and a UDP echo service on 7777 (both families).  Creates
      READYFILE once every socket is bound, and exits after MAX_SECONDS at the latest, so a
      lost cleanup can never leave it running for ever.

  peer.py tcp ADDR PORT [TIMEOUT]    prints open, closed or filtered (no answer within TIMEOUT)
  peer.py udp ADDR PORT [TIMEOUT]    prints open (echo came back), closed (ICMP port
                                     unreachable) or silent
Every socket has a timeout; nothing here can hang.
"""
import errno
import os
import select
import socket
import sys
import time

TCP_PORT, UDP_PORT = 8888, 7777


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def serve(readyfile, max_seconds):
    socks = []
    for fam, any_addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        t = socket.socket(fam, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        u = socket.socket(fam, socket.SOCK_DGRAM)
        if fam == socket.AF_INET6:  # separate v4 and v6 sockets on the same port
            t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        t.bind((any_addr, TCP_PORT))
        t.listen(64)
        t.setblocking(False)
        u.bind((any_addr, UDP_PORT))
        u.setblocking(False)
        socks += [t, u]
    open(readyfile, "w").close()
    end = time.monotonic() + max_seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        readable, _, _ = select.select(socks, [], [], min(left, 1.0))
        for s in readable:
            try:
                if s.type == socket.SOCK_STREAM:
                    c, _ = s.accept()
                    c.close()
                else:
                    data, peer = s.recvfrom(65535)
                    s.sendto(data, peer)
            except OSError as e:  # a peer that went away meanwhile: keep serving
                if e.errno not in (errno.EAGAIN, errno.ECONNREFUSED, errno.ECONNRESET):
                    raise


def tcp(addr, port, timeout):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect((addr, port))
    except ConnectionRefusedError:
        return "closed"
    except (socket.timeout, TimeoutError):
        return "filtered"
    except OSError as e:
        return "error:" + (e.strerror or str(e))
    finally:
        s.close()
    return "open"


def udp(addr, port, timeout):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.connect((addr, port))  # connected: an ICMP port unreachable is reported to us
        payload = b"netprobe live test %d\n" % os.getpid()
        s.send(payload)
        data = s.recv(65535)
        return "open" if data == payload else "garbled"
    except ConnectionRefusedError:
        return "closed"
    except (socket.timeout, TimeoutError):
        return "silent"
    except OSError as e:
        return "error:" + (e.strerror or str(e))
    finally:
        s.close()


def main(argv):
    if len(argv) >= 3 and argv[0] == "serve":
        serve(argv[1], float(argv[2]))
        return 0
    if len(argv) >= 3 and argv[0] in ("tcp", "udp"):
        timeout = float(argv[3]) if len(argv) > 3 else 2.0
        fn = tcp if argv[0] == "tcp" else udp
        print(fn(argv[1], int(argv[2]), timeout))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
