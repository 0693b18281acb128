"""Times the reference, vaderSentiment's polarity_scores, on the differential corpus.

examples/vader_score.rs runs it beside socialkit's analyzer on the same texts (see README.md)
with `--serve`: the script loads the corpus and the analyzer, prints `ready`, and then for each
line `round` read from stdin scores every text once and prints the seconds that pass took. The
example alternates these rounds with its own rounds of the same length, so both sides see the
machine's load in the same way.

Without `--serve`, it prints texts per second, best of `rounds` passes:

    /tmp/vader-venv/bin/python tools/vader-reference/speed.py tests/data/vader/differential.jsonl [rounds]
    /tmp/vader-venv/bin/python tools/vader-reference/speed.py --serve tests/data/vader/differential.jsonl
"""

import json
import sys
import time

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

args = sys.argv[1:]
serve = "--serve" in args
args = [a for a in args if a != "--serve"]
texts = [json.loads(line)["text"] for line in open(args[0], encoding="utf-8")]
analyzer = SentimentIntensityAnalyzer()


def one_pass():
    start = time.perf_counter()
    for t in texts:
        analyzer.polarity_scores(t)
    return time.perf_counter() - start


if serve:
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() != "round":
            break
        print(f"{one_pass():.6f}", flush=True)
else:
    rounds = int(args[1]) if len(args) > 1 else 3
    best = min(one_pass() for _ in range(rounds))
    print(f"{len(texts) / best:.1f}")
