# Writes tests/fuzz/regressions/pcapfile/pcapng-reader-blocks: every block netprobe's pcapng
# reader knows (big- and little-endian sections, IDB with if_name/if_tsresol 2^-8/if_tsoffset,
# EPB with comments and epb_flags, SPB, obsolete PB, NRB, custom, ISB). Usage: python3 mk_pcapng_seed.py > FILE
import struct, sys
def opt(e, code, val):
    v = val + b'\0' * ((4 - len(val) % 4) % 4)
    return struct.pack(e + 'HH', code, len(val)) + v
def block(e, t, body):
    n = 12 + len(body)
    return struct.pack(e + 'II', t, n) + body + struct.pack(e + 'I', n)
def shb(e):
    return block(e, 0x0A0D0D0A, struct.pack(e + 'IHHq', 0x1A2B3C4D, 1, 0, -1) + opt(e, 4, b'seed') + b'\0\0\0\0')
def idb(e, lt, snap, opts=b''):
    return block(e, 1, struct.pack(e + 'HHI', lt, 0, snap) + opts + (b'\0\0\0\0' if opts else b''))
# an IPv4/UDP packet (raw) and its Ethernet framing
ip = bytes.fromhex('4500001c0001000040110000' + '0a4d0001' + '0a4d0002') + bytes.fromhex('d431003500080000')
eth = bytes.fromhex('020000000002020000000001 0800'.replace(' ', '')) + ip
def epb(e, ifid, ts, data, opts=b''):
    pad = b'\0' * ((4 - len(data) % 4) % 4)
    return block(e, 6, struct.pack(e + 'IIIII', ifid, ts >> 32, ts & 0xffffffff, len(data), len(data)) + data + pad + opts + (b'\0\0\0\0' if opts else b''))
def spb(e, data, origlen):
    pad = b'\0' * ((4 - len(data) % 4) % 4)
    return block(e, 3, struct.pack(e + 'I', origlen) + data + pad)
def opb(e, ifid, ts, data):
    pad = b'\0' * ((4 - len(data) % 4) % 4)
    return block(e, 2, struct.pack(e + 'HHIIII', ifid, 0, ts >> 32, ts & 0xffffffff, len(data), len(data)) + data + pad)
out = b''
e = '>'  # a big-endian section
out += shb(e)
out += idb(e, 1, 64, opt(e, 2, b'eth-big') + opt(e, 9, b'\x88') + opt(e, 14, struct.pack(e + 'q', 100)))
out += idb(e, 101, 0, opt(e, 2, b'raw-big'))
out += epb(e, 0, 256 * 1000, eth, opt(e, 1, b'first comment') + opt(e, 1, b'second') + opt(e, 2, struct.pack(e + 'I', 2)))
out += spb(e, eth, len(eth))
out += block(e, 4, b'\0\0\0\0')          # name resolution, empty
out += block(e, 0x40000BAD, b'\0\0\0\0abcd')  # custom
out += opb(e, 1, 2000000, ip)
out += block(e, 5, struct.pack(e + 'III', 0, 0, 0))  # statistics
e = '<'  # a second section, little-endian, its own interfaces
out += shb(e)
out += idb(e, 101, 262144, opt(e, 9, b'\x09'))
out += epb(e, 0, 3_000_000_000, ip, opt(e, 2, struct.pack(e + 'I', 1)))
sys.stdout.buffer.write(out)
