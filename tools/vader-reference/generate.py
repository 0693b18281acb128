"""Builds socialkit's differential sentiment corpus and scores it with the reference.

Writes tests/data/vader/differential.jsonl: one JSON object per line, {"id", "text", "neg",
"neu", "pos", "compound"}, the scores being those of vaderSentiment (the version pinned in
requirements.txt). The texts are generated (seeded, so the same every run) to exercise VADER's
rules: negations (incl. three words back, "never so", "without doubt", "no"), "but" and other
contrasts, boosters and dampeners (incl. "kind of", capitalised boosters), ALL CAPS among lower
case words, "!" and "?" runs, emoticons, emoji (alone, glued to words, with modifiers and ZWJ
sequences), idioms and special cases, "least", punctuation around words, Unicode (accents,
combining marks, CJK, right-to-left scripts, odd whitespace and separators), numbers, URLs,
mentions and hashtags.

    python3 -m venv /tmp/vader-venv
    /tmp/vader-venv/bin/pip install -r tools/vader-reference/requirements.txt
    /tmp/vader-venv/bin/python tools/vader-reference/generate.py [count]
"""

import json
import os
import random
import sys

from vaderSentiment import vaderSentiment as vs

SEED = 20261207
COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 24000
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "tests", "data", "vader", "differential.jsonl")

analyzer = vs.SentimentIntensityAnalyzer()
rng = random.Random(SEED)

lexicon = sorted(analyzer.lexicon)
words_only = [w for w in lexicon if w.isalpha()]
positive = [w for w in words_only if analyzer.lexicon[w] > 0]
negative = [w for w in words_only if analyzer.lexicon[w] < 0]
emoticons = [w for w in lexicon if not any(c.isalnum() for c in w)]
mixed_tokens = [w for w in lexicon if not w.isalpha() and any(c.isalnum() for c in w)]
emoji = sorted(analyzer.emojis)
boosters = sorted(vs.BOOSTER_DICT)
negations = sorted(vs.NEGATE)
idioms = sorted(vs.SENTIMENT_LADEN_IDIOMS) + sorted(vs.SPECIAL_CASES)
contrasts = ["but", "BUT", "But", "however", "although", "yet"]
neutral = (
    "the a an my our your this that it is was be been to of in on at for with from and or "
    "service order app update team phone store delivery package product today yesterday "
    "week customer support call email price shipping box screen battery version account "
    "i you we they he she them someone everyone people guys thing stuff lot time day"
).split()
fillers = ["kind of", "kinda", "sort of", "just enough", "at least", "least", "no", "never so",
           "without doubt", "not only", "so", "too", "very", "really", "nope", "uh-uh"]
punct_runs = ["!", "!!", "!!!", "!!!!", "!!!!!!", "?", "??", "???", "????", "?!", "!?", "?!?!",
              "...", "..", ".", ",", ";", ":", "!!!???", "‼", "⁉", "？", "！"]
wrappers = [("", ""), ('"', '"'), ("'", "'"), ("(", ")"), ("*", "*"), ("_", "_"), ("#", ""),
            ("@", ""), ("“", "”"), ("‘", "’"), ("«", "»"), ("¿", "?"), ("¡", "!"), ("-", "-")]
unicode_bits = ["café", "naïve", "Straße", "ÉNORME", "façade", "jalapeño", "résumé",
                "e\u0301", "n\u0303o", "東京", "好", "很好", "素晴らしい", "ダメ", "안녕",
                "مرحبا", "שלום", "Привет", "ПЛОХО", "γεια", "ΚΑΛΑ", "ǅemal", "ß", "İstanbul",
                "\u200b", "\u200d", "\ufe0f", "\u00a0", "\u2009", "\u3000", "\u001c", "\u001f",
                "\u2028", "\t", "\n", "\r\n", "𝐆𝐨𝐨𝐝", "ｇｏｏｄ", "ＧＯＯＤ", "①", "Ⅻ", "½"]
skin = ["\U0001F3FB", "\U0001F3FC", "\U0001F3FD", "\U0001F3FE", "\U0001F3FF"]
misc = ["http://url_removed", "https://example.com/a?b=c", "@anonymous", "#fail", "#love",
        "2", "10/10", "0/10", "100%", "$5", "5:00", "1st", "lol", "LOL", "lmao", "wtf", "WTF",
        "omg", "OMG", "&amp;", "&lt;3", "<3", "</3", ":-)", ":(", ":'(", ";)", ":D", "D:",
        "XD", "xD", ":P", "^_^", "-_-", "o_O", "¯\\_(ツ)_/¯", "(╯°□°)╯︵ ┻━┻"]


def caps(w):
    r = rng.random()
    if r < 0.2:
        return w.upper()
    if r < 0.3:
        return w.capitalize()
    if r < 0.33:
        return "".join(c.upper() if rng.random() < 0.5 else c for c in w)
    return w


def token():
    r = rng.random()
    if r < 0.22:
        return caps(rng.choice(neutral))
    if r < 0.36:
        return caps(rng.choice(positive))
    if r < 0.50:
        return caps(rng.choice(negative))
    if r < 0.58:
        return caps(rng.choice(boosters))
    if r < 0.66:
        return caps(rng.choice(negations))
    if r < 0.70:
        return caps(rng.choice(fillers))
    if r < 0.74:
        return rng.choice(contrasts)
    if r < 0.78:
        return caps(rng.choice(idioms))
    if r < 0.83:
        return rng.choice(emoticons)
    if r < 0.89:
        e = rng.choice(emoji)
        if rng.random() < 0.2:
            e += rng.choice(skin)
        if rng.random() < 0.1:
            e += "\u200d" + rng.choice(emoji)
        return e
    if r < 0.92:
        return rng.choice(mixed_tokens)
    if r < 0.96:
        return rng.choice(misc)
    return rng.choice(unicode_bits)


def decorate(tok):
    r = rng.random()
    if r < 0.12:
        a, b = rng.choice(wrappers)
        tok = a + tok + b
    if rng.random() < 0.15:
        tok += rng.choice(punct_runs)
    return tok


def separator():
    r = rng.random()
    if r < 0.85:
        return " "
    if r < 0.9:
        return "  "
    if r < 0.93:
        return ""
    return rng.choice([" ", "\t", "\n", "\u00a0", " \u200b", "\u3000", "\u001e", " - ", ", "])


def text():
    n = rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 20, 25, 30])
    out = ""
    for k in range(n):
        if k:
            out += separator()
        out += decorate(token())
    r = rng.random()
    if r < 0.25:
        out += rng.choice(punct_runs)
    elif r < 0.3:
        out = out.upper()
    elif r < 0.33:
        out = out.lower()
    return out


def main():
    seen = set()
    rows = []
    # A few fixed edge cases first.
    for t in ["", " ", "!!!", "???", ":)", "😀", "no", "not", "but", "kind of", "the shit",
              "GOOD", "good", "Good!", "not bad", "not bad at all", "never so good",
              "without doubt good", "least good", "at least good", "very least good",
              "no good", "no no good", "nope good", "I do not like it but I love you",
              "The food was great BUT the service was terrible!!!"]:
        seen.add(t)
        rows.append(t)
    while len(rows) < COUNT:
        t = text()
        if t in seen:
            continue
        seen.add(t)
        rows.append(t)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        for i, t in enumerate(rows, 1):
            s = analyzer.polarity_scores(t)
            f.write(json.dumps({"id": i, "text": t, "neg": s["neg"], "neu": s["neu"],
                                "pos": s["pos"], "compound": s["compound"]},
                               ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} texts to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
