import type { AttuneEngine } from '../../ml/engine';
import {
  fail,
  ok,
  type Emotion,
  type FaceFeatures,
  type FailureCode,
  type Pcm,
  type PersonModel,
  type Result,
  type Signal,
} from '../../ml/types';
import {
  isStoreError,
  toLabelledSamples,
  type AttuneStore,
  type NewSample,
  type SampleCounts,
  type SampleMetadata,
} from '../../storage';
import type { FlowProgress } from '../format/progress';
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

/** Why a flow ended, for the message the person sees. */
export type FlowEnd = 'done' | 'declined' | 'cancelled' | 'timed_out' | 'forgotten' | 'failed' | 'shut_down';

/** Showing the consent screen: nothing is processed or stored. Owns the idle timer. */
export interface ConsentState {
  readonly status: 'consent';
  readonly idle: NodeJS.Timeout;
}

/**
 * Taking samples, emotion by emotion. Owns the idle timer (carried over from consent: agreeing is not
 * activity) and `stop`, aborted when the flow leaves this state, which work done for it (the voice
 * loop's recordings) listens to.
 */
export interface CollectingState {
  readonly status: 'collecting';
  readonly idle: NodeJS.Timeout;
  readonly stop: AbortController;
}

/** Training the person's model: samples are no longer taken, and idleness no longer ends the flow. */
export interface TrainingState {
  readonly status: 'training';
}

/** Over, for good; a new /calibrate resumes from what is stored. */
export interface EndedState {
  readonly status: 'ended';
  readonly reason: FlowEnd;
}

/**
 * Where a flow is: `consent` → `collecting` → `training` → `ended` ('done'), or `ended` early from
 * any other state (see the transition table in the tests).
 */
export type FlowState = ConsentState | CollectingState | TrainingState | EndedState;

/** What changed, for whoever renders the flow: the samples, or the state (`from` was cleaned up). */
export type FlowEvent = { type: 'progress' } | { type: 'state'; from: FlowState; to: FlowState };

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

/**
 * Why the flow would not take a step, as opposed to a sample that was unusable (a {@link FailureCode}:
 * no face, several faces, a stranger's face, silence). The person's next move differs: these are about
 * where the calibration is, not about what they sent.
 */
export type FlowRefusal =
  | 'wrong_state' // not in the state the step needs (not collecting, no longer at consent, stopped)
  | 'already_complete' // everything, or everything of that signal for the current emotion, is collected
  | 'signal_skipped' // a sample of a signal the person skipped
  | 'last_signal' // skipping it would leave no signal to calibrate
  | 'nothing_to_retake' // no sample of this flow to take back
  | 'store_unavailable'; // the database did not answer: the sample was not kept, send it again

/** A step's outcome: done, refused by the flow, or (for a sample) a failure of the media itself. */
export type FlowResult<T, C extends string = FailureCode | FlowRefusal> = Result<T, C>;

type Counts = Record<Emotion, { face: number; voice: number }>;

const NOT_COLLECTING = 'This calibration is not collecting samples right now.';
const ENDED_BEFORE_READ = 'This calibration ended before that sample was read.';

/**
 * One person's calibration as a state machine ({@link FlowState}): consent, then samples emotion by
 * emotion, then training. Every change of state goes through one setter, which cleans up what the
 * old state owned and tells `onEvent`. Pure of discord.js: the bot feeds it analysed media and
 * renders its progress. Every accepted sample is written to the store at once, so nothing taken is
 * lost when the flow later times out or fails; a new flow resumes from what is stored.
 */
export class CalibrationFlow {
  readonly personId: string;
  readonly guildId: string;
  readonly channelId: string;
  readonly emotions: Emotion[];
  readonly target: number;
  #state: FlowState;
  private readonly skipped = new Set<Signal>();
  /**
   * This person's stored samples per emotion and signal, read when they agree and kept up to date by
   * the flow's own writes (the store is asynchronous; progress is drawn synchronously). A calibration
   * is the only writer of its person's calibration samples while it runs.
   */
  private stored: SampleCounts = {};
  /** Samples added by this flow, newest last, for "retake last". */
  private readonly taken: AcceptedSample[] = [];
  /**
   * Descriptors of this person's stored photos that this flow has seen (read from the store or
   * written by it), by sample id: a subset of the store, so a selfie near one of them is the
   * person's without reading (and decrypting) every stored sample again.
   */
  private readonly faces = new Map<number, readonly number[]>();
  /**
   * The answer of {@link hasCurrentConsent}, once asked: the consent screen asks, agreeing reuses it.
   * A /forget in between ends the flow (see PersonHold), so a stale answer is never acted on.
   */
  private consentCurrent: boolean | null = null;

  constructor(private readonly opts: CalibrationFlowOptions) {
    this.personId = opts.personId;
    this.guildId = opts.guildId;
    this.channelId = opts.channelId;
    this.emotions = [...new Set(opts.emotions)];
    this.target = opts.target;
    this.#state = { status: 'consent', idle: this.idleTimer() };
  }

  get state(): FlowState {
    return this.#state;
  }

  /**
   * The one way the flow changes state: clears the idle timer and aborts `stop` unless the next
   * state carries them over, then tells `onEvent`.
   */
  private set state(next: FlowState) {
    const previous = this.#state;
    if ('idle' in previous && !('idle' in next && next.idle === previous.idle)) clearTimeout(previous.idle);
    if ('stop' in previous && !('stop' in next && next.stop === previous.stop)) previous.stop.abort();
    this.#state = next;
    this.opts.onEvent?.({ type: 'state', from: previous, to: next });
  }

  /** The status now (a method, so TypeScript does not keep a status narrowed across an await). */
  private status(): FlowState['status'] {
    return this.#state.status;
  }

  get active(): boolean {
    return this.#state.status !== 'ended';
  }

  /** True when the person already agreed to the current consent wording (the screen can be skipped). */
  async hasCurrentConsent(): Promise<boolean> {
    const consent = await this.opts.store.getConsent(this.personId);
    this.consentCurrent =
      !!consent &&
      consent.revokedAt === null &&
      consent.textVersion === (this.opts.consentVersion ?? CONSENT_TEXT_VERSION) &&
      CONSENT_SCOPE.every((s) => consent.scope.includes(s));
    return this.consentCurrent;
  }

  /** Records consent (unless already current) and starts collecting. */
  async agree(): Promise<FlowResult<FlowProgress, FlowRefusal>> {
    const refused = fail<FlowRefusal>('wrong_state', 'This calibration is not waiting for consent any more.');
    if (this.status() !== 'consent') return refused;
    if (!(this.consentCurrent ?? (await this.hasCurrentConsent())))
      await this.opts.store.grantConsent(this.personId, {
        textVersion: this.opts.consentVersion ?? CONSENT_TEXT_VERSION,
        scope: CONSENT_SCOPE,
      });
    this.consentCurrent = true;
    if (this.opts.restart) {
      await this.opts.store.transaction(async (s) => {
        for (const e of this.emotions) await s.deleteSamples(this.personId, e);
      });
    }
    this.stored = await this.opts.store.countSamples(this.personId);
    const state = this.#state;
    if (state.status !== 'consent') return refused;
    this.state = { status: 'collecting', idle: state.idle, stop: new AbortController() };
    return ok(this.progress());
  }

  /** The person said no: nothing was processed, nothing is stored. */
  decline(): void {
    if (this.status() === 'consent') this.end('declined');
  }

  /** Stored samples of this person per emotion and signal, for the flow's emotions. */
  private counts(): Counts {
    const out: Counts = {};
    for (const e of this.emotions) out[e] = { face: this.stored[e]?.face ?? 0, voice: this.stored[e]?.voice ?? 0 };
    return out;
  }

  private needs(counts: Counts, emotion: Emotion, signal: Signal): boolean {
    return !this.skipped.has(signal) && (counts[emotion]?.[signal] ?? 0) < this.target;
  }

  /** The index of the first emotion still missing samples of a signal not skipped (`emotions.length`: none). */
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
    if (this.status() !== 'collecting') return false;
    const counts = this.counts();
    const emotion = this.emotions[this.currentIndex(counts)];
    return emotion !== undefined && this.needs(counts, emotion, signal);
  }

  progress(): FlowProgress {
    const counts = this.counts();
    const index = this.currentIndex(counts);
    const status = this.status();
    const emotion = status === 'collecting' || status === 'consent' ? (this.emotions[index] ?? null) : null;
    return {
      emotions: [...this.emotions],
      emotion,
      index,
      target: this.target,
      counts,
      skipped: [...this.skipped],
      sentence: emotion && !this.skipped.has('voice') ? promptSentence(emotion, counts[emotion]?.voice ?? 0) : null,
    };
  }

  /** True when every emotion has enough samples of every signal not skipped. */
  isComplete(): boolean {
    return this.status() === 'collecting' && this.currentIndex() >= this.emotions.length;
  }

  /** Analyses a selfie and stores it under the current emotion. */
  async submitFace(image: Uint8Array, metadata: SampleMetadata): Promise<FlowResult<AcceptedSample>> {
    const emotion = this.acceptingEmotion('face');
    if (!emotion.ok) return emotion;
    this.touch();
    const features = await this.opts.engine.analyzeFace(image);
    if (!features.ok) return features;
    const whose = await this.checkSelfie(features.value);
    if (!whose.ok) return whose;
    return this.store({
      personId: this.personId,
      emotion: emotion.value,
      signal: 'face',
      features: features.value,
      metadata,
      rawMedia: image,
    });
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
    const isNear = (descriptor: readonly number[]) =>
      descriptorDistance(descriptor, face.descriptor) <= SAME_PERSON_DISTANCE;
    if ([...this.faces.values()].some(isNear)) return ok(undefined);
    // None of the photos this flow has seen: the store decides (it may hold others, e.g. from /ask answers).
    const mine = await this.opts.store.listSamples(this.personId, { signal: 'face' });
    for (const sample of mine) if (sample.signal === 'face') this.faces.set(sample.id, sample.features.descriptor);
    if (mine.length === 0 || mine.some((s) => s.signal === 'face' && isNear(s.features.descriptor)))
      return ok(undefined);
    return fail(
      'invalid',
      "That face doesn't look like the one in your earlier photos. Please send selfies of yourself only (if it is you, try a clearer, front-on photo).",
    );
  }

  /** Analyses a clip (recorded PCM or an uploaded file) and stores it under the current emotion. */
  async submitVoice(audio: Uint8Array | Pcm, metadata: SampleMetadata): Promise<FlowResult<AcceptedSample>> {
    const emotion = this.acceptingEmotion('voice');
    if (!emotion.ok) return emotion;
    this.touch();
    const features = await this.opts.engine.analyzeVoice(audio);
    if (!features.ok) return features;
    return this.store({
      personId: this.personId,
      emotion: emotion.value,
      signal: 'voice',
      features: features.value,
      metadata,
      rawMedia: audio instanceof Uint8Array ? audio : undefined,
    });
  }

  /** The emotion a new sample of `signal` would be labelled with, or why none is wanted. */
  private acceptingEmotion(signal: Signal): FlowResult<Emotion, FlowRefusal> {
    if (this.status() !== 'collecting') return fail('wrong_state', NOT_COLLECTING);
    if (this.skipped.has(signal))
      return fail('signal_skipped', `You skipped ${signal === 'face' ? 'photos' : 'voice clips'} in this calibration.`);
    const counts = this.counts();
    const emotion = this.emotions[this.currentIndex(counts)];
    if (emotion === undefined) return fail('already_complete', 'Everything is collected already.');
    if (!this.needs(counts, emotion, signal)) {
      const other = signal === 'face' ? 'a voice clip' : 'a photo';
      return fail(
        'already_complete',
        `That's enough ${signal === 'face' ? 'photos' : 'clips'} for ${emotion}; ${other} is still needed.`,
      );
    }
    return ok(emotion);
  }

  // The label is the emotion current when the media arrived: analysis is slow, and a photo sent for
  // "happy" must not become "neutral" because another sample completed "happy" in the meantime.
  private async store(sample: NewSample): Promise<FlowResult<AcceptedSample, FlowRefusal>> {
    const { emotion, signal } = sample;
    if (this.status() !== 'collecting') return fail('wrong_state', ENDED_BEFORE_READ);
    if (this.skipped.has(signal) || (this.stored[emotion]?.[signal] ?? 0) >= this.target) {
      return fail(
        'already_complete',
        `Enough ${signal === 'face' ? 'photos' : 'clips'} for ${emotion} arrived in the meantime; that one was not needed.`,
      );
    }
    // Counted before the write resolves, so a sample arriving meanwhile sees the slot taken.
    this.adjustStored(emotion, signal, +1);
    let sampleId: number;
    try {
      sampleId = (await this.opts.store.addSample(sample)).id;
    } catch (error) {
      this.adjustStored(emotion, signal, -1);
      // Forgotten meanwhile (here or on another shard): the store refused the write, as it must.
      const state = this.#state;
      if (state.status === 'ended' && state.reason === 'forgotten' && isStoreError(error, 'no_consent'))
        return fail('wrong_state', ENDED_BEFORE_READ);
      if (!isStoreError(error, 'unavailable')) throw error;
      return fail(
        'store_unavailable',
        "I couldn't save that sample just now (the database is not answering). Please send it again in a moment.",
      );
    }
    if (sample.signal === 'face') this.faces.set(sampleId, sample.features.descriptor);
    const accepted: AcceptedSample = { emotion, signal, sampleId };
    this.taken.push(accepted);
    this.touch();
    this.changed();
    return ok(accepted);
  }

  /** Deletes the last sample this flow took (the person can take it again). */
  async retakeLast(): Promise<FlowResult<AcceptedSample, FlowRefusal>> {
    if (this.status() !== 'collecting') return fail('wrong_state', NOT_COLLECTING);
    const last = this.taken.pop();
    if (!last) return fail('nothing_to_retake', 'There is no sample from this calibration to retake yet.');
    this.faces.delete(last.sampleId);
    if (await this.opts.store.deleteSample(this.personId, last.sampleId))
      this.adjustStored(last.emotion, last.signal, -1);
    this.touch();
    this.changed();
    return ok(last);
  }

  /** Stops collecting one signal for the rest of the calibration (e.g. no microphone). */
  skip(signal: Signal): FlowResult<FlowProgress, FlowRefusal> {
    if (this.status() !== 'collecting') return fail('wrong_state', NOT_COLLECTING);
    const other: Signal = signal === 'face' ? 'voice' : 'face';
    if (this.skipped.has(other))
      return fail(
        'last_signal',
        `${other === 'face' ? 'Photos are' : 'Voice is'} skipped already; at least one signal is needed. Use Cancel to stop.`,
      );
    this.skipped.add(signal);
    this.touch();
    this.changed();
    return ok(this.progress());
  }

  /**
   * Trains on everything stored for the flow's emotions and signals and saves the model. Enters
   * `training` before its first await, so nothing is collected once it has been called.
   */
  async train(): Promise<FlowResult<PersonModel>> {
    if (!this.isComplete()) return fail('not_enough_samples', 'Some emotions still need samples.');
    this.state = { status: 'training' };
    const samples = (await this.opts.store.listSamples(this.personId)).filter(
      (s) => this.emotions.includes(s.emotion) && !this.skipped.has(s.signal),
    );
    try {
      const model = await this.opts.engine.train(toLabelledSamples(samples), this.emotions);
      if (this.status() !== 'training') return fail('wrong_state', 'The calibration was stopped while training.');
      if (!model.ok) {
        this.end('failed');
        return model;
      }
      await this.opts.store.saveModel(this.personId, model.value);
      this.end('done');
      return model;
    } catch (error) {
      if (this.status() === 'training') this.end('failed');
      throw error;
    }
  }

  /** The person pressed Cancel: samples already stored stay (/forget deletes them). */
  cancel(): void {
    this.end('cancelled');
  }

  /** Attune is stopping (SIGTERM): samples stay, and a new /calibrate carries on. */
  shutDown(): void {
    this.end('shut_down');
  }

  /** The person used /forget: drop the flow without touching the (already emptied) store. */
  forget(): void {
    this.end('forgotten');
  }

  /** Any activity: restart the idle clock (only consent and collecting have one). */
  private touch(): void {
    if ('idle' in this.#state) this.#state.idle.refresh();
  }

  private idleTimer(): NodeJS.Timeout {
    const timer = setTimeout(() => this.end('timed_out'), this.opts.idleMs);
    // A waiting flow must not keep the process alive at shutdown.
    timer.unref?.();
    return timer;
  }

  /** Ends the flow unless it has ended already (the first reason stands). */
  private end(reason: FlowEnd): void {
    if (this.active) this.state = { status: 'ended', reason };
  }

  private adjustStored(emotion: Emotion, signal: Signal, by: number): void {
    const entry = (this.stored[emotion] ??= { face: 0, voice: 0 });
    entry[signal] = Math.max(0, entry[signal] + by);
  }

  private changed(): void {
    this.opts.onEvent?.({ type: 'progress' });
  }
}
