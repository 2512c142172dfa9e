#!/usr/bin/env python3
"""bench/gen-blocklist.py — seeded rule sets and packet mixes for bench/xdpfw.sh.

  gen-blocklist.py SHAPE N SEED RULES_OUT PACKETS_OUT [NPKT]

SHAPE "blocklist": N deny rules (policy allow) shaped like real blocklists
(bogon/country/abuse feeds): 80% IPv4 sources with prefix lengths spread
over /8../32 like a routing table (18 distinct lengths, /24 the most common,
many /32 hosts), 20% IPv6 sources over 10 lengths /16../128; 40% of the
rules carry proto tcp|udp with a dport range. Prefixes are random, so they
nest (a /8 holds many longer prefixes) and overlap as in merged feeds.
SHAPE "onelen": the same counts, every IPv4 source a /24 and every IPv6 a
/64 (the easy case: one prefix length per family).
SHAPE "porthosts": N deny rules, two per random IPv4 host (tcp, two single
dports), so every host needs a port table of its own (5 intervals): about
3 port-table entries per rule, more than maps sized for N rules hold (2 per
rule) -- the set bench/xdpfw.sh has refused to time a refused apply.

SHAPE "nestedports": N rules nesting port rules: one IPv4 /12 per 200 rules
(at most 2000) denying 100 single TCP ports, the other rules /24s inside
those /12s each allowing one TCP port. A /24's decision needs its /12's 100 ports too; xdpfw
refers to the parent's port table instead of copying it (XDPFW_V_PARENT).

PACKETS_OUT: NPKT (default 256) distinct packets, one per line
"FAMILY PROTO SRC DST SPORT DPORT": about half built to hit a rule (an
address inside a rule's prefix, its protocol and a port in its range), the
rest random addresses (mostly misses). Same SEED, same files."""
import ipaddress
import random
import sys

V4_LENS = [(8, 1), (10, 1), (11, 1), (12, 2), (13, 2), (14, 3), (15, 3), (16, 6), (17, 3), (18, 4),
           (19, 6), (20, 7), (21, 7), (22, 9), (23, 8), (24, 40), (28, 3), (32, 15)]
V6_LENS = [(16, 1), (19, 1), (20, 2), (24, 3), (28, 4), (29, 6), (32, 20), (48, 25), (64, 20), (128, 18)]


def pick(rng, table):
    total = sum(w for _, w in table)
    x = rng.uniform(0, total)
    for v, w in table:
        x -= w
        if x <= 0:
            return v
    return table[-1][0]


def main():
    shape, n, seed, rules_out, pkts_out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    npkt = int(sys.argv[6]) if len(sys.argv) > 6 else 256
    rng = random.Random(seed)
    rules, seen = [], set()
    parents, allowed = [], set()
    while shape == "nestedports" and len(parents) < max(1, min(n // 200, 2000)):
        net = ipaddress.IPv4Network(((rng.randrange(1, 224) << 24 | rng.getrandbits(24)) >> 20 << 20, 12))
        if net in parents:
            continue
        parents.append(net)
        for port in rng.sample(range(1, 65536), 100):
            rules.append((net, ("tcp", port, port)))
    while shape == "nestedports" and len(rules) < n:
        par = rng.choice(parents)
        net = ipaddress.IPv4Network((int(par.network_address) | rng.getrandbits(12) << 8, 24))
        port = ("tcp", rng.randrange(1, 65536), None)
        if (str(net), port) in seen:
            continue
        seen.add((str(net), port))
        rules.append((net, port))
        allowed.add(str(net))
    while shape == "porthosts" and len(rules) < n:
        net = ipaddress.IPv4Network((rng.randrange(1, 224) << 24 | rng.getrandbits(24), 32))
        if (str(net), None) in seen:
            continue
        seen.add((str(net), None))
        lo = rng.randrange(1, 32000)
        rules.append((net, ("tcp", lo, lo)))
        rules.append((net, ("tcp", lo + rng.randrange(2, 32000), None)))
    rules = [(net, (p[0], p[1], p[1]) if p and p[2] is None else p) for net, p in rules[:n]]
    while len(rules) < n:
        v6 = rng.random() < 0.2
        if v6:
            plen = 64 if shape == "onelen" else pick(rng, V6_LENS)
            addr = (0x2000 << 112) | rng.getrandbits(125)
            net = ipaddress.IPv6Network((addr >> (128 - plen) << (128 - plen), plen))
        else:
            plen = 24 if shape == "onelen" else pick(rng, V4_LENS)
            addr = rng.randrange(1, 224) << 24 | rng.getrandbits(24)
            net = ipaddress.IPv4Network((addr >> (32 - plen) << (32 - plen), plen))
        port = None
        if rng.random() < 0.4:
            proto = rng.choice(("tcp", "udp"))
            lo = rng.randrange(1, 65000)
            hi = lo if rng.random() < 0.5 else min(65535, lo + rng.randrange(1, 2000))
            port = (proto, lo, hi)
        key = (str(net), port)
        if key in seen:
            continue
        seen.add(key)
        rules.append((net, port))
    with open(rules_out, "w") as f:
        f.write("policy allow\n")
        for net, port in rules:
            if port:
                p, lo, hi = port
                f.write("%s src %s proto %s dport %s\n" % ("allow" if str(net) in allowed else "deny", net, p,
                                                           lo if lo == hi else "%d-%d" % (lo, hi)))
            else:
                f.write("deny src %s\n" % net)
    pkts, pseen = [], set()
    while len(pkts) < npkt:
        hit = len(pkts) % 2 == 0
        if hit:
            net, port = rules[rng.randrange(len(rules))]
            host = rng.getrandbits(net.max_prefixlen - net.prefixlen) if net.prefixlen < net.max_prefixlen else 0
            src = net.network_address + host
            fam = net.version
        else:
            fam = 6 if rng.random() < 0.2 else 4
            src = (ipaddress.IPv6Address((0x2000 << 112) | rng.getrandbits(125)) if fam == 6 else
                   ipaddress.IPv4Address(rng.randrange(1, 224) << 24 | rng.getrandbits(24)))
            port = None
        if port:
            proto = 6 if port[0] == "tcp" else 17
            dport = rng.randint(port[1], port[2])
        else:
            proto = rng.choice((6, 17, 6, 17, 1 if fam == 4 else 58))
            dport = rng.randrange(1, 65536) if proto in (6, 17) else 0
        dst = "10.200.0.1" if fam == 4 else "2001:db8:ffff::1"
        line = "%d %d %s %s %d %d" % (fam, proto, src, dst, rng.randrange(1024, 65536) if dport else 0, dport)
        if line in pseen:
            continue
        pseen.add(line)
        pkts.append(line)
    with open(pkts_out, "w") as f:
        f.write("\n".join(pkts) + "\n")


main()
