#!/usr/bin/env python3
"""tests/btfext-patch.py MODE IN OUT — writes a copy of a little-endian BPF
object with its .BTF.ext damaged one way, for the bad-input tests:
  sectype   the section's type becomes one libbpf does not know (253)
  functype  the first func info record names a type that is no function
"""
import struct
import sys

mode, src, dst = sys.argv[1:4]
b = bytearray(open(src, "rb").read())
shoff, = struct.unpack_from("<Q", b, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from("<HHH", b, 0x3a)
stroff, = struct.unpack_from("<Q", b, shoff + shstrndx * shentsize + 0x18)
for i in range(shnum):
    h = shoff + i * shentsize
    name, = struct.unpack_from("<I", b, h)
    if b[stroff + name:].split(b"\0", 1)[0] != b".BTF.ext":
        continue
    if mode == "sectype":
        struct.pack_into("<I", b, h + 4, 253)
    elif mode == "functype":
        off, = struct.unpack_from("<Q", b, h + 0x18)
        hdr_len, fi_off = struct.unpack_from("<II", b, off + 4)
        rec = off + hdr_len + fi_off + 4 + 8	# rec_size, then sec_name_off + num_info
        tid, = struct.unpack_from("<I", b, rec + 4)
        struct.pack_into("<I", b, rec + 4, tid + 2)	# the FUNC's return type, say
    else:
        sys.exit("btfext-patch: unknown mode '%s'" % mode)
    break
else:
    sys.exit("btfext-patch: %s has no .BTF.ext" % src)
open(dst, "wb").write(b)
