#!/usr/bin/env python3
"""Converts a uniform-layout wide CSV (timestamp,<service>.<metric>,...: Nezha streams, PetShop normal data) into the
long CSV `bench replay` reads (timestamp,service,metric,value[,k8s.pod.name]), mapping the datasets' columns onto the
agent's metric names with the same linear table `bench rca` uses. Usage:
    python3 sre-agent-bench/scripts/wide_to_long.py IN.csv OUT.csv
then: java -jar sre-agent-bench/target/sre-agent-bench.jar replay --input OUT.csv --speed 0
"""
import csv
import sys

# column metric -> (agent metric, scale, offset, per pod)
MAPPING = {
    "PodServerLatencyP99(s)": ("http.server.request.duration.p99", 1, 0, False),
    "PodSuccessRate(%)": ("http.server.request.error_ratio", -0.01, 1, False),
    "MemoryUsageRate(%)": ("container.memory.utilization", 0.01, 0, True),
    "CpuUsageRate(%)": ("container.cpu.utilization", 0.01, 0, True),
    "PodWorkload(Ops)": ("http.server.request.rate", 1, 0, False),
    "latency_p99": ("http.server.request.duration.p99", 1, 0, False),
    "availability_Average": ("http.server.request.error_ratio", -0.01, 1, False),
    "requests_Sum": ("http.server.request.rate", 1.0 / 300, 0, False),
}


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, newline="") as f, open(dst, "w", newline="") as o:
        r = csv.reader(f)
        header = next(r)
        cols = []
        for k, name in enumerate(header[1:], start=1):
            service, _, metric = name.rpartition(".")
            if metric in MAPPING and "->" not in service:
                cols.append((k, service, MAPPING[metric]))
        w = csv.writer(o)
        w.writerow(["timestamp", "service", "metric", "value", "k8s.pod.name"])
        for row in r:
            for k, service, (metric, scale, offset, per_pod) in cols:
                if k < len(row) and row[k] != "":
                    w.writerow([row[0], service, metric, repr(scale * float(row[k]) + offset),
                                service if per_pod else ""])


if __name__ == "__main__":
    main()
