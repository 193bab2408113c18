/**
 * Intent matching for the built-in answerer: rules of required terms over normalised tokens, with
 * typo correction against the rules' own vocabulary. The most specific matching rule wins, so
 * "can you help me with the weather" is about weather, not a plain request for help.
 */
import type { Intent } from '../types';
import { correctTypos, normaliseText, synonymWords, tokenise } from './normalise';

/** A rule matches when every term is present; a term with a space is a phrase of consecutive tokens. */
interface Rule {
  intent: Intent;
  terms: string[];
  /** Specificity: higher wins. Small-talk rules are weak so a real request beside them wins. */
  weight: number;
}

function rules(intent: Intent, weight: number, ...alternatives: string[][]): Rule[] {
  return alternatives.map((terms) => ({ intent, terms, weight }));
}

// Terms are written in canonical form (after synonym folding in normalise.ts).
const RULES: Rule[] = [
  ...rules('spell', 10, ['spell'], ['how do you write'], ['how to write'], ['how is', 'write']),
  ...rules(
    'identity',
    9,
    ['who am i'],
    ['what is my name'],
    ['my name'],
    ['do you know me'],
    ['do you know who i am'],
    ['what do you call me'],
    ['who is talking'],
    ['who is speaking'],
    ['know who i am'],
    ['recognise me'],
    ['recognize me'],
  ),
  ...rules('bot_name', 8, ['who are you'], ['what is your name'], ['what are you'], ['your name']),
  ...rules(
    'date',
    7,
    ['what', 'date'],
    ['date', 'today'],
    ['which day'],
    ['what day'],
    ['day is it'],
    ['what is today'],
    ['day of the week'],
    ['the date'],
    ['what month'],
    ['what year'],
  ),
  ...rules(
    'time',
    7,
    ['what time'],
    ['the time'],
    ['time is it'],
    ['time now'],
    ['current time'],
    ['clock'],
    ['what hour'],
    ['hour is it'],
    ['time please'],
    ['time', 'tell'],
    ['got the time'],
    ['time', 'what', 'is'],
  ),
  ...rules(
    'route',
    7,
    ['route'],
    ['get home'],
    ['go home'],
    ['drive home'],
    ['walk home'],
    ['way', 'home'],
    ['how do i get to'],
    ['how to get to'],
    ['map'],
    ['i am lost'],
  ),
  ...rules(
    'weather',
    7,
    ['weather'],
    ['rain'],
    ['sun', 'today'],
    ['snow'],
    ['hot', 'outside'],
    ['cold', 'outside'],
    ['windy'],
    ['need', 'coat'],
    ['need', 'jacket'],
  ),
  ...rules('light', 7, ['light'], ['turn', 'lamp'], ['too dark'], ['it is dark']),
  ...rules('song', 7, ['song'], ['what is playing'], ['who sings'], ['who is singing'], ['name that'], ['shazam']),
  ...rules('netflix', 7, ['netflix'], ['watch'], ['film'], ['show'], ['stream'], ['something to see']),
  ...rules('unicorns', 7, ['unicorn']),
  ...rules('joke', 5, ['joke'], ['make me smile']),
  ...rules(
    'how_are_you',
    4,
    ['how are you'],
    ['how is it going'],
    ['how do you do'],
    ['how are things'],
    ['are you ok'],
    ['are you well'],
    ['how have you been'],
    ['what is up'],
    ['sup'],
    ['how is your day'],
  ),
  ...rules(
    'help',
    3,
    ['help'],
    ['what can you do'],
    ['what do you do'],
    ['can you do'],
    ['need', 'hand'],
    ['i am stuck'],
    ['how does this work'],
    ['how do you work'],
  ),
  ...rules('thanks', 2, ['thank'], ['appreciate'], ['nice one']),
  ...rules('goodbye', 2, ['bye'], ['see you'], ['good night'], ['talk later'], ['see ya'], ['take care'], ['later']),
  ...rules('greeting', 1, ['hi'], ['good morning'], ['good afternoon'], ['good evening'], ['morning'], ['sup']),
];

/** Every single word the rules use, plus synonym keys, for typo correction. */
const VOCABULARY: ReadonlySet<string> = new Set([
  ...RULES.flatMap((r) => r.terms.flatMap((t) => t.split(' '))),
  ...synonymWords(),
]);

/** What the matcher understood. */
export interface IntentMatch {
  intent: Intent | 'empty' | 'open';
  /** Tokens after normalisation, synonyms and typo correction. */
  tokens: string[];
}

/** Classify a question into one of the built-in intents, 'empty' for no words, 'open' for anything else. */
export function matchIntent(text: string): IntentMatch {
  const tokens = correctTypos(tokenise(text), VOCABULARY);
  if (tokens.length === 0) return { intent: 'empty', tokens };
  const padded = ` ${tokens.join(' ')} `;
  const tokenSet = new Set(tokens);
  let best: Rule | null = null;
  for (const rule of RULES) {
    const matches = rule.terms.every((term) =>
      term.includes(' ') ? padded.includes(` ${term} `) : tokenSet.has(term),
    );
    if (matches && (best === null || rule.weight > best.weight)) best = rule;
  }
  return { intent: best?.intent ?? 'open', tokens };
}

/** Re-exported for the spelling extractor, which needs the un-folded words. */
export { normaliseText };
