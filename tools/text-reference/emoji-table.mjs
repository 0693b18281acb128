// Derives the emoji table of src/text/x_emoji_table.rs from the emoji regex twitter-text uses.
//
//   node emoji-table.mjs ../../src/text/x_emoji_table.rs
//
// twitter-text 3.1.0's parseTweet counts each match of twemoji-parser's regular expression
// (`twemoji-parser/dist/lib/regex.js`, generated from Unicode 11 emoji data) once, at the
// default weight; every other code point counts by itself. That regex is a finite language:
// alternations, character classes and `?`, no repetition. This script parses it, lists every
// string it matches in the order a backtracking engine tries them, and writes the strings
// (as code points) with their rank. At a position, the regex matches the string of lowest
// rank that the text there starts with; the Rust matcher does the same with the table.
//
// Before writing, the script checks the table against the regex itself: on every listed
// string followed by each listed string, and on every text of the corpora, a global scan with
// the table must give the same matches as twemoji-parser's `parse`.

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const twemoji = require('twemoji-parser');
const regexModule = require('twemoji-parser/dist/lib/regex.js');
const REGEX = regexModule.default;
const version = JSON.parse(readFileSync(new URL('./node_modules/twemoji-parser/package.json', import.meta.url), 'utf8')).version;

const out = process.argv[2];
if (!out) {
  console.error('usage: node emoji-table.mjs OUT.rs');
  process.exit(2);
}
if (REGEX.flags !== 'g') throw new Error(`unexpected flags ${REGEX.flags}`);

// ---------------------------------------------------------------------------------------
// Parse the regex source into a small tree:
//   {alt: [seq]}  {seq: [node]}  {set: [code units]}  {opt: node}

const src = REGEX.source;
let pos = 0;

function unit(inClass = false) {
  if (src[pos] === '\\') {
    if (src[pos + 1] !== 'u') throw new Error(`unknown escape at ${pos}: ${src.slice(pos, pos + 6)}`);
    const u = parseInt(src.slice(pos + 2, pos + 6), 16);
    pos += 6;
    return u;
  }
  if ((inClass ? '[]\\' : '()[]|?*+{}.^$').includes(src[pos])) throw new Error(`unexpected ${src[pos]} at ${pos}`);
  return src.charCodeAt(pos++);
}

function parseClass() {
  pos++; // [
  if (src[pos] === '^') throw new Error('negated class');
  const units = [];
  while (src[pos] !== ']') {
    const lo = unit(true);
    if (src[pos] === '-' && src[pos + 1] !== ']') {
      pos++;
      const hi = unit(true);
      for (let u = lo; u <= hi; u++) units.push(u);
    } else {
      units.push(lo);
    }
  }
  pos++; // ]
  return { set: units };
}

function parseAtom() {
  if (src[pos] === '(') {
    const lookahead = src.startsWith('(?!', pos);
    if (src.startsWith('(?', pos) && !lookahead && !src.startsWith('(?:', pos)) throw new Error(`unknown group at ${pos}`);
    pos += lookahead || src.startsWith('(?:', pos) ? 3 : 1;
    const inner = parseAlt();
    if (src[pos] !== ')') throw new Error(`expected ) at ${pos}`);
    pos++;
    if (!lookahead) return inner;
    // A negative lookahead of single code units: "not followed by one of these".
    const units = expand(inner).map((x) => {
      if (x.units.length !== 1 || x.notBefore.size) throw new Error('lookahead of more than one unit');
      return x.units[0];
    });
    return { notAhead: new Set(units) };
  }
  if (src[pos] === '[') return parseClass();
  return { set: [unit()] };
}

function parseSeq() {
  const items = [];
  while (pos < src.length && src[pos] !== '|' && src[pos] !== ')') {
    let atom = parseAtom();
    if (src[pos] === '?') {
      pos++;
      if (src[pos] === '?') throw new Error('lazy quantifier');
      atom = { opt: atom };
    }
    if ('*+{'.includes(src[pos])) throw new Error(`repetition at ${pos}`);
    items.push(atom);
  }
  return { seq: items };
}

function parseAlt() {
  const alts = [parseSeq()];
  while (src[pos] === '|') {
    pos++;
    alts.push(parseSeq());
  }
  return { alt: alts };
}

const tree = parseAlt();
if (pos !== src.length) throw new Error(`trailing source at ${pos}`);

// ---------------------------------------------------------------------------------------
// List the language in the order a backtracking engine tries it. Every string is an array
// of UTF-16 code units.

// Each string is {units, notBefore}: its UTF-16 code units, and the code units that must not
// follow it (from a lookahead at its end).
function expand(node) {
  if (node.alt) return node.alt.flatMap(expand);
  if (node.set) return node.set.map((u) => ({ units: [u], notBefore: new Set() }));
  if (node.opt) return [...expand(node.opt), { units: [], notBefore: new Set() }]; // greedy
  if (node.notAhead) return [{ units: [], notBefore: node.notAhead }];
  let acc = [{ units: [], notBefore: new Set() }];
  for (const item of node.seq) {
    const next = expand(item);
    const grown = [];
    for (const a of acc) {
      for (const b of next) {
        if (b.units.length > 0) {
          if (a.notBefore.has(b.units[0])) continue; // the lookahead fails
          grown.push({ units: [...a.units, ...b.units], notBefore: b.notBefore });
        } else {
          grown.push({ units: a.units, notBefore: new Set([...a.notBefore, ...b.notBefore]) });
        }
      }
    }
    acc = grown;
  }
  return acc;
}

// Only one lookahead occurs: "not followed by U+FE0E" (a text presentation selector).
const VS15 = 0xfe0e;
const ranked = new Map(); // key -> {s, rank, notBeforeVs15}
expand(tree).forEach(({ units, notBefore }, rank) => {
  const s = String.fromCharCode(...units);
  if (!s.isWellFormed()) throw new Error(`ill-formed string in the language: ${units.map((u) => u.toString(16))}`);
  if (s.length === 0) throw new Error('empty string in the language');
  if (notBefore.size > 1 || (notBefore.size === 1 && !notBefore.has(VS15))) throw new Error('unexpected lookahead');
  const notBeforeVs15 = notBefore.size === 1;
  const key = `${s}|${notBeforeVs15}`;
  if (!ranked.has(key)) ranked.set(key, { s, rank, notBeforeVs15 });
});
// An entry with the lookahead is never needed where the same string without it ranks lower.
for (const [key, e] of ranked) {
  const free = ranked.get(`${e.s}|false`);
  if (e.notBeforeVs15 && free && free.rank < e.rank) ranked.delete(key);
}
const bySequence = new Map(); // string -> entries
for (const e of ranked.values()) {
  if (!bySequence.has(e.s)) bySequence.set(e.s, []);
  bySequence.get(e.s).push(e);
}

// The first code unit of every string must start a code point: then a scan by code points
// (Rust) finds what the regex's scan by code units finds.
for (const s of bySequence.keys()) {
  const u = s.charCodeAt(0);
  if (u >= 0xdc00 && u <= 0xdfff) throw new Error('a string starts with a low surrogate');
}

// ---------------------------------------------------------------------------------------
// Check the table against the regex.

function matchAt(text, at) {
  let best = null;
  for (let end = at + 1; end <= text.length && end - at <= MAX_UNITS; end++) {
    for (const e of bySequence.get(text.slice(at, end)) ?? []) {
      if (e.notBeforeVs15 && text.charCodeAt(end) === VS15) continue;
      if (best === null || e.rank < best.rank) best = { rank: e.rank, end };
    }
  }
  return best;
}

const MAX_UNITS = Math.max(...[...bySequence.keys()].map((s) => s.length));

function scan(text) {
  const found = [];
  let at = 0;
  while (at < text.length) {
    const m = matchAt(text, at);
    if (m) {
      found.push([at, m.end]);
      at = m.end;
    } else {
      at++;
    }
  }
  return found;
}

function reference(text) {
  return twemoji.parse(text).map((e) => e.indices);
}

let checked = 0;
function check(text) {
  const a = JSON.stringify(scan(text));
  const b = JSON.stringify(reference(text));
  if (a !== b) throw new Error(`table and regex differ on ${JSON.stringify(text)}: ${a} vs ${b}`);
  checked++;
}

const strings = [...bySequence.keys()];
for (const s of strings) {
  check(s);
  check(`x${s}y`);
  check(`${s}\ufe0e`);
  check(`${s}\ufe0f`);
}
for (let i = 0; i < strings.length; i++) {
  check(strings[i] + strings[(i * 7919 + 13) % strings.length]);
}
for (const corpus of ['corpus.jsonl', 'holdout.jsonl']) {
  const path = new URL(`../../tests/data/text/${corpus}`, import.meta.url);
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line) check(JSON.parse(line).text);
  }
}

// ---------------------------------------------------------------------------------------
// Write the Rust table: sorted by UTF-8 bytes (as Rust compares `str`), with the rank.

const entries = [...ranked.values()].sort((a, b) => Buffer.compare(Buffer.from(a.s), Buffer.from(b.s)) || a.rank - b.rank);
const rustString = (s) =>
  [...s]
    .map((c) => {
      const p = c.codePointAt(0);
      return p >= 0x20 && p < 0x7f && c !== '"' && c !== '\\' ? c : `\\u{${p.toString(16)}}`;
    })
    .join('');

const lines = [];
lines.push('// @generated by tools/text-reference/emoji-table.mjs; do not edit.');
lines.push('//');
lines.push(`// Derived from the emoji regular expression of twemoji-parser ${version}`);
lines.push('// (Copyright Twitter Inc., MIT licence: https://github.com/twitter/twemoji-parser),');
lines.push("// which twitter-text 3.1.0's parseTweet uses to count emoji.");
lines.push('');
lines.push('/// Every string the emoji regex matches, sorted (by bytes, then rank), with its rank and');
lines.push('/// whether it matches only where U+FE0E does not follow: where several start at a position,');
lines.push('/// the regex matches the one of lowest rank.');
lines.push('pub(super) static SEQUENCES: &[(&str, u16, bool)] = &[');
for (const e of entries) lines.push(`    ("${rustString(e.s)}", ${e.rank}, ${e.notBeforeVs15}),`);
lines.push('];');
// The code points a sequence starts with, as ranges: a cheap test before the table.
const firsts = [...new Set(entries.map((e) => e.s.codePointAt(0)))].sort((a, b) => a - b);
const firstRanges = [];
for (const c of firsts) {
  const last = firstRanges[firstRanges.length - 1];
  if (last && last[1] + 1 === c) last[1] = c;
  else firstRanges.push([c, c]);
}
lines.push('');
lines.push('/// The code points a sequence starts with, as sorted inclusive ranges.');
lines.push('pub(super) static FIRST: &[(u32, u32)] = &[');
for (const [a, b] of firstRanges) lines.push(`    (0x${a.toString(16)}, 0x${b.toString(16)}),`);
lines.push('];');
writeFileSync(out, lines.join('\n') + '\n');
const maxRank = Math.max(...entries.map((e) => e.rank));
if (maxRank > 65535) throw new Error('ranks do not fit u16');
console.error(`${entries.length} sequences (ranks up to ${maxRank}), checked on ${checked} texts, written to ${out}`);
