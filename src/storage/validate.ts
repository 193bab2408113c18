import { type FaceFeatures, MAX_VOICE_CROPS, type Signal, type VoiceFeatures } from '../ml/types';
import { StoreError } from './StoreError';
import {
  DEFAULT_GUILD_SETTINGS,
  SAMPLE_SOURCES,
  type GuildSettings,
  type NewSample,
  type PersonSettings,
  type SampleMetadata,
} from './types';

/** Discord snowflakes are <= 20 digits; 64 leaves room for other opaque ids without allowing essays. */
const MAX_ID_LENGTH = 64;
const MAX_EMOTION_LENGTH = 64;
/** Discord's own upload limit for bots; anything larger cannot have come from Discord. */
export const MAX_RAW_MEDIA_BYTES = 25 * 1024 * 1024;
/** Real feature JSON is ~5 KB (face) or ~20 KB (voice, with its parts); the limit catches runaway arrays. */
const MAX_FEATURES_JSON_BYTES = 256 * 1024;
const MAX_METADATA_TEXT_LENGTH = 256;
const MAX_ALLOWED_CHANNELS = 500;

function invalid(message: string): never {
  throw new StoreError('invalid', message);
}

/** An opaque id: non-empty, bounded, printable ASCII without spaces. */
export function checkId(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) invalid(`${what} must be a non-empty string.`);
  if (value.length > MAX_ID_LENGTH) invalid(`${what} is longer than ${MAX_ID_LENGTH} characters.`);
  if (!/^[\x21-\x7e]+$/.test(value)) invalid(`${what} must be printable ASCII without spaces.`);
  return value;
}

export function checkEmotion(value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0) invalid('emotion must be a non-empty string.');
  if (value.length > MAX_EMOTION_LENGTH) invalid(`emotion is longer than ${MAX_EMOTION_LENGTH} characters.`);
  return value;
}

export function checkSignal(value: unknown): Signal {
  if (value !== 'face' && value !== 'voice') invalid(`signal must be 'face' or 'voice', not ${JSON.stringify(value)}.`);
  return value;
}

function checkFiniteNumber(value: unknown, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) invalid(`${what} must be a finite number.`);
}

function checkNumberArray(value: unknown, what: string): void {
  if (!Array.isArray(value)) invalid(`${what} must be an array of numbers.`);
  value.forEach((v, i) => checkFiniteNumber(v, `${what}[${i}]`));
}

function checkNumberRecord(value: unknown, what: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    invalid(`${what} must be an object of numbers.`);
  for (const [k, v] of Object.entries(value)) checkFiniteNumber(v, `${what}.${k}`);
}

/**
 * JSON turns NaN and Infinity into null, so a bad number would come back as a different model input.
 * Checking here keeps stored features exactly what the pipeline produced.
 */
function checkFaceFeatures(f: FaceFeatures): void {
  if (typeof f !== 'object' || f === null) invalid('face features must be an object.');
  checkFiniteNumber(f.faceCount, 'features.faceCount');
  checkFiniteNumber(f.score, 'features.score');
  if (typeof f.box !== 'object' || f.box === null) invalid('features.box must be an object.');
  checkNumberRecord(f.box, 'features.box');
  checkNumberRecord(f.expressions, 'features.expressions');
  checkNumberArray(f.landmarks, 'features.landmarks');
  checkNumberArray(f.descriptor, 'features.descriptor');
  checkNumberRecord(f.geometry, 'features.geometry');
}

function checkVoiceFeatures(f: VoiceFeatures): void {
  if (typeof f !== 'object' || f === null) invalid('voice features must be an object.');
  checkFiniteNumber(f.durationSec, 'features.durationSec');
  checkNumberRecord(f.stats, 'features.stats');
  if (f.crops !== undefined) {
    if (!Array.isArray(f.crops) || f.crops.length > MAX_VOICE_CROPS)
      invalid(`features.crops must be an array of at most ${MAX_VOICE_CROPS} objects of numbers.`);
    f.crops.forEach((c, i) => checkNumberRecord(c, `features.crops[${i}]`));
  }
}

function checkMetadata(m: SampleMetadata): SampleMetadata {
  if (typeof m !== 'object' || m === null) invalid('metadata must be an object.');
  if (!SAMPLE_SOURCES.includes(m.source)) invalid(`metadata.source must be one of ${SAMPLE_SOURCES.join(', ')}.`);
  const clean: SampleMetadata = { source: m.source };
  if (m.durationSec !== undefined) {
    checkFiniteNumber(m.durationSec, 'metadata.durationSec');
    if (m.durationSec < 0) invalid('metadata.durationSec must not be negative.');
    clean.durationSec = m.durationSec;
  }
  for (const key of ['mimeType', 'fileName'] as const) {
    const v = m[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v.length > MAX_METADATA_TEXT_LENGTH)
      invalid(`metadata.${key} must be a string of at most ${MAX_METADATA_TEXT_LENGTH} characters.`);
    clean[key] = v;
  }
  return clean;
}

/** A sample ready to write: validated, with features and metadata serialised. */
export interface CheckedSample {
  personId: string;
  emotion: string;
  signal: Signal;
  featuresJson: string;
  metadataJson: string;
  rawMedia: Uint8Array | null;
}

/** Validates a sample and serialises it; throws StoreError('invalid') with the first problem found. */
export function checkSample(sample: NewSample, keepRawMedia: boolean): CheckedSample {
  if (typeof sample !== 'object' || sample === null) invalid('sample must be an object.');
  const personId = checkId(sample.personId, 'personId');
  const emotion = checkEmotion(sample.emotion);
  const signal = checkSignal(sample.signal);
  if (sample.signal === 'face') checkFaceFeatures(sample.features);
  else checkVoiceFeatures(sample.features);
  const featuresJson = JSON.stringify(sample.features);
  if (Buffer.byteLength(featuresJson) > MAX_FEATURES_JSON_BYTES)
    invalid(`features are larger than ${MAX_FEATURES_JSON_BYTES} bytes as JSON.`);
  const metadataJson = JSON.stringify(checkMetadata(sample.metadata));
  let rawMedia: Uint8Array | null = null;
  if (sample.rawMedia !== undefined) {
    if (!(sample.rawMedia instanceof Uint8Array)) invalid('rawMedia must be a Uint8Array.');
    if (sample.rawMedia.byteLength > MAX_RAW_MEDIA_BYTES)
      invalid(`rawMedia is larger than ${MAX_RAW_MEDIA_BYTES} bytes.`);
    // Without keepRawMedia the bytes are dropped here, before they can reach the database file.
    if (keepRawMedia) rawMedia = sample.rawMedia;
  }
  return { personId, emotion, signal, featuresJson, metadataJson, rawMedia };
}

export function checkScope(scope: unknown): Signal[] {
  if (!Array.isArray(scope) || scope.length === 0) invalid('consent scope must list at least one signal.');
  const signals = scope.map(checkSignal);
  return [...new Set(signals)].sort();
}

export function checkPersonSettings(settings: Partial<PersonSettings>): Partial<PersonSettings> {
  if (typeof settings !== 'object' || settings === null) invalid('settings must be an object.');
  const clean: Partial<PersonSettings> = {};
  for (const key of ['speakReplies', 'showConfidence'] as const) {
    const v = settings[key];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') invalid(`settings.${key} must be true or false.`);
    clean[key] = v;
  }
  return clean;
}

export function checkGuildSettings(settings: GuildSettings): GuildSettings {
  if (typeof settings !== 'object' || settings === null) invalid('guild settings must be an object.');
  if (typeof settings.voiceEnabled !== 'boolean') invalid('voiceEnabled must be true or false.');
  if (!Array.isArray(settings.allowedChannelIds)) invalid('allowedChannelIds must be an array of channel ids.');
  const transcriptionEnabled = settings.transcriptionEnabled ?? DEFAULT_GUILD_SETTINGS.transcriptionEnabled;
  if (typeof transcriptionEnabled !== 'boolean') invalid('transcriptionEnabled must be true or false.');
  if (settings.allowedChannelIds.length > MAX_ALLOWED_CHANNELS)
    invalid(`allowedChannelIds lists more than ${MAX_ALLOWED_CHANNELS} channels.`);
  const ids = settings.allowedChannelIds.map((id) => checkId(id, 'channel id'));
  return { voiceEnabled: settings.voiceEnabled, allowedChannelIds: [...new Set(ids)], transcriptionEnabled };
}
