"""Prints the reference's throughput on the differential corpus: texts per second of
vaderSentiment's polarity_scores over every text, best of `rounds` passes. examples/vader_score.rs
runs it beside socialkit's analyzer on the same texts (see README.md).

    /tmp/vader-venv/bin/python tools/vader-reference/speed.py tests/data/vader/differential.jsonl [rounds]
"""

import json
import sys
import time

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8")]
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
analyzer = SentimentIntensityAnalyzer()
best = None
for _ in range(rounds):
    start = time.perf_counter()
    for t in texts:
        analyzer.polarity_scores(t)
    elapsed = time.perf_counter() - start
    best = elapsed if best is None or elapsed < best else best
print(f"{len(texts) / best:.1f}")
