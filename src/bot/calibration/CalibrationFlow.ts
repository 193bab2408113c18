import type { AttuneEngine } from '../../ml/engine';
import {
  fail,
  ok,
  type Emotion,
  type FaceFeatures,
  type Pcm,
  type PersonModel,
  type Result,
  type Signal,
} from '../../ml/types';
import {
  isStoreError,
  toLabelledSamples,
  type AttuneStore,
  type SampleCounts,
  type SampleMetadata,
  type StoredSample,
} from '../../storage';
import { CONSENT_SCOPE, CONSENT_TEXT_VERSION } from './consent';
import { promptSentence } from './prompts';

/**
 * Face descriptors (face-api's 128-d recognition net, a dlib ResNet) of one person fall within 0.6 of
 * each other: the threshold the model was trained and published with. A selfie is the person's if it
 * is within this of at least one of their earlier photos (expressions and lighting move it).
 */
export const SAME_PERSON_DISTANCE = 0.6;

/** Euclidean distance between two face descriptors; Infinity when they cannot be compared. */
export function descriptorDistance(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) return Infinity;
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(sum);
}

/** Where a flow is. `consent` → `collecting` → `training` → `done`; or it ends early. */
export type FlowState =
  'consent' | 'collecting' | 'training' | 'done' | 'cancelled' | 'timed_out' | 'forgotten' | 'failed' | 'shut_down';

/** Why a flow ended, for the message the person sees. */
export type FlowEnd = Extract<FlowState, 'done' | 'cancelled' | 'timed_out' | 'forgotten' | 'failed' | 'shut_down'>;

/** A snapshot for the progress display. */
export interface FlowProgress {
  state: FlowState;
  emotions: Emotion[];
  /** Emotion being collected now (null once everything is collected). */
  emotion: Emotion | null;
  index: number;
  target: number;
  /** Samples stored per emotion and signal (all of this person's, so a resumed flow counts old ones). */
  counts: Record<Emotion, { face: number; voice: number }>;
  skipped: Signal[];
  /** Sentence to read aloud for the next clip. */
  sentence: string | null;
}

/** What changed, for whoever renders the flow. */
export type FlowEvent = { type: 'progress' } | { type: 'ended'; reason: FlowEnd };

export interface CalibrationFlowOptions {
  personId: string;
  guildId: string;
  channelId: string;
  emotions: readonly Emotion[];
  /** Samples per emotion and signal (>= 2). */
  target: number;
  store: AttuneStore;
  engine: AttuneEngine;
  /** An idle flow ends after this long (samples already stored stay). */
  idleMs: number;
  /** Start over: delete this person's earlier samples of these emotions once they agree. */
  restart?: boolean;
  /** The version of the consent text shown (default {@link CONSENT_TEXT_VERSION}; see `consentTextVersion`). */
  consentVersion?: string;
  onEvent?: (event: FlowEvent) => void;
}

/** A sample accepted into the flow. */
export interface AcceptedSample {
  emotion: Emotion;
  signal: Signal;
  sampleId: number;
}

const ENDED: readonly FlowState[] = ['done', 'cancelled', 'timed_out', 'forgotten', 'failed', 'shut_down'];

/**
 * One person's calibration: consent, then samples emotion by emotion, then training. Pure of
 * discord.js: the bot feeds it analysed media and renders its progress. Every accepted sample is
 * written to the store at once, so nothing taken is lost when the flow later times out or fails; a
 * new flow resumes from what is stored.
 */
export class CalibrationFlow {
  readonly personId: string;
  readonly guildId: string;
  readonly channelId: string;
  readonly emotions: Emotion[];
  readonly target: number;
  private stateValue: FlowState = 'consent';
  private readonly skippedSignals = new Set<Signal>();
  /**
   * This person's stored samples per emotion and signal, read when they agree and kept up to date by
   * the flow's own writes (the store is asynchronous; progress is drawn synchronously). A calibration
   * is the only writer of its person's samples while it runs.
   */
  private stored: SampleCounts = {};
  /** Samples added by this flow, newest last, for "retake last". */
  private readonly taken: AcceptedSample[] = [];
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: CalibrationFlowOptions) {
    this.personId = opts.personId;
    this.guildId = opts.guildId;
    this.channelId = opts.channelId;
    this.emotions = [...new Set(opts.emotions)];
    this.target = opts.target;
    this.touch();
  }

  get state(): FlowState {
    return this.stateValue;
  }

  get active(): boolean {
    return !ENDED.includes(this.stateValue);
  }

  /** True when the person already agreed to the current consent wording (the screen can be skipped). */
  async hasCurrentConsent(): Promise<boolean> {
    const consent = await this.opts.store.getConsent(this.personId);
    return (
      !!consent &&
      consent.revokedAt === null &&
      consent.textVersion === (this.opts.consentVersion ?? CONSENT_TEXT_VERSION) &&
      CONSENT_SCOPE.every((s) => consent.scope.includes(s))
    );
  }

  /** Records consent (unless already current) and starts collecting. */
  async agree(): Promise<Result<FlowProgress>> {
    if (this.stateValue !== 'consent') return fail('invalid', 'This calibration is not waiting for consent any more.');
    if (!(await this.hasCurrentConsent()))
      await this.opts.store.grantConsent(this.personId, {
        textVersion: this.opts.consentVersion ?? CONSENT_TEXT_VERSION,
        scope: CONSENT_SCOPE,
      });
    if (this.opts.restart) {
      await this.opts.store.transaction(async (s) => {
        for (const e of this.emotions) await s.deleteSamples(this.personId, e);
      });
    }
    this.stored = await this.opts.store.countSamples(this.personId);
    if (this.stateValue !== 'consent') return fail('invalid', 'This calibration is not waiting for consent any more.');
    this.stateValue = 'collecting';
    this.changed();
    return ok(this.progress());
  }

  /** The person said no: nothing was processed, nothing is stored. */
  decline(): void {
    if (this.stateValue === 'consent') this.end('cancelled');
  }

  /** Stored samples of this person per emotion and signal, for the flow's emotions. */
  private counts(): Record<Emotion, { face: number; voice: number }> {
    const stored = this.stored;
    const out: Record<Emotion, { face: number; voice: number }> = {};
    for (const e of this.emotions) out[e] = { face: stored[e]?.face ?? 0, voice: stored[e]?.voice ?? 0 };
    return out;
  }

  private needs(counts: Record<Emotion, { face: number; voice: number }>, emotion: Emotion, signal: Signal): boolean {
    return !this.skippedSignals.has(signal) && counts[emotion][signal] < this.target;
  }

  /** The first emotion still missing samples of a signal not skipped; null when all are collected. */
  private currentIndex(counts = this.counts()): number {
    const i = this.emotions.findIndex((e) => this.needs(counts, e, 'face') || this.needs(counts, e, 'voice'));
    return i === -1 ? this.emotions.length : i;
  }

  /** The emotion being collected now, or null. */
  get currentEmotion(): Emotion | null {
    return this.emotions[this.currentIndex()] ?? null;
  }

  /** True when the current emotion still wants this signal (the voice loop asks before each clip). */
  wants(signal: Signal): boolean {
    if (this.stateValue !== 'collecting') return false;
    const counts = this.counts();
    const emotion = this.emotions[this.currentIndex(counts)];
    return emotion !== undefined && this.needs(counts, emotion, signal);
  }

  progress(): FlowProgress {
    const counts = this.counts();
    const index = this.currentIndex(counts);
    const emotion =
      this.stateValue === 'collecting' || this.stateValue === 'consent' ? (this.emotions[index] ?? null) : null;
    return {
      state: this.stateValue,
      emotions: [...this.emotions],
      emotion,
      index,
      target: this.target,
      counts,
      skipped: [...this.skippedSignals],
      sentence: emotion && !this.skippedSignals.has('voice') ? promptSentence(emotion, counts[emotion].voice) : null,
    };
  }

  /** True when every emotion has enough samples of every signal not skipped. */
  isComplete(): boolean {
    return this.stateValue === 'collecting' && this.currentIndex() >= this.emotions.length;
  }

  /** Analyses a selfie and stores it under the current emotion. */
  async submitFace(image: Uint8Array, metadata: SampleMetadata): Promise<Result<AcceptedSample>> {
    const emotion = this.acceptingEmotion('face');
    if (!emotion.ok) return emotion;
    this.touch();
    const features = await this.opts.engine.analyzeFace(image);
    if (!features.ok) return features;
    const whose = await this.checkSelfie(features.value);
    if (!whose.ok) return whose;
    return this.store(emotion.value, { signal: 'face', features: features.value, metadata, rawMedia: image });
  }

  /**
   * A calibration selfie must show the person and no one else: features of a bystander stored as
   * theirs would be someone else's biometric data, and would teach the model the wrong face. So one
   * face only, and once the person has photos, a face that matches at least one of them.
   */
  private async checkSelfie(face: FaceFeatures): Promise<Result<void>> {
    if (face.faceCount > 1) {
      return fail(
        'invalid',
        `I found ${face.faceCount} faces in that photo. A calibration selfie needs just you in it, so I don't learn someone else's face.`,
      );
    }
    const mine = await this.opts.store.listSamples(this.personId, { signal: 'face' });
    if (mine.length === 0) return ok(undefined);
    let nearest = Infinity;
    for (const sample of mine) {
      if (sample.signal !== 'face') continue;
      nearest = Math.min(nearest, descriptorDistance(sample.features.descriptor, face.descriptor));
    }
    if (nearest > SAME_PERSON_DISTANCE) {
      return fail(
        'invalid',
        "That face doesn't look like the one in your earlier photos. Please send selfies of yourself only (if it is you, try a clearer, front-on photo).",
      );
    }
    return ok(undefined);
  }

  /** Analyses a clip (recorded PCM or an uploaded file) and stores it under the current emotion. */
  async submitVoice(audio: Uint8Array | Pcm, metadata: SampleMetadata): Promise<Result<AcceptedSample>> {
    const emotion = this.acceptingEmotion('voice');
    if (!emotion.ok) return emotion;
    this.touch();
    const features = await this.opts.engine.analyzeVoice(audio);
    if (!features.ok) return features;
    return this.store(emotion.value, {
      signal: 'voice',
      features: features.value,
      metadata,
      rawMedia: audio instanceof Uint8Array ? audio : undefined,
    });
  }

  /** The emotion a new sample of `signal` would be labelled with, or why none is wanted. */
  private acceptingEmotion(signal: Signal): Result<Emotion> {
    if (this.stateValue !== 'collecting')
      return fail('invalid', 'This calibration is not collecting samples right now.');
    if (this.skippedSignals.has(signal))
      return fail('invalid', `You skipped ${signal === 'face' ? 'photos' : 'voice clips'} in this calibration.`);
    const counts = this.counts();
    const emotion = this.emotions[this.currentIndex(counts)];
    if (emotion === undefined) return fail('invalid', 'Everything is collected already.');
    if (!this.needs(counts, emotion, signal)) {
      const other = signal === 'face' ? 'a voice clip' : 'a photo';
      return fail(
        'invalid',
        `That's enough ${signal === 'face' ? 'photos' : 'clips'} for ${emotion}; ${other} is still needed.`,
      );
    }
    return ok(emotion);
  }

  // The label is the emotion current when the media arrived: analysis is slow, and a photo sent for
  // "happy" must not become "neutral" because another sample completed "happy" in the meantime.
  private async store(
    emotion: Emotion,
    sample:
      | { signal: 'face'; features: StoredSample['features']; metadata: SampleMetadata; rawMedia?: Uint8Array }
      | { signal: 'voice'; features: StoredSample['features']; metadata: SampleMetadata; rawMedia?: Uint8Array },
  ): Promise<Result<AcceptedSample>> {
    if (this.stateValue !== 'collecting') return fail('invalid', 'This calibration ended before that sample was read.');
    const counts = this.counts();
    if (this.skippedSignals.has(sample.signal) || counts[emotion][sample.signal] >= this.target) {
      return fail(
        'invalid',
        `Enough ${sample.signal === 'face' ? 'photos' : 'clips'} for ${emotion} arrived in the meantime; that one was not needed.`,
      );
    }
    // Counted before the write resolves, so a sample arriving meanwhile sees the slot taken.
    this.adjustStored(emotion, sample.signal, +1);
    let stored: StoredSample;
    try {
      stored = await this.opts.store.addSample({ personId: this.personId, emotion, ...sample } as Parameters<
        AttuneStore['addSample']
      >[0]);
    } catch (error) {
      this.adjustStored(emotion, sample.signal, -1);
      // Forgotten meanwhile (here or on another shard): the store refused the write, as it must.
      if ((this.stateValue as FlowState) === 'forgotten' && isStoreError(error, 'no_consent'))
        return fail('invalid', 'This calibration ended before that sample was read.');
      if (!isStoreError(error, 'unavailable')) throw error;
      return fail(
        'invalid',
        "I couldn't save that sample just now (the database is not answering). Please send it again in a moment.",
      );
    }
    const accepted: AcceptedSample = { emotion, signal: sample.signal, sampleId: stored.id };
    this.taken.push(accepted);
    this.touch();
    this.changed();
    return ok(accepted);
  }

  /** Deletes the last sample this flow took (the person can take it again). */
  async retakeLast(): Promise<Result<AcceptedSample>> {
    if (this.stateValue !== 'collecting')
      return fail('invalid', 'This calibration is not collecting samples right now.');
    const last = this.taken.pop();
    if (!last) return fail('invalid', 'There is no sample from this calibration to retake yet.');
    if (await this.opts.store.deleteSample(this.personId, last.sampleId))
      this.adjustStored(last.emotion, last.signal, -1);
    this.touch();
    this.changed();
    return ok(last);
  }

  /** Stops collecting one signal for the rest of the calibration (e.g. no microphone). */
  skip(signal: Signal): Result<FlowProgress> {
    if (this.stateValue !== 'collecting')
      return fail('invalid', 'This calibration is not collecting samples right now.');
    const other: Signal = signal === 'face' ? 'voice' : 'face';
    if (this.skippedSignals.has(other))
      return fail(
        'invalid',
        `${other === 'face' ? 'Photos are' : 'Voice is'} skipped already; at least one signal is needed. Use Cancel to stop.`,
      );
    this.skippedSignals.add(signal);
    this.touch();
    this.changed();
    return ok(this.progress());
  }

  /** Trains on everything stored for the flow's emotions and signals and saves the model. */
  async train(): Promise<Result<PersonModel>> {
    if (!this.isComplete()) return fail('not_enough_samples', 'Some emotions still need samples.');
    this.stateValue = 'training';
    this.clearIdle();
    this.changed();
    const samples = (await this.opts.store.listSamples(this.personId)).filter(
      (s) => this.emotions.includes(s.emotion) && !this.skippedSignals.has(s.signal),
    );
    try {
      const model = await this.opts.engine.train(toLabelledSamples(samples), this.emotions);
      if (this.stateValue !== 'training') return fail('invalid', 'The calibration was stopped while training.');
      if (!model.ok) {
        this.end('failed');
        return model;
      }
      await this.opts.store.saveModel(this.personId, model.value);
      this.end('done');
      return model;
    } catch (error) {
      if (this.stateValue === 'training') this.end('failed');
      throw error;
    }
  }

  /** The person pressed Cancel: samples already stored stay (/forget deletes them). */
  cancel(): void {
    if (this.active) this.end('cancelled');
  }

  /** Attune is stopping (SIGTERM): samples stay, and a new /calibrate carries on. */
  shutDown(): void {
    if (this.active) this.end('shut_down');
  }

  /** The person used /forget: drop the flow without touching the (already emptied) store. */
  forget(): void {
    if (this.active) this.end('forgotten');
  }

  /** Any activity: restart the idle clock. */
  touch(): void {
    if (!this.active || this.stateValue === 'training') return;
    this.clearIdle();
    this.idleTimer = setTimeout(() => this.end('timed_out'), this.opts.idleMs);
    // A waiting flow must not keep the process alive at shutdown.
    this.idleTimer.unref?.();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private end(reason: FlowEnd): void {
    this.stateValue = reason;
    this.clearIdle();
    this.opts.onEvent?.({ type: 'ended', reason });
  }

  private adjustStored(emotion: Emotion, signal: Signal, by: number): void {
    const entry = (this.stored[emotion] ??= { face: 0, voice: 0 });
    entry[signal] = Math.max(0, entry[signal] + by);
  }

  private changed(): void {
    this.opts.onEvent?.({ type: 'progress' });
  }
}
