import fs from 'node:fs';
import path from 'node:path';
import { OpusFrameDecoder } from '../../../src/bot/voice/OpusFrameDecoder';
import type { Pcm } from '../../../src/ml/types';
import { loadOggOpusFile } from '../../standin';
import { SHARED_DATA } from '../../helpers/dataDir';

function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DATA, ...parts);
}

/** `N` values of `T` as a tuple when `N` is a literal (so `const [a, b] = clips(2)` needs no checks). */
type Tuple<T, N extends number, R extends T[] = []> = number extends N
  ? T[]
  : R['length'] extends N
    ? R
    : Tuple<T, N, [...R, T]>;

/** RAVDESS calibrate-role clips of one actor for an emotion (shared data), as Opus packets. */
export function ravdessClips<N extends number>(
  actor: number,
  emotion: 'neutral' | 'happy' | 'sad',
  count: N,
): Tuple<Buffer[], N> {
  const code = { neutral: '01', happy: '03', sad: '04' }[emotion];
  const dir = sharedPath('ravdess-3class', `Actor_${String(actor).padStart(2, '0')}`);
  // Modality-channel-emotion-intensity-statement-repetition-actor; repetition 01 is the calibrate fold.
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.split('-')[2] === code && f.split('-')[5] === '01')
    .sort();
  if (files.length < count) throw new Error(`only ${files.length} ${emotion} clips for actor ${actor}`);
  return files.slice(0, count).map((f) => {
    const clip = loadOggOpusFile(path.join(dir, f));
    if (!clip.ok) throw new Error(clip.message);
    return clip.value.packets;
  }) as Tuple<Buffer[], N>;
}

/** Conditions of the Yale face database (every subject has each, except subject04.sad). */
export type YaleCondition =
  | 'happy'
  | 'normal'
  | 'sad'
  | 'sleepy'
  | 'surprised'
  | 'wink'
  | 'glasses'
  | 'noglasses'
  | 'centerlight'
  | 'leftlight'
  | 'rightlight';

/** A Yale face (shared data): subject 1..15. */
export function yaleFace(subject: number, condition: YaleCondition): Buffer {
  return fs.readFileSync(sharedPath('yale-faces', `subject${String(subject).padStart(2, '0')}.${condition}.jpg`));
}

/** face-api's demo photos, always installed. */
export function demoFace(n: 1 | 2 | 3 | 4 | 5 | 6): Buffer {
  return fs.readFileSync(path.resolve(__dirname, '../../../node_modules/@vladmandic/face-api/demo', `sample${n}.jpg`));
}

/** A RAVDESS calibrate-role clip as the Ogg Opus file bytes (what a voice message carries). */
export function ravdessOgg(actor: number, emotion: 'neutral' | 'happy' | 'sad', index: number): Buffer {
  const code = { neutral: '01', happy: '03', sad: '04' }[emotion];
  const dir = sharedPath('ravdess-3class', `Actor_${String(actor).padStart(2, '0')}`);
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.split('-')[2] === code && f.split('-')[5] === '01')
    .sort();
  const file = files[index];
  if (file === undefined) throw new Error(`only ${files.length} ${emotion} clips for actor ${actor}`);
  return fs.readFileSync(path.join(dir, file));
}

/** Opus packets decoded the way the bot decodes a voice channel clip (16 kHz mono, frame by frame). */
export function opusClipPcm(packets: readonly Buffer[]): Pcm {
  const decoder = new OpusFrameDecoder();
  try {
    for (const packet of packets) decoder.decode(packet);
    return decoder.pcm();
  } finally {
    decoder.close();
  }
}

/**
 * What a Discord client would transmit of a recorded clip: its voice activity detection opens a
 * little before speech and holds `hangoverFrames` (20 ms each) after it, and sends nothing for the
 * room tone around it (the stand-in then sends the five silence frames that end a transmission).
 */
export function asClientSends(packets: readonly Buffer[], hangoverFrames = 10): Buffer[] {
  const decoder = new OpusFrameDecoder();
  let levels: number[];
  try {
    levels = packets.map((p) => decoder.decode(p));
  } finally {
    decoder.close();
  }
  const peak = Math.max(...levels);
  const voiced = levels.map((l) => l > peak - 35 && l > -60);
  const first = voiced.indexOf(true);
  const last = voiced.lastIndexOf(true);
  if (first < 0) return [];
  return packets.slice(Math.max(0, first - 5), Math.min(packets.length, last + 1 + hangoverFrames));
}
