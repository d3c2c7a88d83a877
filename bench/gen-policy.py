#!/usr/bin/env python3
"""Writes a Hearth config for the policy-cost benchmark (bench/policy-cost.sh).

An ISP-sized policy: PROFILES profiles (cycling through the built-in presets, each with its own
categories, allow and block names and some with schedules and budgets), SUBSCRIBERS subscribers
with an IPv4 /32 each (every tenth also an IPv6 /56 and a CPE id), a venue network, and the 1M
list as category 'adult'. The benchmark client (dnsperf's source address CLIENT) is a subscriber
whose profile blocks 'adult' and has a homework schedule, so its queries take the full path.

  gen-policy.py OUT.yaml BLOCKLIST [CLIENT] [SUBSCRIBERS] [PROFILES]
"""
import random
import sys

out, blocklist = sys.argv[1], sys.argv[2]
client = sys.argv[3] if len(sys.argv) > 3 else "127.0.3.1"
subscribers = int(sys.argv[4]) if len(sys.argv) > 4 else 100_000
profiles = int(sys.argv[5]) if len(sys.argv) > 5 else 1_000
presets = ["young-child", "pre-teen", "teen", "adult", "public-venue"]
extra = ["games", "social_networks", "shopping", "chat", "audio-video", "blog"]
rnd = random.Random(7)
with open(out, "w") as f:
    w = f.write
    w("lists:\n  sources:\n")
    w(f"    - {{id: big, path: {blocklist}, category: adult}}\n")
    w("policy:\n  timezone: Europe/London\n  protected: [childline.org.uk, nhs.uk]\n")
    w("  default_profile: p0004\n  profiles:\n")
    for i in range(profiles):
        cats = rnd.sample(extra, 2)
        line = (f"    - {{id: p{i:04d}, preset: {presets[i % 5]}, block_categories: [{', '.join(cats)}],"
                f" allow: [school{i}.example, homework{i}.example], block: [game{i}.example, chat{i}.example]")
        if i % 3 == 0:
            line += (", schedules: [{name: homework, days: weekdays, from: '16:00', to: '18:00',"
                     " block_categories: [games]}, {name: bedtime, days: daily, from: '23:30',"
                     " to: '05:30', block: all, allow: [childline.org.uk]}]")
        if i % 7 == 0:
            line += ", budgets: {games: 2h}"
        w(line + "}\n")
    w("  subscribers:\n")
    w(f"    - {{id: bench-client, profile: p0000, timezone: Europe/London, addresses: [{client}/32]}}\n")
    for i in range(subscribers):
        a = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}/32"
        addrs = a if i % 10 else f"{a}, '2001:db8:{i >> 8:x}:{(i & 255) << 8:x}::/56'"
        cpe = f", cpe_id: cpe-{i}" if i % 10 == 0 else ""
        w(f"    - {{id: s{i:06d}, profile: p{rnd.randrange(profiles):04d}, addresses: [{addrs}]{cpe}}}\n")
    w("  networks:\n    - {id: venue, profile: p0004, addresses: [172.16.0.0/12]}\n")
