// Writes a seeded corpus of texts for the differential test of socialkit's text rules.
//
//   node generate-corpus.mjs --seed 1 --count 6000 --out ../../tests/data/text/corpus.jsonl
//
// The corpus does not depend on the references (they only answer it, see answer.mjs): the
// same seed and count give the same file on every machine. One JSON object a line:
// {"id": n, "kind": "...", "text": "..."}.
//
// What it covers: words of many scripts (Latin with precomposed and decomposed accents,
// Cyrillic, Greek, Arabic, Hebrew, Devanagari and other Indic scripts with conjuncts, Thai,
// CJK, Hangul syllables and conjoining jamo, astral CJK, …), emoji of every Unicode version
// (from emojibase-data) with skin tones, ZWJ sequences (recommended and not), flags (valid,
// unknown and lone regional indicators, subdivision tag sequences), keycaps, presentation
// selectors; URLs of every shape (schemes in every case, no scheme, www., IDN and unknown
// TLDs, ports, user info, IPv4, paths with parentheses, queries, fragments, trailing
// punctuation, t.co); mentions (X, Bluesky handles, Mastodon), hashtags (both number signs,
// long ones, digits, punctuation, emoji, zero-width characters), cashtags; every kind of
// space and line break; invalid characters; texts near X's and Bluesky's limits.

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const emojibase = require('emojibase-data/en/data.json');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const seed = Number(arg('seed', '1'));
const count = Number(arg('count', '6000'));
const out = arg('out', '../../tests/data/text/corpus.jsonl');

// mulberry32: a small seeded PRNG, so the corpus is the same everywhere.
let state = seed >>> 0;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(random() * n);
const pick = (list) => list[int(list.length)];
const chance = (p) => random() < p;
const repeat = (n, f) => Array.from({ length: n }, f).join('');
const cp = (...points) => String.fromCodePoint(...points);
const range = (lo, hi) => cp(lo + int(hi - lo + 1));

// ---------------------------------------------------------------------------------------
// Words of many scripts.

const WORDS = {
  en: 'the quick brown fox jumps over lazy dog release notes shipping today thanks review thread why length differs every platform'.split(' '),
  de: 'Grüße Straße Brötchen Köln fährt Verspätung Mädchen Übermut Größe heißt schön'.split(' '),
  fr: 'déjà vu café naïve garçon où été crème brûlée Noël cœur'.split(' '),
  es: 'mañana niño señor corazón árbol pingüino ¿qué? ¡hola!'.split(' '),
  pl: 'zażółć gęślą jaźń łódź źdźbło'.split(' '),
  tr: 'İstanbul ılık şeker ağaç çiçek'.split(' '),
  vi: 'Tiếng Việt người đường phố Hà Nội'.split(' '),
  ru: 'привет мир спасибо сегодня новости ёжик'.split(' '),
  uk: 'Україна їжак ґанок'.split(' '),
  el: 'Καλημέρα κόσμε ευχαριστώ ΑΘΗΝΑ'.split(' '),
  ar: 'مرحبا بالجميع الإصدار الجديد شكرا صباح الخير مُحَمَّد'.split(' '),
  fa: 'سلام دنیا می‌خواهم'.split(' '),
  he: 'שלום עולם תודה רבה שָׁלוֹם'.split(' '),
  hi: 'नमस्ते दुनिया धन्यवाद क्षत्रिय स्त्री हिन्दी'.split(' '),
  bn: 'বাংলা ভাষা ক্ষমা'.split(' '),
  ta: 'தமிழ் வணக்கம் க்ஷ'.split(' '),
  te: 'తెలుగు నమస్కారం'.split(' '),
  th: 'สวัสดี ภาษาไทย ขอบคุณครับ'.split(' '),
  lo: 'ສະບາຍດີ'.split(' '),
  km: 'សួស្តី ភាសាខ្មែរ'.split(' '),
  my: 'မင်္ဂလာပါ'.split(' '),
  bo: 'བོད་སྐད'.split(' '),
  ka: 'გამარჯობა'.split(' '),
  hy: 'Բարեւ Հայաստան'.split(' '),
  am: 'ሰላም ኢትዮጵያ'.split(' '),
  zh: '今天 天气 很好 新的 博客 文章 中文 繁體 網絡'.split(' '),
  ja: 'こんにちは 今日は 良い天気 ですね カタカナ ｶﾞｷﾞｸﾞ 東京 参加'.split(' '),
  ko: '안녕하세요 한국어 감사합니다 서울'.split(' '),
  mn: 'ᠮᠣᠩᠭᠣᠯ'.split(' '),
  chr: 'ᏣᎳᎩ'.split(' '),
};

function decomposedWord() {
  // NFD or partly decomposed text that NFC normalisation changes.
  const base = pick(['e', 'a', 'o', 'u', 'A', 'n', 'c', 'i', 'E']);
  const mark = pick(['\u0301', '\u0300', '\u0308', '\u0302', '\u0303', '\u0327', '\u030c', '\u0323\u0302']);
  return pick(['caf', 'na', 'Gr', 'H', '', 'Vi']) + base + mark + pick(['', 's', 't', 'ß']);
}

function hangulJamo() {
  // Conjoining jamo: NFC composes L V (T) into a syllable.
  return repeat(1 + int(3), () => range(0x1100, 0x1112) + range(0x1161, 0x1175) + (chance(0.5) ? range(0x11a8, 0x11c2) : ''));
}

function zalgo() {
  return repeat(1 + int(3), () => pick('abcxyz') + repeat(1 + int(8), () => range(0x300, 0x36f)));
}

function oddChars() {
  return pick([
    range(0x20000, 0x2a6df), // CJK extension B
    range(0x1d100, 0x1d1ff), // musical symbols
    range(0x1d400, 0x1d7ff), // mathematical alphanumerics
    range(0x2200, 0x22ff), // mathematical operators
    range(0x2190, 0x21ff), // arrows
    range(0x2500, 0x257f), // box drawing
    range(0x1f000, 0x1f02b), // mahjong
    range(0x10000, 0x1007f), // Linear B
    range(0xe000, 0xe0ff), // private use
    '\ue50a',
    range(0xff01, 0xff5e), // full-width ASCII
    range(0xff61, 0xff9f), // half-width katakana
    range(0x2000, 0x206f), // general punctuation (spaces, joiners, marks)
    range(0x3000, 0x303f), // CJK punctuation
    range(0x1100, 0x11ff), // jamo
    range(0x0e00, 0x0e7f), // Thai
    range(0x0900, 0x097f), // Devanagari
    range(0x0600, 0x06ff), // Arabic
    range(0x0590, 0x05ff), // Hebrew
    range(0x0300, 0x036f), // combining marks
    range(0x20d0, 0x20ff), // combining marks for symbols
    range(0xfe00, 0xfe0f), // variation selectors
    range(0xe0100, 0xe01ef), // variation selectors supplement
    range(0x1f3fb, 0x1f3ff), // lone skin tones
    range(0x1f1e6, 0x1f1ff), // lone regional indicator
    range(0xe0020, 0xe007f), // tags
    range(0x2600, 0x27bf), // misc symbols and dingbats
    range(0x1f300, 0x1faff), // emoji blocks, assigned or not
    range(0x00a0, 0x00ff), // Latin-1
    range(0x0100, 0x024f), // Latin extended
    range(0x1e00, 0x1eff), // Latin extended additional
    range(0x10ff, 0x1100), // around the v3 weight boundary (4351)
    '\u{1f0cf}',
    '\u00a9',
    '\u00ae',
    '\u2122',
    '\u265f',
    '\u2640',
    '\u2642',
    '\u2695',
  ]);
}

function word() {
  const r = random();
  if (r < 0.55) {
    const lang = pick(Object.keys(WORDS));
    return pick(WORDS[lang]);
  }
  if (r < 0.65) return decomposedWord();
  if (r < 0.7) return hangulJamo();
  if (r < 0.74) return zalgo();
  if (r < 0.9) return repeat(1 + int(3), oddChars);
  return repeat(1 + int(8), () => pick('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'));
}

// ---------------------------------------------------------------------------------------
// Emoji.

const EMOJI = [];
for (const e of emojibase) {
  EMOJI.push(e);
  for (const s of e.skins ?? []) EMOJI.push(s);
}
const BY_VERSION = new Map();
for (const e of EMOJI) {
  const v = String(e.version);
  if (!BY_VERSION.has(v)) BY_VERSION.set(v, []);
  BY_VERSION.get(v).push(e);
}
const VERSIONS = [...BY_VERSION.keys()];
const FLAGS = EMOJI.filter((e) => e.label.startsWith('flag:')).map((e) => e.emoji);
const ZWJ_SEQUENCES = EMOJI.filter((e) => e.hexcode.includes('200D')).map((e) => e.emoji);
const SKINS = [0x1f3fb, 0x1f3fc, 0x1f3fd, 0x1f3fe, 0x1f3ff].map((c) => cp(c));
const MODIFIER_BASES = [0x1f44b, 0x1f44d, 0x1f64b, 0x1f9d1, 0x1f468, 0x1f469, 0x1f91d, 0x1faf1, 0x1faf7, 0x1f3c3, 0x26f9, 0x270c, 0x261d, 0x1f46e, 0x1f9d5].map((c) => cp(c));

function withoutSelectors(s) {
  return s.replace(/\ufe0f/g, '');
}

function emoji() {
  const r = random();
  if (r < 0.45) {
    // An emoji of a random Unicode version (uniform over versions, so new ones are frequent).
    const e = pick(BY_VERSION.get(pick(VERSIONS)));
    let s = e.emoji;
    if (chance(0.1)) s = withoutSelectors(s);
    if (chance(0.05)) s = e.text || s;
    return s;
  }
  if (r < 0.55) return pick(ZWJ_SEQUENCES);
  if (r < 0.62) return pick(FLAGS);
  if (r < 0.66) {
    // Pairs of regional indicators: valid or not, and odd runs.
    return repeat(1 + int(3), () => range(0x1f1e6, 0x1f1ff));
  }
  if (r < 0.7) {
    // Keycaps, with and without the selector, and broken ones.
    const k = pick('#*0123456789');
    return pick([k + '\ufe0f\u20e3', k + '\u20e3', k + '\ufe0f', k + '\ufe0e\u20e3', '\u20e3', k + '\u20e3\ufe0f']);
  }
  if (r < 0.76) {
    // Skin tones on bases, on non-bases, doubled.
    const base = chance(0.7) ? pick(MODIFIER_BASES) : pick(EMOJI).emoji;
    return base + pick(SKINS) + (chance(0.2) ? pick(SKINS) : '');
  }
  if (r < 0.84) {
    // ZWJ sequences nobody recommended, and broken joins.
    const parts = repeat(2 + int(3), () => {
      const e = pick(EMOJI).emoji;
      return e + '\u200d';
    });
    return chance(0.7) ? parts.slice(0, -1) : parts;
  }
  if (r < 0.88) {
    // Subdivision flags (tag sequences), valid and not.
    const tags = (s) => [...s].map((c) => cp(0xe0000 + c.charCodeAt(0))).join('');
    const region = pick(['gbeng', 'gbsct', 'gbwls', 'usca', 'ustx', 'debe', 'frx', 'gb']);
    return '\u{1f3f4}' + tags(region) + (chance(0.85) ? '\u{e007f}' : '');
  }
  if (r < 0.94) {
    // Presentation selectors after emoji and text-default symbols.
    const base = pick(['\u2764', '\u263a', '\u2600', '\u00a9', '\u00ae', '\u2122', '\u265f', '\u2640', '\u23f0', '\u{1f600}', '\u{1f321}', '\u2b50', '\u{1f3f3}', '\u{1f441}', '\u2695', '\u{1f5e8}']);
    return base + pick(['\ufe0f', '\ufe0e', '', '\ufe0f\ufe0f', '\ufe0f\u200d\u{1f525}']);
  }
  // Hair, gender, profession components on people.
  const person = pick(['\u{1f468}', '\u{1f469}', '\u{1f9d1}', '\u{1f46e}', '\u{1f3c3}', '\u{1f937}']);
  return person + (chance(0.5) ? pick(SKINS) : '') + '\u200d' + pick(['\u{1f9b0}', '\u{1f9b1}', '\u{1f9b3}', '\u{1f9b2}', '\u2640\ufe0f', '\u2642\ufe0f', '\u2695\ufe0f', '\u{1f4bb}', '\u{1f680}', '\u{1f37c}', '\u{1f9af}', '\u27a1\ufe0f', '\u{1f525}']);
}

// ---------------------------------------------------------------------------------------
// URLs.

const TLDS = ['com', 'org', 'net', 'de', 'co.uk', 'jp', 'co.jp', 'io', 'dev', 'app', 'social', 'xyz', 'museum', 'travel', 'photography', 'рф', 'みんな', '中国', '한국', 'xn--p1ai', 'онлайн', 'notatld', 'c', 'local', 'test', 'COM', 'Org', 'zip', 'mov', 'ai', 'ly', 'gl', 'to', 'tv', 'bsky.social', 'onion', 'example', 'invalid', 'abogado', 'africa', 'amazon', 'zuerich', 'ελ', 'укр'];
const LABELS = ['example', 'docs', 'www', 'blog', 'a', 'x', 'sub-domain', 'under_score', 'münchen', '☃', 'bücher', 'xn--mnchen-3ya', 'EXAMPLE', 'Mixed', '123', '1a', 'socket3', 'bsky', 'github', 'news', 'h', 'httpbin', 'http', 'https', 'ftp', 'e', 'g', 'foo', 'bar', 'i', 'ü', '日本', 'пример'];

function domain() {
  return repeat(1 + int(3), () => pick(LABELS) + '.') + pick(TLDS);
}

function path() {
  const seg = () => pick(['a', 'path', 'blog', 'release-2-0', '2018', 'thing_(cool)', '(x)', '%20', 'straße', '記事', 'ünïcödé', '~user', 'a.b', 'index.html', '@user', '#frag', '!', 'foo,bar', "it's", 'x=1&y=2', '123', 'А', 'Ω', '😀', '-', '_', ':', ';', '$', '*', '+', '=', '[', ']', '{', '}', '|', '\\', '^', '`', '<', '>', '"']);
  let p = repeat(int(4), () => '/' + seg());
  if (chance(0.3)) p += '?' + pick(['q=1', 'utm_source=x&utm_medium=y', 'a=b;c=d', 'x=(1)', 'q=%E2%9C%93', 's=日本', 'u=https://x.com']);
  if (chance(0.15)) p += '#' + pick(['top', 'a-b', '', 'L10', '!/x']);
  return p;
}

function url() {
  const r = random();
  const scheme = pick(['https://', 'http://', 'https://', 'http://', 'HTTPS://', 'Http://', 'hTTp://', 'httpS://', 'ftp://', 'https:/', 'https//', 'mailto:', 'www.', '', '', '', '']);
  if (r < 0.05) return 'https://t.co/' + repeat(1 + int(12), () => pick('abcdefXYZ0123456789')) + (chance(0.3) ? '?amp=1' : '') + (chance(0.2) ? 'extra' : '');
  if (r < 0.08) return scheme + `${1 + int(255)}.${int(300)}.${int(256)}.${int(256)}` + (chance(0.5) ? ':' + int(70000) : '') + path();
  if (r < 0.1) return scheme + 'user:pass@' + domain() + path();
  if (r < 0.12) return scheme + '[2001:db8::1]' + path();
  if (r < 0.15) return scheme + domain() + ':' + int(70000) + path();
  if (r < 0.2) return scheme + domain() + '/' + repeat(60 + int(400), () => pick('abcdefghij0123456789-_/')); // long
  if (r < 0.24) return pick(['httpfoo.com', 'https.com', 'http.example.com', 'e.g.', 'i.e.', 'foo.jpg', 'website.com.jpg/foo', 'e.g./foo', 'U.S.A.', 'v1.2.3', 'a.b', 'x.co', 'example.com.', 'example.com..', '.com', 'example..com', 'ex_ample.com', '-example.com', 'example-.com', 'example.com:', 'https://', 'http://', 'https://.', 'https://-']);
  return scheme + domain() + path() + pick(['', '', '', '.', ',', ';', ':', '!', '?', ')', '.)', '),', '!!', '...', '…', '"', "'", '”', '。', '、', ']', '>']);
}

// ---------------------------------------------------------------------------------------
// Mentions, hashtags, cashtags.

function mention() {
  const name = () => pick(['alice', 'bob', 'Carol_99', 'd', 'x'.repeat(1 + int(25)), 'user-name', 'jörg', '日本', 'ab.cd', 'UPPER', '123', 'a_b', 'a-', '-a', '.a', 'a.', 'a..b']);
  const r = random();
  if (r < 0.3) return '@' + name();
  if (r < 0.6) return '@' + name() + '.' + pick(['bsky.social', 'test', 'com', 'example.com', 'COM', 'notatld', 'dev', 'xyz', 'social', 'co.uk', 'de', 'рф']);
  if (r < 0.75) return '@' + name() + '@' + pick(['mastodon.social', 'fosstodon.org', 'example', 'ünï.de', 'x.co']);
  if (r < 0.85) return name() + '@' + pick(['example.com', 'gmail.com', 'x']);
  return pick(['@', '@@alice.com', '＠alice', '@alice.com!', '(@alice.bsky.social)', '@alice.com.', '@al\u200dice.com', '@a.b.c.d.e.com', '@alice.com@bob.com', '@_alice', '@alice.test-', '@-', '@.com']);
}

function hashtag() {
  const sign = pick(['#', '#', '#', '＃']);
  const r = random();
  if (r < 0.3) return sign + pick(['rust', 'OpenSource', 'tag_1', 'Köln', '日本語', 'テスト', 'إطلاق', 'हिन्दी', 'ελ', 'a', '1a', 'a1', '2024', '123', '1?', '_', '_a', 'tag-with-dash', "it's", 'tag.', 'tag!!!', 'tag…', 'tag.com', 'tag#two', '#double', '🦋', 'butter🦋fly', '️⃣tag', '\ufe0ftag', '\u200dtag', 'a\u200bb', 'ab\u200b', '\u20e2tag', 'a\u20e2b', 'a\u00adb', 'a\u2060b', 'a\u200cb', 'a\u200ab', 'Ⅻ', '٣', '１２３', '১২৩', 'x_y_z___', '.,;', '¿qué?', '«tag»', 'tag)', '(tag)', '$tag', '@tag']);
  if (r < 0.5) {
    // Long tags around the 64-grapheme limit, with astral characters and combining marks so the
    // UTF-16 length and the grapheme count differ.
    const n = 55 + int(20);
    const unit = pick(['a', 'é', 'e\u0301', '😀', '👍🏽', '日', '𠀋', 'क्ष', '🇩🇪', 'x']);
    return sign + repeat(n, () => (chance(0.9) ? unit : pick(['a', '1', '_', '!']))) + pick(['', '!', '.', '…']);
  }
  if (r < 0.8) return sign + repeat(1 + int(3), word);
  return sign + pick(['', ' ', '\u200b', '\ufe0f', '\ufe0f\u20e3', '#', '1', '!', emoji()]);
}

function cashtag() {
  return pick(['$', '$', '$', '＄']) + pick(['AAPL', 'aapl', 'A', 'a', 'BTC', 'GOOGL', 'TOOLONG', 'ABC12', 'ABC123', '123', '1ABC', 'BRK.B', 'SAP', 'x', 'Ab1', 'ÄPFEL', '']) + pick(['', '', '.', ',', ';', ':', '!', '?', ')', '"', "'", '\u2019', 's', '-', '(', '/', '😀', '\u00a0']);
}

// ---------------------------------------------------------------------------------------
// Separators and assembly.

function separator() {
  const r = random();
  if (r < 0.6) return ' ';
  if (r < 0.7) return pick(['\n', '\n\n', '\r\n', '\r', '\t']);
  if (r < 0.8) return pick(['', '', '(', ')', '. ', ', ', ': ', ' (', ') ', ' — ', '"', '「', '」', '。', '、', '/', '-']);
  return pick(['\u00a0', '\u1680', '\u180e', '\u2000', '\u2002', '\u2007', '\u200a', '\u200b', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\u0085', '\u000b', '\u000c', '\ufeff', '\ufffe', '\uffff', '\u202a', '\u202e', '\u200e', '\u200f', '\u2066', '\u2069', '\u061c', '\u00ad', '\u2060', '\u0000', '\u001f', '\u007f']);
}

function fragment(kind) {
  switch (kind) {
    case 'words':
      return word();
    case 'emoji':
      return chance(0.3) ? repeat(2 + int(4), emoji) : emoji();
    case 'url':
      return url();
    case 'mention':
      return mention();
    case 'hashtag':
      return hashtag();
    case 'cashtag':
      return cashtag();
    default:
      throw new Error(kind);
  }
}

const KINDS = ['words', 'emoji', 'url', 'mention', 'hashtag', 'cashtag'];

// Dense mixtures of the characters the rules look at, and any code point at all (assigned
// or not, in every plane): where a hand-written rule and a regular expression part ways.
const SOUP = [
  ...'#@$./:()-_!?,;\'"&=%~+*[]<>{}|^`'.split(''),
  ...'htpsHTPSwaexcomdbzAZqIJ'.split(''),
  ...'0123456789'.split(''),
  ' ', ' ', ' ', '\n', '\r', '\t', '\u3000', '\u00a0', '\u2028', '\u2029', '\u200b', '\ufeff', '\u0085', '\u180e', '\u1680', '\u205f', '\u000b',
  'http', 'https', 'HTTP', '://', 'www.', '.com', '.co', '.social', '.test', '.de', '.jp', '.рф', '.みんな', 't.co/', 'xn--', 'bsky', '.bsky.social', '＃', '＄', '＠', '@@', '##',
  '\u200d', '\ufe0f', '\ufe0e', '\u20e3', '\u{1f3fd}', '\u{1f1e9}', '\u{1f1ea}', '\u{e0067}', '\u{e007f}', '\u{1f3f4}', '\u0301', '\u0308', '\u094d', '\u0915', '\u0937', '\u00ad', '\u2060', '\u20e2', '\u202e', '\u2066', '\ufffe', '\uffff',
];

function anyCodePoint() {
  // Any scalar value, weighted towards the planes where text lives.
  const r = random();
  let c;
  if (r < 0.6) c = int(0x10000);
  else if (r < 0.85) c = 0x10000 + int(0x10000);
  else if (r < 0.95) c = 0x20000 + int(0x20000);
  else c = 0xe0000 + int(0x30000);
  if (c >= 0xd800 && c <= 0xdfff) c = 0x61;
  return cp(c);
}

function soup() {
  const n = 5 + int(120);
  let text = '';
  for (let i = 0; i < n; i++) {
    const r = random();
    if (r < 0.15) text += anyCodePoint();
    else if (r < 0.25) text += fragment(pick(KINDS));
    else text += pick(SOUP);
  }
  return text;
}

// A rough X weight (1 for Latin, 2 otherwise, 23 a URL) to build texts near the limits; the
// corpus needs texts on both sides of 280, not the exact count.
function roughWeight(s) {
  let w = 0;
  for (const c of s) w += c.codePointAt(0) <= 0x10ff ? 1 : 2;
  return w;
}

function post() {
  const r = random();
  // The kind that dominates this text (the others appear too).
  const focus = pick(KINDS);
  const weights = KINDS.map((k) => (k === focus ? 6 : k === 'words' ? 4 : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const kind = () => {
    let x = random() * total;
    for (let i = 0; i < KINDS.length; i++) {
      x -= weights[i];
      if (x < 0) return KINDS[i];
    }
    return 'words';
  };
  let text = '';
  if (r < 0.22) return { kind: 'soup', text: soup() };
  if (r < 0.25) {
    // Tiny texts: empty, one fragment, only spaces.
    return { kind: 'tiny', text: pick(['', ' ', '\n', fragment(kind()), separator(), '\u00ad', '\ufeff']) };
  }
  if (r < 0.5) {
    // Near X's limit (280) or Bluesky's (300 graphemes / 3000 bytes).
    const target = chance(0.7) ? 250 + int(60) : 280 + int(60);
    while (roughWeight(text) < target) text += fragment(kind()) + separator();
    if (chance(0.12)) {
      while (text.length < 2600 + int(800)) text += fragment(kind()) + separator();
    }
    return { kind: `near-limit:${focus}`, text };
  }
  const n = 1 + int(12);
  for (let i = 0; i < n; i++) {
    text += fragment(kind());
    if (i + 1 < n || chance(0.3)) text += separator();
  }
  if (chance(0.1)) text = separator() + text;
  return { kind: focus, text };
}

const lines = [];
for (let id = 0; id < count; id++) {
  const p = post();
  // Only well-formed Unicode: Rust strings cannot hold lone surrogates.
  if (!p.text.isWellFormed()) throw new Error(`ill-formed text at ${id}`);
  lines.push(JSON.stringify({ id, kind: p.kind, text: p.text }));
}
writeFileSync(out, lines.join('\n') + '\n');
const bytes = Buffer.byteLength(readFileSync(out));
console.error(`wrote ${count} texts (seed ${seed}, ${bytes} bytes) to ${out}`);
