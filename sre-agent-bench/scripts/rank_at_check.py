#!/usr/bin/env python3
"""Does `./sre-agent run --replay CASE --rank-at ALERT` give what `bench rca` reports for the case?

For every Nezha case, replays the case CSV through the standalone `run` with the case's graph and the bench's
mapping, asks the agent "what changed around alert_time" (--rank-at, --json), and compares the first five services
with the `bench rca` results file: exactly for the answers `bench rca` took from that same question
(`source: ranking`), the first service for those it took from an incident. Python 3 stdlib; from the repository root,
after `mvn -B -q -DskipTests package` and `bench rca ... --out rca.jsonl`:

  python3 sre-agent-bench/scripts/rank_at_check.py --data ../shared/data/nezha --results rca.jsonl
"""
import argparse
import glob
import json
import os
import subprocess

MAPPING = "sre-agent-bench/src/main/resources/dev/sreagent/bench/rca-mapping.conf"
JAR = "samples/standalone/target/sre-agent-standalone.jar"


def ask(data, case):
    """The agent's ranked services for the case's alert time, through run --replay --rank-at."""
    graph = os.path.join(data, case["graph"])
    out = subprocess.run(["java", "-jar", JAR, "run", "--replay", os.path.join(data, case["csv"]), "--topology", graph,
                          "--config", MAPPING, "--rank-at", str(case["alert_time"]), "--json"],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if '"type":"ranking"' in line:
            return [c["service"] for c in json.loads(line)["candidates"]]
    raise SystemExit("no ranking line for " + case["case_id"])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="a dataset in the uniform layout (cases/*.json)")
    p.add_argument("--results", required=True, help="bench rca's results file")
    a = p.parse_args()
    bench = {}
    with open(a.results) as f:
        for line in f:
            r = json.loads(line)
            if r.get("type") == "rca":
                bench[r["case_id"]] = r
    same = {"ranking": 0, "incident": 0}
    total = {"ranking": 0, "incident": 0}
    for path in sorted(glob.glob(os.path.join(a.data, "cases", "*.json"))):
        with open(path) as f:
            case = json.load(f)
        b = bench.get(case["case_id"])
        if b is None or b.get("source") not in total:
            continue
        got = ask(a.data, case)
        src = b["source"]
        total[src] += 1
        ok = got[:5] == b["services"][:5] if src == "ranking" else got[:1] == b["services"][:1]
        same[src] += ok
        if not ok:
            print("differs", case["case_id"], src, "bench", b["services"][:5], "run", got[:5])
    print("run --rank-at against bench rca: ranking answers, first five identical %d of %d; incident answers, same"
          " first service %d of %d" % (same["ranking"], total["ranking"], same["incident"], total["incident"]))


if __name__ == "__main__":
    main()
