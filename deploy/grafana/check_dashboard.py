#!/usr/bin/env python3
"""Writes every PromQL expression of the Grafana dashboard as a recording
rule, so that `promtool check rules` can parse them (Grafana's variables
replaced by plain values). Usage: check_dashboard.py DASHBOARD OUT.yml"""

import json
import sys


def expressions(dashboard):
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            yield panel["title"], target["expr"]
    for annotation in dashboard.get("annotations", {}).get("list", []):
        if "expr" in annotation:
            yield annotation["name"], annotation["expr"]
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("query")
        if isinstance(query, dict) and query.get("query", "").startswith("label_values("):
            # label_values(METRIC, LABEL) is Grafana's: check the metric.
            metric = query["query"][len("label_values(") :].split(",")[0]
            yield variable["name"], metric


def main():
    dashboard_path, out_path = sys.argv[1], sys.argv[2]
    with open(dashboard_path) as file:
        dashboard = json.load(file)
    rules = []
    for number, (title, expr) in enumerate(expressions(dashboard)):
        expr = expr.replace("$__rate_interval", "5m").replace("$instance", ".*")
        rules.append({"record": f"dashboard:expr_{number}", "expr": expr})
        print(f"{title}: {expr}", file=sys.stderr)
    with open(out_path, "w") as file:
        # JSON is YAML: promtool reads it as a rule file.
        json.dump({"groups": [{"name": "dashboard", "rules": rules}]}, file, indent=1)


if __name__ == "__main__":
    main()
