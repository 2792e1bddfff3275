#!/usr/bin/env python3
"""Exploration for issue #18 (false incidents on fault-free data), not a benchmark of the agent.

Emulates, in a few lines, the latency rule on PetShop's fault-free p99 columns (EWMA mean/variance of usual samples,
alpha 1/40, 20-sample warm-up, breach = above max(mean + 3 sd, 1.5 x mean), an episode = 2 consecutive breaching
5-minute samples) and counts breach episodes, with and without a tail-aware floor: the threshold is also at least the
series' own q-quantile over its last 288 samples (one day), spikes included. Usage:
    python3 sre-agent-bench/scripts/petshop_tail_floor.py [../shared/data/petshop/normal/low_traffic.csv]
"""
import csv
import math
import sys


def episodes(series, tail):
    n, mean, var, cnt, hist, run = 0, None, 0.0, 0, [], 0
    for v in series:
        if v is None:
            continue
        if cnt < 20:
            cnt += 1
            mean = v if mean is None else mean + (v - mean) / cnt
            var += (v - mean) ** 2 / cnt
            hist.append(v)
            continue
        thr = max(mean + 3 * math.sqrt(max(var, 1e-12)), 1.5 * mean)
        if tail is not None and len(hist) >= 50:
            window = sorted(hist[-288:])
            thr = max(thr, window[int(tail * len(window)) - 1])
        if v > thr:
            run += 1
            n += run == 2
        else:
            run = 0
            d = v - mean
            mean += d / 40
            var = (1 - 1 / 40) * (var + d * d / 40)
        hist.append(v)
    return n


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/petshop/normal/low_traffic.csv"
    rows = list(csv.DictReader(open(path)))
    cols = [c for c in rows[0] if c.endswith(".latency_p99")]
    days = (float(rows[-1]["timestamp"]) - float(rows[0]["timestamp"])) / 86400 if rows[0]["timestamp"].replace(
        ".", "").isdigit() else 2.05

    def val(x):
        try:
            return float(x)
        except (TypeError, ValueError):
            return None
    for tail in (None, 0.95, 0.99, 1.0):
        total = sum(episodes([val(r[c]) for r in rows], tail) for c in cols)
        print("tail floor %-5s: %3d breach episodes over %d p99 series, %.1f per day"
              % ("none" if tail is None else tail, total, len(cols), total / days))


if __name__ == "__main__":
    main()
