#!/usr/bin/env python3
"""Broken on purpose (analyser-check must fail it): scores as a flat list, no batch_index."""
import json
import sys

task = json.load(sys.stdin)
print(json.dumps({"results": [{"id": d["id"], "hope": 0.5} for d in task["payload"]["documents"]]}))
