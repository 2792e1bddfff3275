#!/usr/bin/env python3
"""Cross-validated runbook retrieval: every fitted constant chosen on the training queries only.

Two fitted families. The confidence gate: BM25's own ranking for a query whose BM25 top score is clearly
separated from the second, (s1 - s2) / s1 >= t, else the equal-weight fusion (the bench's `hybrid`); t on a grid
0, 0.05, ..., 1 and "never" (the tied middle of the best is taken). And weighted reciprocal rank fusion of the lexical (BM25) and dense top-100 lists,
    score(d) = w / (k + rank_bm25(d)) + (1 - w) / (k + rank_dense(d)),  k = 60 (as DenseIndex.fuse),
with w on a grid 0, 0.1, ..., 1 (w = 0.5 ranks exactly as the bench's `hybrid`, w = 1 as BM25 alone). In each fold
w is the one with the best mean MRR@10 on the training queries (ties: the one nearest 0.5), then applied unchanged to
the test queries. Fixed modes (`hybrid`, `kb`, `dense`) are scored on the same test folds. Every mode is compared
with BM25 on every test fold by the shared scorer's paired bootstrap (`rag_score.py --compare`: mean difference and
95% interval of R@1 and MRR@10).

Protocols: leave one source out (each `meta.source` of the queries is the test fold once) and k-fold over queries
(default 5, stratified by source, seeded). Both query variants (named, anon) are run separately.

Input: result files from `java -jar sre-agent-bench/target/sre-agent-bench.jar retrieval` in DIR named
MODE.VARIANT.jsonl (bm25 and dense written with -Dretrieval.depth=100; hybrid and kb as they are; optionally
kb.VARIANT.gateG.jsonl from kb mode with -Dretrieval.gates=..., whose gate is then chosen per training fold too).
Usage, from the
repository root:
  python3 sre-agent-bench/scripts/rag_cv.py --runs /tmp/rag-cv [--folds 5] [--seed 17] [--json out.json]
Python 3 stdlib only.
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
RRF_K = 60
GRID = [i / 10 for i in range(11)]


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def rankings(path):
    return {r["query_id"]: r["ranked_doc_ids"] for r in read_jsonl(path)}


def margins(path):
    """Per query, BM25's confidence: (top score - second score) / top score (0 when unknown)."""
    out = {}
    for r in read_jsonl(path):
        sc = r.get("scores") or []
        out[r["query_id"]] = (sc[0] - sc[1]) / sc[0] if len(sc) > 1 and sc[0] > 0 else 0.0
    return out


GATES = [i / 20 for i in range(0, 21)] + [float("inf")]


def gate(bm25, dense, margin, tau):
    """BM25's own ranking when its top is clearly separated (margin >= tau), else the equal-weight fusion."""
    return bm25[:10] if margin >= tau else fuse(bm25, dense, 0.5)


def kb_gates(runs_dir, variant):
    """The knowledge base's runs at several lexical confidence gates (kb.VARIANT.gateG.jsonl), by gate."""
    out = {}
    prefix = "kb.%s.gate" % variant
    for name in sorted(os.listdir(runs_dir)):
        if name.startswith(prefix) and name.endswith(".jsonl"):
            g = name[len(prefix):-len(".jsonl")]
            out[float("inf") if g == "Infinity" else float(g)] = rankings(os.path.join(runs_dir, name))
    return out


def fit_choice(queries, choices):
    """The key of `choices` (key -> rankings) with the best mean MRR@10 on `queries`; ties: the middle key."""
    scored = [(round(statistics.mean(mrr(r[q["id"]], set(q["gold_doc_ids"])) for q in queries), 12), k)
              for k, r in sorted(choices.items())]
    best = max(m for m, _ in scored)
    tied = [k for m, k in scored if m == best]
    return tied[len(tied) // 2]


def fit_gate(queries, bm25, dense, margin):
    scored = []
    for tau in GATES:
        m = statistics.mean(mrr(gate(bm25[q["id"]], dense[q["id"]], margin[q["id"]], tau), set(q["gold_doc_ids"]))
                            for q in queries)
        scored.append((round(m, 12), tau))
    best = max(m for m, _ in scored)
    tied = [t for m, t in scored if m == best]
    return tied[len(tied) // 2]


def fuse(lexical, dense, w):
    score = {}
    for i, d in enumerate(lexical):
        score[d] = score.get(d, 0.0) + w / (RRF_K + i + 1)
    for i, d in enumerate(dense):
        score[d] = score.get(d, 0.0) + (1 - w) / (RRF_K + i + 1)
    return [d for d, _ in sorted(score.items(), key=lambda e: (-e[1], e[0]))][:10]


def mrr(ranked, gold):
    for i, d in enumerate(ranked[:10]):
        if d in gold:
            return 1.0 / (i + 1)
    return 0.0


def fit_weight(queries, bm25, dense):
    best = None
    for w in GRID:
        m = statistics.mean(mrr(fuse(bm25[q["id"]], dense[q["id"]], w), set(q["gold_doc_ids"])) for q in queries)
        key = (round(m, 12), -abs(w - 0.5))
        if best is None or key > best[0]:
            best = (key, w)
    return best[1]


def compare(args, queries, results_a, results_b):
    """rag_score.py --compare on `queries` (A = --results, B = --compare): its JSON report (B - A per metric)."""
    with tempfile.TemporaryDirectory() as tmp:
        qf, af, bf, rep = (os.path.join(tmp, n) for n in ("q.jsonl", "a.jsonl", "b.jsonl", "r.json"))
        ids = {q["id"] for q in queries}
        for path, rows in ((qf, queries), (af, [r for r in results_a if r["query_id"] in ids]),
                           (bf, [r for r in results_b if r["query_id"] in ids])):
            with open(path, "w") as f:
                f.write("".join(json.dumps(r) + "\n" for r in rows))
        done = subprocess.run([sys.executable, args.scorer, "--queries", qf, "--results", af, "--compare", bf,
                               "--group-by", "", "--json", rep], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
        if done.returncode != 0:
            sys.exit("rag_score.py failed:\n" + done.stderr)
        with open(rep) as f:
            return json.load(f)


def metric(report, name):
    """B's score on `name`."""
    return report["compare"]["b_overall"][name]


def diff(report, name):
    """B - A on `name`: mean, and the 95% paired-bootstrap interval."""
    c = report["compare"]["diff_b_minus_a"][name]
    return c["mean"], c["ci95"][0], c["ci95"][1]


def folds_by_source(queries):
    by = {}
    for q in queries:
        by.setdefault(q.get("meta", {}).get("source", "?"), []).append(q)
    return [("source " + s, by[s]) for s in sorted(by)]


def folds_by_query(queries, k, seed):
    by = {}
    for q in sorted(queries, key=lambda q: q["id"]):
        by.setdefault(q.get("meta", {}).get("source", "?"), []).append(q)
    rng = random.Random(seed)
    folds = [[] for _ in range(k)]
    offset = 0
    for s in sorted(by):
        members = by[s][:]
        rng.shuffle(members)
        for i, q in enumerate(members):
            folds[(offset + i) % k].append(q)
        offset += len(members)
    return [("fold %d" % (i + 1), f) for i, f in enumerate(folds)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", required=True, help="DIR with MODE.VARIANT.jsonl result files")
    ap.add_argument("--data", default=os.path.join(SHARED, "data", "rag"))
    ap.add_argument("--scorer", default=os.path.join(SHARED, "tools", "rag_score.py"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--variants", default="named,anon", help="query variants to run (default named,anon)")
    ap.add_argument("--json")
    args = ap.parse_args()
    out = []
    for variant in args.variants.split(","):
        queries = read_jsonl(os.path.join(args.data, "queries_dev.%s.jsonl" % variant))
        runs = {m: rankings(os.path.join(args.runs, "%s.%s.jsonl" % (m, variant)))
                for m in ("bm25", "dense", "hybrid", "kb")}
        bm25_top10 = [{"query_id": q, "ranked_doc_ids": r[:10]} for q, r in runs["bm25"].items()]
        margin = margins(os.path.join(args.runs, "bm25.%s.jsonl" % variant))
        kb_by_gate = kb_gates(args.runs, variant)
        for title, folds in (("leave one source out", folds_by_source(queries)),
                             ("%d-fold over queries, stratified by source (seed %d)" % (args.folds, args.seed),
                              folds_by_query(queries, args.folds, args.seed))):
            print("\n== %s queries, %s" % (variant, title))
            print("%-10s %5s %-13s %6s %6s   %-26s %-26s" % ("fold", "n", "mode", "R@1", "MRR", "R@1 - BM25 (95% CI)",
                                                            "MRR - BM25 (95% CI)"))
            entry = {"variant": variant, "protocol": title, "folds": []}
            for name, test in folds:
                test_ids = {q["id"] for q in test}
                train = [q for q in queries if q["id"] not in test_ids]
                w = fit_weight(train, runs["bm25"], runs["dense"])
                fitted = [{"query_id": q["id"], "ranked_doc_ids": fuse(runs["bm25"][q["id"]], runs["dense"][q["id"]],
                                                                       w)} for q in test]
                tau = fit_gate(train, runs["bm25"], runs["dense"], margin)
                gated = [{"query_id": q["id"], "ranked_doc_ids": gate(runs["bm25"][q["id"]], runs["dense"][q["id"]],
                                                                      margin[q["id"]], tau)} for q in test]
                modes = {"bm25": bm25_top10, "fused w=%.1f" % w: fitted, "gate t=%.2f" % tau: gated,
                         "hybrid": [{"query_id": q, "ranked_doc_ids": r} for q, r in runs["hybrid"].items()],
                         "kb": [{"query_id": q, "ranked_doc_ids": r} for q, r in runs["kb"].items()],
                         "dense": [{"query_id": q, "ranked_doc_ids": r[:10]} for q, r in runs["dense"].items()]}
                if kb_by_gate:
                    g = fit_choice(train, kb_by_gate)
                    modes["kb-gate t=%.2f" % g] = [{"query_id": q, "ranked_doc_ids": r}
                                                   for q, r in kb_by_gate[g].items()]
                row = {"fold": name, "n": len(test), "fitted_w": w, "fitted_tau": tau, "modes": {}}
                for mode, results in modes.items():
                    rep = compare(args, test, bm25_top10, results)  # B - A = mode - BM25
                    r1, mr = metric(rep, "recall@1"), metric(rep, "mrr@10")
                    d1, d2 = diff(rep, "recall@1"), diff(rep, "mrr@10")
                    row["modes"][mode] = {"recall@1": r1, "mrr@10": mr, "diff_recall@1": d1, "diff_mrr@10": d2}
                    shown = "" if mode == "bm25" else "%+.3f (%+.3f..%+.3f)" % d1
                    shown2 = "" if mode == "bm25" else "%+.3f (%+.3f..%+.3f)" % d2
                    print("%-10s %5d %-13s %6.3f %6.3f   %-26s %-26s" % (name, len(test), mode, r1, mr, shown, shown2))
                entry["folds"].append(row)
                sys.stdout.flush()
            summary = {}
            for mode in ("bm25", "fused", "gate", "hybrid", "kb", "kb-gate", "dense"):
                vals = [v for f in entry["folds"] for k, v in f["modes"].items() if k.split(" ")[0] == mode]
                if not vals:
                    continue
                summary[mode] = {m: statistics.mean(v[m] for v in vals) for m in ("recall@1", "mrr@10")}
                worse = sum(1 for v in vals if mode != "bm25" and v["diff_mrr@10"][2] < 0)
                summary[mode]["folds_significantly_worse_mrr"] = worse
            entry["summary"] = summary
            print("mean over folds: " + "; ".join("%s R@1 %.3f MRR %.3f%s" % (
                m, s["recall@1"], s["mrr@10"],
                "" if m == "bm25" else " (%d folds sig. worse)" % s["folds_significantly_worse_mrr"])
                for m, s in summary.items()))
            out.append(entry)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
        print("\nwritten to " + args.json)


if __name__ == "__main__":
    main()
