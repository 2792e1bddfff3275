#!/usr/bin/env python3
"""Mutation check of deploy/prometheus/sre-agent-alerts.yaml against its promtool unit tests: each mutant (a threshold,
comparison, window, `for:` or `or` branch changed) is written to a temporary copy of the rules and the unit tests are
run on it; a mutant the tests still pass "survived". Needs promtool (Debian package prometheus).

    python3 sre-agent-bench/scripts/alert_mutants.py [deploy/prometheus]
"""
import os, re, shutil, subprocess, sys, tempfile

src_dir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy", "prometheus"))
work = tempfile.mkdtemp(prefix="alert-mutants-")
shutil.copy(os.path.join(src_dir, "sre-agent-alerts.test.yaml"), os.path.join(work, "t.yaml"))
os.chdir(work)
orig=open(os.path.join(src_dir, 'sre-agent-alerts.yaml')).read()
muts=[]
def add(a,b):
    assert a in orig, a
    muts.append((a,b))
add("sreagent_loop_last_tick_age_seconds > 60","sreagent_loop_last_tick_age_seconds > 59")
add("sreagent_loop_last_tick_age_seconds > 60","sreagent_loop_last_tick_age_seconds > 61")
add("sreagent_loop_last_tick_age_seconds > 60","sreagent_loop_last_tick_age_seconds >= 60")
add("> 0.5 * rate","> 0.3 * rate"); add("> 0.5 * rate","> 0.7 * rate")
add("rate(sreagent_loop_ticks_failed_total[5m]) > 0.5 * rate(sreagent_loop_ticks_total[5m])","rate(sreagent_loop_ticks_failed_total[5m]) > 0")
add("rate(sreagent_loop_ticks_failed_total[5m])","rate(sreagent_loop_ticks_failed_total[10m])")
add("increase(sreagent_signals_accepted_total[30m]) == 0","increase(sreagent_signals_accepted_total[20m]) == 0")
add("increase(sreagent_signals_accepted_total[30m]) == 0","increase(sreagent_signals_accepted_total[40m]) == 0")
add("increase(sreagent_signals_accepted_total[30m]) == 0","increase(sreagent_signals_accepted_total[30m]) < 50")
add("increase(sreagent_signals_dropped_total[5m]) > 0","increase(sreagent_signals_dropped_total[5m]) > 10")
add("increase(sreagent_signals_dropped_total[5m]) > 0","increase(sreagent_signals_dropped_total[10m]) > 0")
add("increase(sreagent_signals_dropped_total[5m]) > 0","increase(sreagent_signals_dropped_total[3m]) > 0")
add('counter!="rejected.agent-busy"','counter!="rejected.nothing"')
add("[15m])) > 10","[15m])) > 8"); add("[15m])) > 10","[15m])) > 14")
add("sum without (counter)","sum by (instance)")
add("increase(sreagent_detector_samples_rejected_total[15m]) > 100","increase(sreagent_detector_samples_rejected_total[15m]) > 80")
add("increase(sreagent_detector_samples_rejected_total[15m]) > 100","increase(sreagent_detector_samples_rejected_total[15m]) > 130")
add("increase(sreagent_component_failures_total[15m]) >= 3","increase(sreagent_component_failures_total[15m]) >= 1")
add("increase(sreagent_component_failures_total[15m]) >= 3","increase(sreagent_component_failures_total[15m]) >= 4")
add("increase(sreagent_component_failures_total[15m]) >= 3","increase(sreagent_component_failures_total[15m]) > 0")
add('counter="failed"}[15m]) > 0','counter="failed"}[15m]) > 1')
add('counter="failed"}[15m]) > 0','counter="failed"}[10m]) > 0')
add('counter="failed"}[15m]) > 0','counter="failed"}[20m]) > 0')
add('{counter="failed"}','{counter=~"failed.*"}')
add('counter="refused.signature"}[15m]) > 0','counter="refused.signature"}[15m]) > 1')
add('counter="refused.signature"}[15m]) > 0','counter="refused.signature"}[15m]) >= 0')
add('counter="refused.signature"}[15m]) > 0','counter="refused.signature"}[10m]) > 0')
add('counter="refused.signature"}[15m]) > 0','counter="refused.signature"}[20m]) > 0')
add('increase(sreagent_slack_total{counter="refused.signature"}[15m]) > 0','sreagent_slack_total{counter="refused.signature"} > 0')
add('{counter="refused.signature"}','{counter=~"refused.*"}')
add('{counter="refused.signature"}','')
add('increase(sreagent_slack_total{counter="failed"}[15m]) > 0','sreagent_slack_total{counter="failed"} > 0')
add("sreagent_approvals_pending > 0","sreagent_approvals_pending > 1")
add("sreagent_approvals_pending > 0","sreagent_approvals_pending >= 0")
add("increase(sreagent_actions_failed_total[30m]) >= 3","increase(sreagent_actions_failed_total[30m]) >= 2")
add("increase(sreagent_actions_failed_total[30m]) >= 3","increase(sreagent_actions_failed_total[30m]) >= 4")
add("sreagent_kill_switch_engaged == 1","sreagent_kill_switch_engaged == 0")
add("\n          or increase(sreagent_detector_states_evicted_total[1h]) > 0","")
add("\n          or increase(sreagent_edges_evicted_total[1h]) > 0","")
add("\n          or increase(sreagent_log_sources_evicted_total[1h]) > 0","")
add("increase(sreagent_series_evicted_total[1h]) > 0\n","increase(sreagent_series_evicted_total[1h]) >= 0\n")
add("increase(sreagent_anomalies_suppressed_total[15m]) > 0","increase(sreagent_anomalies_suppressed_total[15m]) > 100")
add("increase(sreagent_anomalies_suppressed_total[15m]) > 0","sreagent_anomalies_suppressed_total > 0")
fors=[(m.start(),m.group(1)) for m in re.finditer(r"for: (\w+)", orig)]
alt={'2m':['1m','3m'],'5m':['4m','6m'],'10m':['9m','11m'],'15m':['14m','16m'],'4h':['3h59m','4h1m']}
results=[]
def run(text,label):
    open('sre-agent-alerts.yaml','w').write(text)
    r=subprocess.run(['promtool','test','rules','t.yaml'],capture_output=True,text=True)
    results.append((label,r.returncode==0))
open('sre-agent-alerts.yaml','w').write(orig)
assert subprocess.run(['promtool','test','rules','t.yaml'],capture_output=True).returncode==0
for a,b in muts: run(orig.replace(a,b,1), f"{a[:50]!r} -> {b[:50]!r}")
for pos,v in fors:
    name=re.findall(r"alert: (\w+)", orig[:pos])[-1]
    for w in alt[v]: run(orig[:pos]+"for: "+w+orig[pos+len("for: "+v):], f"{name} for {v}->{w}")
    ls=orig.rfind("\n",0,pos); le=orig.find("\n",pos)
    run(orig[:ls]+orig[le:], f"{name} no for")
surv=[l for l,s in results if s]
print(len(results),"mutants,",len(surv),"survived")
for l in surv: print("SURVIVED:",l)
open('sre-agent-alerts.yaml','w').write(orig)
shutil.rmtree(work)
sys.exit(0)
