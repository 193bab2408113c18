import { encodeOpusPackets } from '../audio/opus';
import { SILENCE_FRAME } from './rtp';

/** A pause inside an utterance. */
export interface SpeechPause {
  /** Index of the audio packet after which the pause starts. */
  afterFrame: number;
  ms: number;
  /**
   * `quiet`: the client keeps sending real (near-silent, about -66 dBFS) Opus frames for `ms`, DAVE-encrypted
   * like any audio. `stop`: it sends 5 silence frames (f8 ff fe), then nothing for `ms`, then resumes
   * (sequence +1, timestamp advanced by the gap as the sender's clock ran on).
   */
  kind: 'quiet' | 'stop';
}

/** A burst of padding-only RTP packets (P bit, payload = padding only) on the speaker's SSRC. */
export interface PaddingBurst {
  /** Index of the audio packet after which the burst is sent (-1: before the first). */
  afterFrame: number;
  /** Packets (default 40). */
  count?: number;
  /** Padding bytes per packet, 1-255 (default 224, WebRTC's largest probe). */
  bytes?: number;
  /** Pacing, ms (default 20). */
  intervalMs?: number;
}

/** Options of `speak`. */
export interface SpeakOptions {
  /** Pacing between packets, ms (default 20, real time). Timestamps always advance 960 per frame. */
  frameMs?: number;
  /** Silence frames (f8 ff fe) after the audio, as Discord clients send (default 5). */
  silenceFrames?: number;
  /** Frame indexes (audio packets, then the trailing silence frames) sent with a broken transport auth tag. */
  corruptAt?: readonly number[];
  /** Audio packet indexes whose DAVE ciphertext gets a flipped byte (transport encryption intact). */
  daveCorruptAt?: readonly number[];
  /** Send op 5 SPEAKING before the audio (default true); without it the bot cannot attribute the SSRC. */
  announce?: boolean;
  /** RTP padding on normal packets: P bit and `bytes` padding bytes inside the encrypted payload (RFC 3550). */
  rtpPadding?: { bytes: number; /** Frame indexes to pad (default: every frame). */ frames?: readonly number[] };
  /** CSRC list (CC > 0) on every packet of this utterance; part of the unencrypted header and the AAD. */
  csrcs?: readonly number[];
  /** Pauses inside the utterance. */
  pauses?: readonly SpeechPause[];
  /** Padding-only packet bursts inside the utterance. */
  paddingBursts?: readonly PaddingBurst[];
}

/** What `speak` did. */
export interface SpeakResult {
  ssrc: number;
  /** The caller's audio packets sent. */
  packetsSent: number;
  /** Trailing silence frames sent. */
  silenceSent: number;
  /** Frames a pause added (near-silent audio for `quiet`, silence frames for `stop`). */
  pauseFramesSent: number;
  paddingPacketsSent: number;
  /** Frames that left DAVE-encrypted. */
  e2eeFrames: number;
  /** Audio frames (not silence) that left without DAVE although the call uses it: the user's session was not ready. */
  unencryptedAudioFrames: number;
  startedAt: number;
  endedAt: number;
}

/** One thing `speak` sends, at `at` ms after it starts. */
export type SpeechStep =
  | {
      kind: 'frame';
      at: number;
      opus: Buffer;
      /** Index in audio + trailing silence (what corruptAt, daveCorruptAt and rtpPadding.frames count); undefined for pause frames. */
      index: number | undefined;
      role: 'audio' | 'silence' | 'pause';
      /** Extra timestamp advance before this frame (samples), after a `stop` pause. */
      timestampGap: number;
    }
  | { kind: 'padding'; at: number; bytes: number };

let quietFrame: Buffer | undefined;

/** A real Opus frame of very quiet noise (not the f8 ff fe silence marker). */
export function nearSilentFrame(): Buffer {
  if (!quietFrame) {
    let seed = 1;
    const pcm = Float32Array.from({ length: 960 * 3 }, () => {
      seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
      return (seed / 0x7fffffff - 0.5) * 0.001;
    });
    const frame = encodeOpusPackets(pcm).at(-1);
    if (!frame) throw new Error('the Opus encoder produced no frame');
    quietFrame = frame;
  }
  return quietFrame;
}

/** Lays out an utterance in time: audio frames, pauses, padding bursts, then the trailing silence frames. */
export function planSpeech(packets: readonly Buffer[], options: SpeakOptions = {}): SpeechStep[] {
  const frameMs = options.frameMs ?? 20;
  const steps: SpeechStep[] = [];
  let at = 0;
  let gap = 0;
  const frame = (opus: Buffer, index: number | undefined, role: 'audio' | 'silence' | 'pause'): void => {
    steps.push({ kind: 'frame', at, opus, index, role, timestampGap: gap });
    gap = 0;
    at += frameMs;
  };
  const insertions = (after: number): void => {
    for (const burst of options.paddingBursts ?? []) {
      if (burst.afterFrame !== after) continue;
      for (let i = 0; i < (burst.count ?? 40); i++) {
        steps.push({ kind: 'padding', at, bytes: burst.bytes ?? 224 });
        at += burst.intervalMs ?? 20;
      }
    }
    for (const pause of options.pauses ?? []) {
      if (pause.afterFrame !== after) continue;
      if (pause.kind === 'quiet') {
        for (let i = 0; i < Math.ceil(pause.ms / frameMs); i++) frame(nearSilentFrame(), undefined, 'pause');
      } else {
        for (let i = 0; i < 5; i++) frame(SILENCE_FRAME, undefined, 'pause');
        at += pause.ms;
        gap = Math.round(pause.ms * 48);
      }
    }
  };
  insertions(-1);
  packets.forEach((packet, index) => {
    frame(packet, index, 'audio');
    insertions(index);
  });
  for (let i = 0; i < (options.silenceFrames ?? 5); i++) frame(SILENCE_FRAME, packets.length + i, 'silence');
  return steps;
}
