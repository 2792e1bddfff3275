#!/usr/bin/env python3
"""Cross-validated NAB scores: what a detector's DEV figure predicts about files nobody tuned to.

NAB picks one anomaly threshold per profile for the whole corpus after seeing every file's scores; a DEV figure is
therefore fitted to the files it is reported on. This runner scores with the threshold chosen on the *training* files
only and applied, unchanged, to the *test* files, for two protocols:

  * k-fold by file (default 5), stratified by category: each category's files, sorted, are shuffled with a fixed seed
    and dealt round-robin into the folds, so every fold holds some of every category;
  * leave-one-group-out: each category is the test fold once (artificialNoAnomaly and artificialWithAnomaly form one
    group, "artificial", since a fold without anomaly windows has no normalised score).

For each detector, fold and profile it prints the test score (NAB-normalised on the test files: null 0, perfect 100)
at the training threshold, the mean and standard deviation over folds, and the pooled score (the folds' raw scores
summed, then normalised by the summed null and perfect scores: the whole corpus scored at fold-wise thresholds, less
noisy than the mean of small folds). Peers' shipped results run through the same protocol, side by side.

It only orchestrates the shared scorer (../shared/tools/nab_score.py: --files, --json, --thresholds); Python 3
stdlib. Usage, from the repository root, after `java -jar sre-agent-bench/target/sre-agent-bench.jar nab --out DIR`:

  python3 sre-agent-bench/scripts/nab_cv.py --results sreagent=/tmp/nab \\
      --results numenta=../shared/data/nab/peer_results --results ARTime=../shared/data/nab/peer_results \\
      [--folds 5] [--seed 17] [--json out.json]
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile

PROFILES = ("standard", "reward_low_FP_rate", "reward_low_FN_rate")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")


def score(args, detector, results, files, thresholds=None):
    """Runs the shared scorer on `files`; returns its JSON report for `detector`."""
    with tempfile.TemporaryDirectory() as tmp:
        listing = os.path.join(tmp, "files.txt")
        with open(listing, "w") as f:
            f.write("\n".join(files) + "\n")
        report = os.path.join(tmp, "report.json")
        cmd = [sys.executable, args.scorer, "--data", args.data, "--labels", args.labels, "--results", results,
               "--detector", detector, "--files", "@" + listing, "--json", report]
        if thresholds is not None:
            tfile = os.path.join(tmp, "thresholds.json")
            with open(tfile, "w") as f:
                json.dump(thresholds, f)
            cmd += ["--thresholds", tfile]
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            sys.exit("nab_score.py failed for %s on %d files:\n%s" % (detector, len(files), done.stderr))
        with open(report) as f:
            return json.load(f)


def folds_by_file(files, k, seed):
    """Stratified k-fold: each category's files shuffled with `seed`, dealt round-robin (offset per category)."""
    by_cat = {}
    for f in sorted(files):
        by_cat.setdefault(f.split("/")[0], []).append(f)
    rng = random.Random(seed)
    folds = [[] for _ in range(k)]
    offset = 0
    for cat in sorted(by_cat):
        members = by_cat[cat][:]
        rng.shuffle(members)
        for i, f in enumerate(members):
            folds[(offset + i) % k].append(f)
        offset += len(members)
    return [("fold %d" % (i + 1), sorted(fold)) for i, fold in enumerate(folds)]


def folds_by_group(files):
    groups = {}
    for f in sorted(files):
        cat = f.split("/")[0]
        groups.setdefault("artificial" if cat.startswith("artificial") else cat, []).append(f)
    return [(g, groups[g]) for g in sorted(groups)]


def cross_validate(args, detector, results, files, folds):
    """Per fold: thresholds from the training files, scores on the test files; plus mean, sd and pooled scores."""
    rows = []
    pooled = {p: [0.0, 0.0, 0.0] for p in PROFILES}
    for name, test in folds:
        train = [f for f in files if f not in set(test)]
        fitted = score(args, detector, results, train)
        tested = score(args, detector, results, test, thresholds=fitted)
        prof = tested["detectors"][detector]["profiles"]
        row = {"fold": name, "test_files": len(test), "train_threshold": {}, "score": {}, "windows": {}}
        for p in PROFILES:
            row["train_threshold"][p] = fitted["detectors"][detector]["profiles"][p]["threshold"]
            row["score"][p] = prof[p]["score"]
            row["windows"][p] = "%d/%d" % (prof[p]["windows_detected"], prof[p]["windows"])
            pooled[p][0] += prof[p]["raw"]
            pooled[p][1] += prof[p]["null_raw"]
            pooled[p][2] += prof[p]["perfect_raw"]
        rows.append(row)
    summary = {}
    for p in PROFILES:
        values = [r["score"][p] for r in rows if r["score"][p] is not None]
        raw, null, perfect = pooled[p]
        summary[p] = {"mean": statistics.mean(values), "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
                      "min": min(values), "max": max(values),
                      "pooled": 100.0 * (raw - null) / (perfect - null) if perfect != null else None}
    return {"folds": rows, "summary": summary}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", action="append", required=True, metavar="DETECTOR=DIR",
                    help="a detector and its results root (repeatable)")
    ap.add_argument("--data", default=os.path.join(SHARED, "data", "nab", "data"))
    ap.add_argument("--labels", default=os.path.join(SHARED, "data", "nab", "labels", "dev_windows.json"))
    ap.add_argument("--scorer", default=os.path.join(SHARED, "tools", "nab_score.py"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--json", help="write every fold's figures here")
    args = ap.parse_args()
    with open(args.labels) as f:
        files = sorted(json.load(f).keys())
    protocols = [("%d-fold by file, stratified by category (seed %d)" % (args.folds, args.seed),
                  folds_by_file(files, args.folds, args.seed)),
                 ("leave one category out (artificial = both artificial categories)", folds_by_group(files))]
    out = {"files": len(files), "labels": os.path.basename(args.labels), "protocols": []}
    for title, folds in protocols:
        entry = {"protocol": title, "folds": [{"name": n, "files": fs} for n, fs in folds], "detectors": {}}
        print("\n== " + title)
        print("   folds: " + "; ".join("%s (%d files)" % (n, len(fs)) for n, fs in folds))
        print("%-12s %-10s %s" % ("detector", "profile", "test score per fold at the training threshold"
                                  " | mean ± sd | pooled"))
        for spec in args.results:
            detector, _, results = spec.partition("=")
            if not results:
                sys.exit("--results wants DETECTOR=DIR, got '%s'" % spec)
            cv = cross_validate(args, detector, results, files, folds)
            entry["detectors"][detector] = cv
            for p in PROFILES:
                s = cv["summary"][p]
                per = " ".join("%6.2f" % r["score"][p] if r["score"][p] is not None else "   n/a"
                               for r in cv["folds"])
                print("%-12s %-10s %s | %6.2f ± %5.2f | %6.2f" % (detector, p[:10], per, s["mean"], s["sd"],
                                                                 s["pooled"]))
            sys.stdout.flush()
        out["protocols"].append(entry)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
        print("\nwritten to " + args.json)


if __name__ == "__main__":
    main()
