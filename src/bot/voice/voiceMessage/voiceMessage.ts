/**
 * Spoken answers as a Discord voice message: Ogg Opus at 48 kHz mono, its duration, and a waveform of
 * up to 256 amplitude bytes (base64), which is what a voice-message attachment carries.
 */
// The reply core's PCM modules directly, not its index: the encoder's worker thread loads this file
// and needs none of the answerers or speech engines.
import { OpusEncoder } from '../../../ml/audio/opus';
import { resampleChunk } from '../../../reply/speech/pcm';
import type { PcmChunk } from '../../../reply/types';
import { muxOggOpus } from './oggOpus';

/** Voice messages are Opus at its full rate, 48 kHz. */
const OPUS_RATE = OpusEncoder.SAMPLE_RATE;

/** 20 ms at 48 kHz: Opus's usual voice frame. */
const FRAME_SIZE = 960;
/** libopus's encoder delay at 48 kHz (2.5 ms look-ahead + 4 ms delay compensation) = 312 samples. */
const PRE_SKIP = 312;
/** Discord's voice messages are about 32 kb/s mono; speech stays clear at that rate. */
const BITRATE = 32000;
/** Discord draws at most 256 waveform bars. */
const MAX_WAVEFORM_POINTS = 256;
/** About ten bars per second for short clips, as Discord's own clients record them. */
const WAVEFORM_POINTS_PER_SECOND = 10;

export interface VoiceMessage {
  /** Ogg Opus bytes (content type audio/ogg). */
  ogg: Uint8Array;
  /** Duration in seconds (float, as Discord's `duration_secs`). */
  durationSecs: number;
  /** Up to 256 amplitude bytes (0–255), base64. */
  waveformBase64: string;
}

/** Amplitude bytes for the waveform: RMS per segment, scaled so the loudest segment is 255. */
export function waveform(samples: Int16Array, sampleRate: number): Uint8Array {
  const seconds = samples.length / sampleRate;
  const points = Math.max(
    1,
    Math.min(MAX_WAVEFORM_POINTS, Math.ceil(seconds * WAVEFORM_POINTS_PER_SECOND), samples.length),
  );
  const rms = new Float64Array(points);
  for (let p = 0; p < points; p++) {
    const start = Math.floor((p * samples.length) / points);
    const end = Math.max(start + 1, Math.floor(((p + 1) * samples.length) / points));
    let sum = 0;
    for (let i = start; i < end; i++) sum += samples[i]! * samples[i]!;
    rms[p] = Math.sqrt(sum / (end - start));
  }
  const loudest = Math.max(...rms);
  return Uint8Array.from(rms, (v) => (loudest > 0 ? Math.round((255 * v) / loudest) : 0));
}

/**
 * Encode mono PCM as a voice message. Rejects with a RangeError on empty audio: there is nothing to
 * send, and callers build the PCM themselves (an empty answer is a programming error, not user input).
 */
export function toVoiceMessage(pcm: PcmChunk): Promise<VoiceMessage> {
  // The executor's throw becomes the rejection, as from an async function.
  return new Promise((resolve) => resolve(encodeVoiceMessage(pcm)));
}

function encodeVoiceMessage(pcm: PcmChunk): VoiceMessage {
  if (pcm.samples.length === 0) throw new RangeError('cannot make a voice message from empty audio');
  const mono = resampleChunk(pcm, OPUS_RATE);
  const encoder = new OpusEncoder(BITRATE);
  const packets: Uint8Array[] = [];
  try {
    // Encode past the end by the pre-skip so the encoder's look-ahead has flushed the last real sample.
    const needed = mono.length + PRE_SKIP;
    const frames = Math.ceil(needed / FRAME_SIZE);
    const frame = Buffer.alloc(FRAME_SIZE * 2);
    for (let f = 0; f < frames; f++) {
      frame.fill(0);
      const start = f * FRAME_SIZE;
      const end = Math.min(mono.length, start + FRAME_SIZE);
      for (let i = start; i < end; i++) frame.writeInt16LE(mono[i]!, (i - start) * 2);
      packets.push(encoder.encode(frame, FRAME_SIZE));
    }
  } finally {
    encoder.close();
  }
  const ogg = muxOggOpus(packets, {
    channels: 1,
    preSkip: PRE_SKIP,
    frameSize: FRAME_SIZE,
    totalSamples: mono.length,
    // A fixed serial keeps the output deterministic; each file holds a single stream, so none can clash.
    serial: 0x41747475, // "Attu"
    vendor: 'Attune (libopus via opusscript)',
  });
  return {
    ogg,
    durationSecs: mono.length / OPUS_RATE,
    waveformBase64: Buffer.from(waveform(mono, OPUS_RATE)).toString('base64'),
  };
}
