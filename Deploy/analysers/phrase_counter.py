#!/usr/bin/env python3
"""An example external analyser for analyse-batch-agent --analyser-command.

Reads one task message (JSON) on stdin and prints the batch result (JSON) on stdout, in
the shape the built-in corpus synthesis expects. It scores like the built-in analyser but
with plain substring counting, to show the contract; replace the scoring with your own
(for example, a call to a language model). Anything printed to stderr is kept in the
failure reason if the program fails.
"""
import json
import re
import sys


def analyse(document, dimensions):
    text = document["text"]
    lowered = text.lower()
    words = re.findall(r"\w+(?:'\w+)?", text)
    sentences = [m for m in re.finditer(r"[^.!?\n]+[.!?]?", text) if m.group().strip()]
    scores = {}
    for dimension in dimensions:
        raises = sum(lowered.count(p.lower()) for p in dimension.get("raises", []))
        lowers = sum(lowered.count(p.lower()) for p in dimension.get("lowers", []))
        hits = raises + lowers
        evidence = []
        for match in sentences:
            sentence = match.group().strip()
            phrase = next((p for p in dimension.get("raises", []) + dimension.get("lowers", []) if p.lower() in sentence.lower()), None)
            if phrase and len(evidence) < 5:
                start = match.start() + (len(match.group()) - len(match.group().lstrip()))
                evidence.append({"sentence": sentence, "start": start, "end": start + len(sentence), "phrase": phrase})
        scores[dimension["name"]] = {
            "raw_score": raises / (hits + 1),
            "salience": hits * 100 / len(words) if words else 0,
            "confidence": hits / (hits + 2),
            "raises_hits": raises,
            "lowers_hits": lowers,
            "evidence": evidence,
        }
    return {"id": document["id"], "word_count": len(words), "metadata": document.get("metadata", {}),
            "scores": scores, "derived": {}}


def main():
    task = json.load(sys.stdin)
    if task.get("task_type") != "analyse_batch":
        print(f"this analyser only handles analyse_batch, got {task.get('task_type')}", file=sys.stderr)
        return 2
    payload = task["payload"]
    documents = [analyse(d, payload["framework"]["dimensions"]) for d in payload["documents"]]
    json.dump({"batch_index": task.get("batch_index", 0), "documents": documents}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
