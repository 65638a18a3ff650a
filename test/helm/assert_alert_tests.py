"""Every alert in the rules file has promtool unit tests that fire it and that keep it quiet."""
import sys

import yaml

rules = yaml.safe_load(open(sys.argv[1]))
tests = yaml.safe_load(open(sys.argv[2]))
alerts = [r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r]
fires, quiet = set(), set()
for t in tests["tests"]:
    for case in t.get("alert_rule_test", []):
        (fires if case.get("exp_alerts") else quiet).add(case["alertname"])
missing = 0
for a in alerts:
    ok = a in fires and a in quiet
    missing += not ok
    print(f"{'ok  ' if ok else 'FAIL'} {a}: fires={'yes' if a in fires else 'NO'} quiet={'yes' if a in quiet else 'NO'}")
unknown = (fires | quiet) - set(alerts)
for u in sorted(unknown):
    print(f"FAIL tests name an alert that does not exist: {u}")
print(f"{len(alerts)} alerts, {missing} without both cases")
sys.exit(1 if missing or unknown or not alerts else 0)
