#!/usr/bin/env python3
"""Prints a Markdown table of fwdlearn run directories (their metrics.json): final and best test accuracy,
final F angle, epochs done and training seconds. Usage: scripts/runs-table.py RUNDIR..."""
import json
import sys

print("| run | epochs | final test acc | best (epoch) | final F angle | train seconds |")
print("|---|---|---|---|---|---|")
for d in sys.argv[1:]:
    try:
        with open(f"{d}/metrics.json") as f:
            m = json.load(f)
    except OSError:
        continue
    ep = m["epochs"]
    if not ep:
        continue
    last = ep[-1]
    best = max(ep, key=lambda e: e["test_accuracy"])
    angle = last.get("f_angle_deg")
    angle = "" if angle is None or angle != angle else f"{angle:.1f} deg"
    done = "final" in m
    secs = sum(e["seconds"] for e in ep)
    name = d.rstrip("/").split("/")[-1]
    print(f"| {name} | {len(ep)}{'' if done else ' (running)'} | {100 * last['test_accuracy']:.2f}% "
          f"| {100 * best['test_accuracy']:.2f}% ({best['epoch']}) | {angle} | {secs:.0f} |")
