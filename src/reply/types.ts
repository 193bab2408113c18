/**
 * Contracts of the reply core: what the bot hands in (a question with the emotion reading) and what it
 * gets back (an answer, then speech). Plain data and small interfaces; no discord.js here.
 */
import type { Emotion, Pcm, Prediction } from '../ml/types';

/** A question to answer, with what is known about how the person came across while asking it. */
export interface Question {
  /** The question as typed or transcribed. */
  text: string;
  /** The emotion reading for this question, or null when there was no selfie or clip to read. */
  reading: Prediction | null;
  /** The person's display name, used for "Who am I?" and a friendly touch. */
  displayName: string;
  /** IANA time zone for time and date answers, e.g. "Europe/London". */
  timeZone: string;
  /** BCP 47 locale for formatting, e.g. "en-GB". */
  locale: string;
}

/** What the answer was about, so callers and tests can see how a question was understood. */
export type Intent =
  | 'help'
  | 'weather'
  | 'route'
  | 'time'
  | 'date'
  | 'light'
  | 'song'
  | 'identity'
  | 'netflix'
  | 'unicorns'
  | 'spell'
  | 'greeting'
  | 'how_are_you'
  | 'thanks'
  | 'goodbye'
  | 'joke'
  | 'bot_name'
  | 'empty'
  | 'open'
  | 'model';

/** An answer ready to send and speak. */
export interface Answer {
  /** The reply text (at most `MAX_SPEECH_CHARS`; the bot fits it to a message). */
  text: string;
  /** The emotion whose tone shaped the answer (also what the voice should sound like), or null. */
  emotion: Emotion | null;
  /** How strongly to colour the voice, 0 (neutral) to 1 (full emotion): lower when the reading is unsure. */
  intensity: number;
  /** What the built-in answerer took the question to be; 'model' when a language model wrote it. */
  intent: Intent;
  /** Which answerer produced the text. */
  source: 'builtin' | 'openai';
}

/** Anything that answers questions. */
export interface Answerer {
  answer(question: Question): Promise<Answer>;
}

/** How a sentence should sound. */
export interface SpeechStyle {
  /** The emotion to express; unknown emotions are spoken neutrally. */
  emotion: Emotion | null;
  /** 0 (neutral) to 1 (full emotion). */
  intensity: number;
}

/** One piece of synthesised mono audio, as signed 16-bit samples. */
export interface PcmChunk {
  samples: Int16Array;
  sampleRate: number;
}

/** A text-to-speech engine that streams mono PCM, sentence by sentence, so playback can start early. */
export interface SpeechEngine {
  /** A short name for logs and the CLI ("offline", "google"). */
  readonly name: string;
  /** Stream the spoken text; the first chunk arrives as soon as the first sentence is ready. */
  synthesize(text: string, style: SpeechStyle): AsyncIterable<PcmChunk>;
  /** Release what the engine holds (WASM instances, decoders). */
  close(): Promise<void>;
}

/** The reply core logs through the one {@link Logger}; its lines never contain question text or keys. */
export { silentLogger, type Logger } from '../ml/types';

/** Spoken audio to transcribe: decoded PCM from the voice channel, or a file the person attached. */
export type SpokenAudio =
  { kind: 'pcm'; pcm: Pcm } | { kind: 'file'; bytes: Uint8Array; filename: string; contentType: string };

/** Why a transcription gave no usable text. */
export type TranscriptionFailure = 'unavailable' | 'timeout' | 'bad_response' | 'empty' | 'unintelligible';

/** What a transcription came to; `ms` is the whole exchange, upload included. */
export type TranscriptionResult =
  | { ok: true; text: string; ms: number; uploadBytes: number }
  | { ok: false; reason: TranscriptionFailure; message: string; ms: number; uploadBytes: number };

/** A speech-to-text service: the spoken question in, its words out. */
export interface Transcriber {
  /** A short name for logs ("openai"). */
  readonly name: string;
  /** Where the audio goes (host[:port]), for the consent text and /profile. */
  readonly host: string;
  /** Never throws: every failure is a result, so the caller can fall back to a typed question. */
  transcribe(audio: SpokenAudio, signal?: AbortSignal): Promise<TranscriptionResult>;
}
