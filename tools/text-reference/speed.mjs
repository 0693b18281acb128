// Throughput of the reference implementations on the differential corpus, one call per post,
// as benches/text.rs measures socialkit. Prints JSON: {"x_weighted_length/corpus": MB/s,
// "bluesky_facets_graphemes/posts": MB/s, ...}. Run by speed.sh, which compares with socialkit.
//
//   node speed.mjs ../../tests/data/text [seconds per measurement]

import { readFileSync } from 'node:fs';
import twitterText from 'twitter-text';
import { RichText } from '@atproto/api';

const [dataDir, secondsArg] = process.argv.slice(2);
const seconds = Number(secondsArg ?? '3');
const read = (file) =>
  readFileSync(`${dataDir}/${file}`, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l).text);
// The sets of benches/text.rs: the differential corpus, and 200 realistic posts.
const posts = read('posts.jsonl');
const sets = {
  corpus: read('corpus.jsonl'),
  posts: Array.from({ length: 200 }, (_, k) => posts[k % posts.length]),
};
const V3 = twitterText.configs.version3;

const cases = {
  // What X's composer calls on every keystroke.
  x_weighted_length: (t) => twitterText.parseTweet(t, V3).weightedLength,
  // What a Bluesky client calls before posting: facets, and the grapheme count for the limit.
  bluesky_facets_graphemes: (t) => {
    const rt = new RichText({ text: t });
    rt.detectFacetsWithoutResolution();
    return (rt.facets?.length ?? 0) + rt.graphemeLength;
  },
};

function measure(f, texts) {
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  let sink = 0;
  // Warm-up: let the JIT compile.
  const warmEnd = performance.now() + 1000;
  while (performance.now() < warmEnd) for (const t of texts) sink += f(t);
  let rounds = 0;
  const start = performance.now();
  let now = start;
  while (now - start < seconds * 1000) {
    for (const t of texts) sink += f(t);
    rounds++;
    now = performance.now();
  }
  const mbPerSecond = (bytes * rounds) / ((now - start) / 1000) / 1e6;
  return { mbPerSecond, sink };
}

const result = { node: process.versions.node };
for (const [set, texts] of Object.entries(sets)) {
  for (const [name, f] of Object.entries(cases)) {
    result[`${name}/${set}`] = Number(measure(f, texts).mbPerSecond.toFixed(3));
  }
}
console.log(JSON.stringify(result));
