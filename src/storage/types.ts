import type { CalibrationReport, Emotion, FaceFeatures, PersonModel, Signal, VoiceFeatures } from '../ml/types';

/**
 * The storage contract. The bot, the commands and the CLIs receive an `AttuneStore` (never a global),
 * so the database behind it can change: SQLite (embedded, one process) or PostgreSQL (several shard
 * processes on several hosts). Every call is asynchronous, because a PostgreSQL round trip is; on
 * SQLite the promise is already settled when it is returned.
 *
 * Personal data is only written under a current consent: every write for a person other than granting
 * consent rejects with a {@link StoreError} with code `no_consent` (or `consent_scope` when the signal is
 * not covered). Other misuse (empty ids, non-finite numbers, oversized blobs) rejects with `invalid`.
 * When the database cannot be reached even after retrying, a call rejects with `unavailable` and has
 * written nothing: tell the person to try again.
 */
export interface AttuneStore {
  /** Records a consent (creating the person on first consent); a new grant supersedes older ones. */
  grantConsent(personId: string, consent: ConsentGrant): Promise<ConsentRecord>;
  /** Marks the current consent revoked. Data stays until {@link forgetPerson}; new writes are refused. */
  revokeConsent(personId: string): Promise<ConsentRecord | null>;
  /** The most recent consent record (possibly revoked), or null if the person never consented. */
  getConsent(personId: string): Promise<ConsentRecord | null>;
  /** True when the person has an unrevoked consent that covers `signal` (any signal if omitted). */
  hasConsent(personId: string, signal?: Signal): Promise<boolean>;

  /** Display settings; defaults when the person is unknown or a field was never set. */
  getPersonSettings(personId: string): Promise<PersonSettings>;
  /** Merges `settings` into the stored ones (needs consent) and returns the result. */
  updatePersonSettings(personId: string, settings: Partial<PersonSettings>): Promise<PersonSettings>;

  /** Adds one sample; raw media is kept only when the store was opened with `keepRawMedia`. */
  addSample(sample: NewSample): Promise<StoredSample>;
  /** Adds several samples in one transaction: all or none. */
  addSamples(samples: readonly NewSample[]): Promise<StoredSample[]>;
  /** A person's samples, oldest first, optionally only one emotion and/or signal. */
  listSamples(personId: string, filter?: SampleFilter): Promise<StoredSample[]>;
  /** Samples per emotion and signal, shaped like `CalibrationReport.counts`. */
  countSamples(personId: string): Promise<SampleCounts>;
  /** The kept raw media of one sample, or null (not kept, or no such sample for this person). */
  getRawMedia(personId: string, sampleId: number): Promise<Uint8Array | null>;
  /** Deletes one sample of this person (a retake); false when there was none. */
  deleteSample(personId: string, sampleId: number): Promise<boolean>;
  /** Deletes a person's samples of one emotion (optionally one signal only); returns how many. */
  deleteSamples(personId: string, emotion: Emotion, signal?: Signal): Promise<number>;

  /** Stores the person's model, replacing any previous one atomically. */
  saveModel(personId: string, model: PersonModel): Promise<StoredModelInfo>;
  /** The person's current model, or null when not calibrated. One indexed lookup plus JSON.parse. */
  loadModel(personId: string): Promise<PersonModel | null>;
  /** Deletes the person's model (e.g. after deleting the samples it was trained on). */
  deleteModel(personId: string): Promise<boolean>;

  /** A server's settings; defaults ({@link DEFAULT_GUILD_SETTINGS}) when never set. */
  getGuildSettings(guildId: string): Promise<GuildSettings>;
  /** Replaces a server's settings. */
  setGuildSettings(guildId: string, settings: GuildSettings): Promise<GuildSettings>;
  /** Removes a server's settings (e.g. when the bot leaves it). */
  deleteGuildSettings(guildId: string): Promise<boolean>;

  /** Deletes everything held about the person in one transaction and flushes it from the disk files. */
  forgetPerson(personId: string): Promise<ForgetResult>;
  /** What is held about the person, for a /profile command; null when nothing is. */
  describePerson(personId: string): Promise<PersonSummary | null>;

  /**
   * Runs `work` in one transaction: it commits when `work`'s promise resolves and rolls back (leaving
   * the database exactly as before) when it rejects. Nested calls become savepoints. Calls on this
   * store made from inside `work` join the transaction. On PostgreSQL a transaction whose connection
   * fails is retried from the start, so `work` must only touch the store (it may run more than once).
   */
  transaction<T>(work: (store: AttuneStore) => Promise<T>): Promise<T>;
  /**
   * Claims the person for `holder` (e.g. a shard's calibration) for `ttlMs`, across every process
   * sharing the database: true when claimed, or renewed because `holder` already held it; false while
   * another holder's claim runs. Claims expire on their own, so a crashed process cannot keep one.
   */
  claimPerson(personId: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Ends `holder`'s claim on the person; false when it did not hold one. */
  releasePerson(personId: string, holder: string): Promise<boolean>;
  /**
   * Calls `onForgotten` once when the person is forgotten by any process sharing the database
   * (PostgreSQL: LISTEN/NOTIFY; SQLite: this process). Resolves once watching is active, with a
   * function that stops watching.
   */
  watchForget(personId: string, onForgotten: () => void): Promise<() => void>;

  /** Closes the database; later calls reject with `closed`. */
  close(): Promise<void>;
}

/** What a person agrees to. `textVersion` names the consent wording they were shown. */
export interface ConsentGrant {
  textVersion: string;
  scope: readonly Signal[];
}

export interface ConsentRecord {
  personId: string;
  textVersion: string;
  scope: Signal[];
  /** ISO 8601. */
  grantedAt: string;
  /** ISO 8601, or null while the consent stands. */
  revokedAt: string | null;
}

/** Per-person display settings. */
export interface PersonSettings {
  /** Speak replies aloud in voice channels. */
  speakReplies: boolean;
  /** Show the confidence numbers next to a reading. */
  showConfidence: boolean;
}

export const DEFAULT_PERSON_SETTINGS: Readonly<PersonSettings> = Object.freeze({
  speakReplies: true,
  showConfidence: false,
});

/**
 * Where a sample came from. `correction`: the features an /ask read, labelled by the person when they
 * confirmed or corrected its reading (kept in the sealed metadata, so no schema change).
 */
export type SampleSource = 'voice_channel' | 'voice_message' | 'attachment' | 'camera' | 'cli' | 'correction';

export const SAMPLE_SOURCES: readonly SampleSource[] = [
  'voice_channel',
  'voice_message',
  'attachment',
  'camera',
  'cli',
  'correction',
];

/** Descriptive metadata stored with a sample (never interpreted by the store). */
export interface SampleMetadata {
  source: SampleSource;
  /** Length of the recording, seconds (voice), if known. */
  durationSec?: number;
  /** MIME type of the original media, if known. */
  mimeType?: string;
  /** Original file name of an attachment, if any. */
  fileName?: string;
}

interface NewSampleBase {
  personId: string;
  emotion: Emotion;
  metadata: SampleMetadata;
  /** The original bytes; stored only when the store keeps raw media, otherwise dropped. */
  rawMedia?: Uint8Array;
}

/** A sample to add: the features' type follows the signal. */
export type NewSample =
  | (NewSampleBase & { signal: 'face'; features: FaceFeatures })
  | (NewSampleBase & { signal: 'voice'; features: VoiceFeatures });

interface StoredSampleBase {
  id: number;
  personId: string;
  emotion: Emotion;
  metadata: SampleMetadata;
  /** ISO 8601. */
  createdAt: string;
  hasRawMedia: boolean;
}

/** A stored sample (raw media is fetched separately with `getRawMedia`). */
export type StoredSample =
  | (StoredSampleBase & { signal: 'face'; features: FaceFeatures })
  | (StoredSampleBase & { signal: 'voice'; features: VoiceFeatures });

export interface SampleFilter {
  emotion?: Emotion;
  signal?: Signal;
}

/** Samples per emotion and signal; emotions without samples are absent. */
export type SampleCounts = Record<Emotion, { face: number; voice: number }>;

/** Bookkeeping about a stored model. */
export interface StoredModelInfo {
  /** `PersonModel.version`: the model format version. */
  version: number;
  /** 1 for the first model saved for this person, +1 on each recalibration. */
  revision: number;
  /** `PersonModel.createdAt`. */
  createdAt: string;
  /** When the store saved it, ISO 8601. */
  savedAt: string;
}

/** Per-server settings chosen by the server's admins. */
export interface GuildSettings {
  voiceEnabled: boolean;
  /** Channels the bot may listen in; empty means no restriction beyond `voiceEnabled`. */
  allowedChannelIds: string[];
  /**
   * Spoken questions may be sent to the configured transcription service. The store always returns
   * it; a caller that leaves it out when writing gets the default, on.
   */
  transcriptionEnabled?: boolean;
}

/**
 * Voice features start on: the issue has server admins turn them *off* (or restrict channels), and a
 * person still has to join a voice channel and consent before anything is recorded.
 */
export const DEFAULT_GUILD_SETTINGS: Readonly<GuildSettings> = Object.freeze({
  voiceEnabled: true,
  allowedChannelIds: Object.freeze([]) as unknown as string[],
  transcriptionEnabled: true,
});

/** Rows removed by `forgetPerson`, per kind. */
export interface ForgetResult {
  samples: number;
  models: number;
  consents: number;
  people: number;
}

/** Kinds of data that may be held about a person. */
export type DataKind = 'consent' | 'settings' | 'face_features' | 'voice_features' | 'raw_media' | 'model';

/** Everything a /profile command shows. */
export interface PersonSummary {
  personId: string;
  /** When the person first consented, ISO 8601. */
  createdAt: string;
  consent: ConsentRecord | null;
  settings: PersonSettings;
  samples: SampleCounts;
  totalSamples: number;
  samplesWithRawMedia: number;
  model: (StoredModelInfo & { emotions: Emotion[]; report: CalibrationReport }) | null;
  /** The kinds of data currently held, for a plain-language "what we store" line. */
  dataKinds: DataKind[];
}
