#!/usr/bin/env python3
"""Which faults of a recorded day did the agent page, and with which root? And what did it open outside them?

Reads the `--json` events of `./sre-agent run --replay STREAM.csv ... --json` and the stream's metadata
(`anomaly_intervals` of `../shared/data/nezha/streams/<day>.json`) with the cases' ground truth, and prints:
incidents opened, how many near a fault (opened from 5 min before its injection to 10 min after its end), between
faults and after the last one (each listed), and per fault whether an incident opened from 1 min before the injection
to 5 min after its end and whether one of those is rooted at the injected service (the incident's last root).
Python 3 stdlib; from the repository root:

  ./sre-agent run --replay ../shared/data/nezha/streams/ob-2022-08-22.csv \
      --config samples/recordings/nezha-mapping.conf --json > ob-day.jsonl
  python3 sre-agent-bench/scripts/replay_faults.py --data ../shared/data/nezha --stream ob-2022-08-22 \
      --events ob-day.jsonl
"""
import argparse
import datetime
import glob
import json
import os


def epoch(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def events(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("{"):
                out.append(json.loads(line))
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, help="the dataset folder (streams/, cases/)")
    p.add_argument("--stream", required=True, help="the stream's name, e.g. ob-2022-08-22")
    p.add_argument("--events", required=True, nargs="+", help="run --json outputs to read")
    a = p.parse_args()
    with open(os.path.join(a.data, "streams", a.stream + ".json"), encoding="utf-8") as f:
        intervals = json.load(f)["anomaly_intervals"]
    truth = {}
    for path in glob.glob(os.path.join(a.data, "cases", "*.json")):
        with open(path, encoding="utf-8") as f:
            c = json.load(f)
        truth[c["case_id"]] = c["root_cause"]
    last_end = max(end for _, end, _ in intervals)
    for path in a.events:
        all_events = events(path)
        root = {}
        for e in all_events:
            root[e["incident"]] = e["root"]
        opened = [dict(e, root=root[e["incident"]]) for e in all_events if e["event"] == "opened"]
        near = between = after = 0
        outside = []
        for e in opened:
            t = epoch(e["at"])
            if any(start - 300 <= t <= end + 600 for start, end, _ in intervals):
                near += 1
                continue
            if t > last_end:
                after += 1
            else:
                between += 1
            outside.append("%s %s on %s" % (e["at"][11:16], e["type"], e["root"]))
        paged = right = 0
        missed = []
        for start, end, case in intervals:
            inside = [e for e in opened if start - 60 <= epoch(e["at"]) <= end + 300]
            paged += bool(inside)
            if any(e["root"] == truth[case]["service"] for e in inside):
                right += 1
            else:
                missed.append("%s (%s, %s)" % (case, truth[case]["service"], truth[case]["fault_type"]))
        print("%s: %d incidents opened: %d near a fault, %d between faults, %d after the last fault" % (
            path, len(opened), near, between, after))
        print("  outside the faults: " + (", ".join(outside) or "none"))
        print("  faults: %d; paged %d, rooted at the injected service %d" % (len(intervals), paged, right))
        print("  not rooted right: " + (", ".join(missed) or "none"))


if __name__ == "__main__":
    main()
