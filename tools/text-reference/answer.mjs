// Answers a corpus with the reference implementations, for tests/text_reference_agreement.rs.
//
//   node answer.mjs ../../tests/data/text/corpus.jsonl ../../tests/data/text/answers.jsonl
//
// One JSON object a line, in the corpus's order:
// {"id": n,
//  "x": {"weightedLength", "valid", "validRangeEnd", "displayRangeEnd"}      twitter-text parseTweet, config v3
//  "bluesky": {"graphemes", "bytes", "facets": [[byteStart, byteEnd, type, value], …]}}
//                                     @atproto/api RichText, detectFacetsWithoutResolution
// A facet's type is "mention" (value: the handle), "link" (the URI) or "tag" (the tag).
// Also writes <answers>.meta.json with the versions that answered (the package versions and
// Node's Unicode and ICU versions: grapheme counting and NFC come from the runtime).

import { readFileSync, writeFileSync } from 'node:fs';
import twitterText from 'twitter-text';
import { RichText } from '@atproto/api';

const [corpusPath, answersPath] = process.argv.slice(2);
if (!corpusPath || !answersPath) {
  console.error('usage: node answer.mjs CORPUS.jsonl ANSWERS.jsonl');
  process.exit(2);
}

const V3 = twitterText.configs.version3;

export function answerX(text) {
  const r = twitterText.parseTweet(text, V3);
  return {
    weightedLength: r.weightedLength,
    valid: r.valid,
    validRangeEnd: r.validRangeEnd,
    displayRangeEnd: r.displayRangeEnd,
  };
}

export function answerBluesky(text) {
  const rt = new RichText({ text });
  rt.detectFacetsWithoutResolution();
  const facets = (rt.facets ?? []).map((f) => {
    const feature = f.features[0];
    switch (feature.$type) {
      case 'app.bsky.richtext.facet#mention':
        return [f.index.byteStart, f.index.byteEnd, 'mention', feature.did];
      case 'app.bsky.richtext.facet#link':
        return [f.index.byteStart, f.index.byteEnd, 'link', feature.uri];
      case 'app.bsky.richtext.facet#tag':
        return [f.index.byteStart, f.index.byteEnd, 'tag', feature.tag];
      default:
        throw new Error(`unknown facet ${feature.$type}`);
    }
  });
  return { graphemes: rt.graphemeLength, bytes: rt.length, facets };
}

const version = (name) =>
  JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;

const corpus = readFileSync(corpusPath, 'utf8')
  .split('\n')
  .filter((l) => l.length > 0)
  .map((l) => JSON.parse(l));
const lines = corpus.map(({ id, text }) => JSON.stringify({ id, x: answerX(text), bluesky: answerBluesky(text) }));
writeFileSync(answersPath, lines.join('\n') + '\n');
const meta = {
  corpus: corpusPath.split('/').pop(),
  texts: corpus.length,
  references: {
    'twitter-text': version('twitter-text'),
    'twemoji-parser': version('twemoji-parser'),
    '@atproto/api': version('@atproto/api'),
    '@atproto/lex-data': version('@atproto/lex-data'),
    tlds: version('tlds'),
  },
  node: process.versions.node,
  unicode: process.versions.unicode,
  icu: process.versions.icu,
  twitterTextConfig: 'version3',
};
writeFileSync(answersPath.replace(/\.jsonl$/, '.meta.json'), JSON.stringify(meta, null, 2) + '\n');
console.error(`answered ${corpus.length} texts into ${answersPath}`);
