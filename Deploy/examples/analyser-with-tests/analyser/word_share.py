#!/usr/bin/env python3
"""An external analyser: scores each dimension by the share of a document's words that are
one of its `raises` phrases (single words, case-folded).

It follows Tributary's external-analyser contract (Docs/analysers.md): one task message as
JSON on stdin, the analyse_batch result as JSON on stdout, exit 0. A task it cannot handle
exits 65, a permanent failure, with the reason on stderr.
"""
import json
import re
import sys


def analyse(document, dimensions):
    words = [w.casefold() for w in re.findall(r"\w+", document["text"])]
    scores = {}
    for dimension in dimensions:
        phrases = {p.casefold() for p in dimension.get("raises", [])}
        hits = sum(1 for w in words if w in phrases)
        scores[dimension["name"]] = {
            "raw_score": hits / len(words) if words else 0.0,
            "confidence": min(1.0, len(words) / 100),
            "raises_hits": hits,
            "lowers_hits": 0,
            "evidence": [],
        }
    return {"id": document["id"], "word_count": len(words), "metadata": document.get("metadata", {}),
            "scores": scores, "derived": {}}


def main():
    task = json.load(sys.stdin)
    if task.get("task_type") != "analyse_batch":
        print(f"word_share handles analyse_batch tasks only, not {task.get('task_type')!r}", file=sys.stderr)
        return 65
    payload = task["payload"]
    dimensions = payload["framework"]["dimensions"]
    documents = [analyse(d, dimensions) for d in payload["documents"]]
    json.dump({"batch_index": task.get("batch_index", 0), "documents": documents}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
