/**
 * Answers through any OpenAI-compatible chat API (OpenAI, Ollama, llama.cpp's server, ...). The
 * emotion reading goes into the system instructions; on any failure (network, HTTP error, timeout,
 * malformed reply) the built-in answer is returned and the fallback is logged without the question
 * text or the key.
 */
import type { Prediction } from '../../ml/types';
import type { Answer, Answerer, Question, Logger } from '../types';
import { silentLogger } from '../types';
import { MAX_SPEECH_CHARS } from '../speech/limits';
import { fitText } from '../text/split';
import { BuiltinAnswerer } from './BuiltinAnswerer';
import { toneOf } from './tone';

export interface OpenAiAnswererOptions {
  /** e.g. "https://api.openai.com/v1" or "http://127.0.0.1:11434/v1" for Ollama. */
  baseUrl: string;
  model: string;
  /** Bearer key; local servers usually need none. */
  apiKey?: string;
  timeoutMs: number;
  /** Upper bound on the reply length the model is asked for. */
  maxTokens?: number;
  fallback: BuiltinAnswerer;
  logger?: Logger;
}

/** Describe the reading for the model in plain words, including which signals it came from. */
export function describeReading(reading: Prediction | null): string {
  if (reading === null)
    return 'No selfie or voice clip came with this question, so you have no read on how the person comes across.';
  const fused = reading.fused;
  const pct = (v: number): string => `${Math.round(v * 100)}%`;
  const signals = (['face', 'voice'] as const)
    .filter((s) => reading[s] !== undefined || (reading.weights[s] ?? 0) > 0)
    .map((s) => {
      const r = reading[s];
      return r ? `${s}: ${r.emotion} (${pct(r.confidence)})` : s;
    });
  const lines = [
    `Expressed emotion read from ${signals.length > 0 ? signals.join(', ') : 'no named signal'}: ${fused.emotion}, confidence ${pct(fused.confidence)}.`,
    fused.uncertain
      ? `The reading is uncertain: do not state it as fact; you may gently check ("you sound a bit down — am I right?").`
      : 'The reading is fairly confident: let it shape your wording and warmth without naming it bluntly.',
    reading.generic
      ? 'It came from a generic model, not one calibrated to this person.'
      : 'It came from a model calibrated to this person.',
  ];
  return lines.join(' ');
}

/** The system instructions for one question. */
export function systemPrompt(question: Question): string {
  return [
    'You are Attune, a friendly voice assistant in a Discord chat. Your answer will be spoken aloud.',
    'Answer in one to three short sentences of plain text: no lists, no markdown, no emoji.',
    "Let the person's expressed emotion shape your wording and warmth: brighter and more upbeat for happy,",
    'gentler, slower and more supportive for sad, calm and steady for angry or tense, plain for neutral.',
    'Speak only of what the person expresses ("you sound", "you look"); never claim to know what they feel inside.',
    'If you cannot know something (live weather, traffic, what is playing), say so honestly and help as far as you can.',
    describeReading(question.reading),
    `The person's display name is ${JSON.stringify(question.displayName)}. Their time zone is ${question.timeZone}; locale ${question.locale}.`,
  ].join('\n');
}

/** The shape we need from a chat-completions response. */
function contentOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const choices = (body as { choices?: unknown }).choices;
  if (!Array.isArray(choices) || choices.length === 0) return null;
  const message = (choices[0] as { message?: { content?: unknown } }).message;
  const content = message?.content;
  return typeof content === 'string' && content.trim().length > 0 ? content.trim() : null;
}

export class OpenAiAnswerer implements Answerer {
  private readonly logger: Logger;

  constructor(private readonly options: OpenAiAnswererOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  async answer(question: Question): Promise<Answer> {
    // Nothing to ask a model about: the built-in "I didn't catch that" is the right answer.
    if (typeof question.text !== 'string' || question.text.trim() === '') return this.options.fallback.answer(question);
    const tone = toneOf(question.reading);
    const started = Date.now();
    try {
      // A model may ignore "be brief": the answer must still be speakable (the caller fits it to its
      // own message limit).
      const text = fitText(await this.ask(question), MAX_SPEECH_CHARS);
      return { text, emotion: tone.emotion, intensity: tone.intensity, intent: 'model', source: 'openai' };
    } catch (error) {
      // Log why and how long, never what was asked or the key.
      this.logger.warn('reply.answerer_fell_back', {
        model: this.options.model,
        fallback: 'builtin',
        reason: (error as Error).message,
        ms: Date.now() - started,
      });
      return this.options.fallback.answer(question);
    }
  }

  private async ask(question: Question): Promise<string> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    try {
      const response = await fetch(`${this.options.baseUrl.replace(/\/+$/u, '')}/chat/completions`, {
        method: 'POST',
        signal: controller.signal,
        headers: {
          'content-type': 'application/json',
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: this.options.model,
          messages: [
            { role: 'system', content: systemPrompt(question) },
            { role: 'user', content: question.text },
          ],
          max_tokens: this.options.maxTokens ?? 200,
          temperature: 0.7,
        }),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        throw new Error('the response was not valid JSON');
      }
      const content = contentOf(body);
      if (content === null) throw new Error('the response had no choices[0].message.content');
      return content;
    } catch (error) {
      if (controller.signal.aborted) throw new Error(`no answer within ${this.options.timeoutMs} ms`, { cause: error });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
