/**
 * Turning free text into comparable tokens: lower case, no accents or punctuation, contractions
 * expanded, synonyms mapped to one canonical word, and typos corrected against the intent vocabulary.
 */

/** Contractions and run-together forms people type, mapped to their long forms. */
const CONTRACTIONS: Record<string, string> = {
  "what's": 'what is',
  whats: 'what is',
  "who's": 'who is',
  whos: 'who is',
  "it's": 'it is',
  "that's": 'that is',
  "there's": 'there is',
  "how's": 'how is',
  hows: 'how is',
  "where's": 'where is',
  "i'm": 'i am',
  im: 'i am',
  "you're": 'you are',
  youre: 'you are',
  "can't": 'can not',
  cant: 'can not',
  cannot: 'can not',
  "don't": 'do not',
  dont: 'do not',
  "isn't": 'is not',
  "aren't": 'are not',
  "won't": 'will not',
  wanna: 'want to',
  gonna: 'going to',
  gotta: 'got to',
  "let's": 'let us',
  u: 'you',
  ur: 'your',
  r: 'are',
  pls: 'please',
  plz: 'please',
  thx: 'thanks',
  ty: 'thank you',
  "y'all": 'you all',
  tonite: 'tonight',
  "what're": 'what are',
  whatcha: 'what are you',
};

/**
 * Synonyms folded into one canonical token, so intent rules stay short. Only words whose meaning in
 * a question to an assistant is unambiguous are folded.
 */
const SYNONYMS: Record<string, string> = {
  // weather
  forecast: 'weather',
  whether: 'weather',
  raining: 'rain',
  rainy: 'rain',
  sunny: 'sun',
  snowing: 'snow',
  temperature: 'weather',
  umbrella: 'rain',
  degrees: 'weather',
  climate: 'weather',
  // route
  directions: 'route',
  direction: 'route',
  navigate: 'route',
  navigation: 'route',
  path: 'route',
  way: 'route',
  // light
  lights: 'light',
  lamp: 'light',
  lamps: 'light',
  bulb: 'light',
  lighting: 'light',
  // song
  songs: 'song',
  music: 'song',
  track: 'song',
  tune: 'song',
  tunes: 'song',
  melody: 'song',
  // watch
  movie: 'film',
  movies: 'film',
  films: 'film',
  series: 'show',
  shows: 'show',
  tv: 'show',
  telly: 'show',
  television: 'show',
  streaming: 'stream',
  binge: 'watch',
  watching: 'watch',
  // spelling
  spelled: 'spell',
  spelt: 'spell',
  spelling: 'spell',
  // misc
  unicorns: 'unicorn',
  assist: 'help',
  assistance: 'help',
  support: 'help',
  helping: 'help',
  hiya: 'hi',
  hey: 'hi',
  hello: 'hi',
  howdy: 'hi',
  greetings: 'hi',
  heya: 'hi',
  yo: 'hi',
  thanks: 'thank',
  thankyou: 'thank',
  cheers: 'thank',
  ta: 'thank',
  grateful: 'thank',
  goodbye: 'bye',
  cya: 'bye',
  farewell: 'bye',
  later: 'later',
  jokes: 'joke',
  funny: 'joke',
  laugh: 'joke',
  pun: 'joke',
  today: 'today',
  todays: 'today',
  tonight: 'today',
  switch: 'turn',
  put: 'turn',
  flip: 'turn',
};

/** Words that are real words in their own right, so they are never "corrected" into a keyword. */
const NEVER_FUZZ = new Set([
  'night',
  'right',
  'might',
  'sight',
  'fight',
  'tight',
  'bright',
  'lights',
  'whether',
  'rather',
  'other',
  'there',
  'where',
  'here',
  'were',
  'tree',
  'three',
  'free',
  'three',
  'home',
  'come',
  'some',
  'same',
  'tell',
  'well',
  'sell',
  'bell',
  'sing',
  'song',
  'long',
  'wrong',
  'song',
  'time',
  'tile',
  'line',
  'like',
  'life',
  'live',
  'love',
  'move',
  'more',
  'mine',
  'name',
  'game',
  'came',
  'real',
  'read',
  'meal',
  'help',
  'held',
  'hell',
  'heal',
  'film',
  'fill',
  'show',
  'snow',
  'slow',
  'know',
  'now',
  'how',
  'who',
  'why',
  'what',
  'that',
  'than',
  'then',
  'them',
  'they',
  'this',
  'these',
  'those',
  'with',
  'will',
  'weather',
  'feather',
  'leather',
  'heather',
  'route',
  'rout',
  'root',
  'rote',
  'watch',
  'match',
  'catch',
  'spell',
  'smell',
  'shell',
  'spill',
  'spend',
  'speak',
  'speed',
  'dates',
  'date',
  'data',
  'late',
  'gate',
  'hate',
  'rate',
  'mate',
  'day',
  'days',
  'way',
  'say',
  'pay',
  'today',
  'been',
  'seen',
  'turn',
  'burn',
  'torn',
  'born',
  'sun',
  'run',
  'fun',
  'rain',
  'train',
  'pain',
  'main',
  'gain',
  'light',
  'fight',
]);

/** Lower-case, strip accents and punctuation (keeping apostrophes inside words), expand contractions. */
export function normaliseText(text: string): string {
  const folded = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/gu, '')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`´]/gu, "'");
  const words = folded
    .split(/[^a-z0-9']+/u)
    .map((w) => w.replace(/^'+|'+$/gu, ''))
    .filter(Boolean);
  return words.map((w) => CONTRACTIONS[w] ?? w.replace(/'s$/u, '')).join(' ');
}

/** Tokens of a text after normalisation and synonym folding. */
export function tokenise(text: string): string[] {
  const normalised = normaliseText(text);
  if (!normalised) return [];
  return normalised.split(' ').map((w) => SYNONYMS[w] ?? w);
}

/**
 * Damerau–Levenshtein distance (optimal string alignment): insertions, deletions, substitutions and
 * swaps of neighbouring letters each cost one, which covers most typing slips.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}

/**
 * Correct tokens that are a typo of a vocabulary keyword: one edit for words of 4–6 letters, two for
 * longer words. Short words and real words listed in NEVER_FUZZ are left alone, because correcting
 * "night" to "light" would change the meaning.
 */
export function correctTypos(tokens: readonly string[], vocabulary: ReadonlySet<string>): string[] {
  return tokens.map((token) => {
    if (token.length < 4 || vocabulary.has(token) || NEVER_FUZZ.has(token) || /\d/u.test(token)) return token;
    const allowed = token.length >= 7 ? 2 : 1;
    let best = token;
    let bestDistance = allowed + 1;
    for (const word of vocabulary) {
      if (word.length < 4 || Math.abs(word.length - token.length) > allowed) continue;
      const distance = editDistance(token, word);
      if (distance < bestDistance) {
        best = word;
        bestDistance = distance;
      }
    }
    return SYNONYMS[best] ?? best;
  });
}

/** Synonym keys too, so a typo of a synonym ("forcast") still reaches its canonical word. */
export function synonymWords(): string[] {
  return Object.keys(SYNONYMS).filter((w) => /^[a-z]+$/u.test(w));
}
