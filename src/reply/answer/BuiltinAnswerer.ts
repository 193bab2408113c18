/** The offline answerer: intent matching plus mood-shaped replies. Deterministic given its clock. */
import type { Answer, Answerer, Question } from '../types';
import { clockPlace } from './clock';
import { matchIntent } from './intents';
import { CLOSE_AFTER, REPLIES } from './replies';
import { closing, gentleCheck, toneOf } from './tone';

/** Questions longer than this are answered from their first part only: intent rules never need more. */
const MAX_QUESTION_CHARS = 2000;

export interface BuiltinAnswererOptions {
  /** The clock; injected so tests get fixed times. Defaults to the system clock. */
  now?: () => Date;
}

/** Answers the prototype's ten questions, their paraphrases and small talk, without any network. */
export class BuiltinAnswerer implements Answerer {
  private readonly now: () => Date;

  constructor(options: BuiltinAnswererOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  /** Answer synchronously; the async `answer` wraps this for the Answerer interface. */
  answerNow(question: Question): Answer {
    const text = typeof question.text === 'string' ? question.text.slice(0, MAX_QUESTION_CHARS) : '';
    const { intent } = matchIntent(text);
    const tone = toneOf(question.reading);
    const name = (question.displayName ?? '').trim();
    const body = REPLIES[intent]({
      tone,
      name,
      now: this.now(),
      place: clockPlace(question.timeZone, question.locale),
      question: text,
    });
    const check = intent === 'empty' ? null : gentleCheck(tone);
    const close = CLOSE_AFTER.has(intent) ? closing(tone, name || 'friend') : null;
    const parts = [check, body, close].filter((p): p is string => p !== null && p.length > 0);
    return { text: parts.join(' '), emotion: tone.emotion, intensity: tone.intensity, intent, source: 'builtin' };
  }

  answer(question: Question): Promise<Answer> {
    return Promise.resolve(this.answerNow(question));
  }
}
