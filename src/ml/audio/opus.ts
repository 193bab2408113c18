/**
 * libopus (via opusscript's WASM build), the one wrapper: decoding to mono at the analysis rate for
 * files and voice-channel frames alike, encoding for voice messages, and Ogg Opus files to PCM.
 * libopus can synthesise any of its native rates directly, so it is asked for 16 kHz mono: no
 * resampling pass, a third of the output samples, and a stereo stream is downmixed by the decoder.
 */
import OpusScript from 'opusscript';
import { fail, ok, type Pcm, type Result } from '../types';
import { ANALYSIS_SAMPLE_RATE } from './constants';
import { demuxOgg } from './ogg';

/** Opus always counts granule positions and pre-skip at 48 kHz. */
const OPUS_CLOCK = 48000;
const RATE_DIVISOR = OPUS_CLOCK / ANALYSIS_SAMPLE_RATE;
/** OPUS_RESET_STATE: clears decoder history so one instance can serve stream after stream. */
const OPUS_RESET_STATE = 4028;
/** Opus packets are at least 2.5 ms, so at most 400 per second. */
const MAX_PACKETS_PER_SECOND = 400;

/** OPUS_SET_BITRATE: the encoder's target bits per second. */
const OPUS_SET_BITRATE = 4002;

/**
 * Decodes Opus packets to mono signed 16-bit samples at the analysis rate, whatever the stream's
 * channels (libopus downmixes). Holds a WASM instance: {@link close} it when done.
 */
export class OpusDecoder {
  private readonly opus = new OpusScript(ANALYSIS_SAMPLE_RATE, 1, OpusScript.Application.AUDIO);
  private closed = false;

  /** The packet's samples (a view valid until the next call); throws on a packet libopus refuses. */
  decode(packet: Uint8Array): Int16Array {
    const pcm = this.opus.decode(Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength));
    return new Int16Array(pcm.buffer, pcm.byteOffset, pcm.byteLength >> 1);
  }

  /** Forgets the previous stream, so one decoder can serve stream after stream. */
  reset(): void {
    this.opus.decoderCTL(OPUS_RESET_STATE, 0);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.opus.delete();
  }
}

/** Encodes mono 48 kHz frames for speech (VoIP mode) at a fixed bitrate. Holds a WASM instance: {@link close} it. */
export class OpusEncoder {
  /** Opus's full rate, the one voice messages are made at. */
  static readonly SAMPLE_RATE = OPUS_CLOCK;
  private readonly opus = new OpusScript(OPUS_CLOCK, 1, OpusScript.Application.VOIP);
  private closed = false;

  constructor(bitrate: number) {
    this.opus.encoderCTL(OPUS_SET_BITRATE, bitrate);
  }

  /** One packet from one frame of `frameSize` samples (s16le bytes). */
  encode(frame: Buffer, frameSize: number): Uint8Array {
    return Uint8Array.from(this.opus.encode(frame, frameSize));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.opus.delete();
  }
}

let decoder: OpusDecoder | null = null;

function sharedDecoder(): OpusDecoder {
  // One WASM decoder for the whole process's files: creating one costs far more than decoding a clip.
  decoder ??= new OpusDecoder();
  return decoder;
}

/** What an OpusHead packet says about the stream. */
interface OpusHead {
  channels: number;
  preSkip: number;
  gainDb: number;
}

function parseOpusHead(packet: Uint8Array): Result<OpusHead> {
  const magic = 'OpusHead';
  if (packet.length < 19 || String.fromCharCode(...packet.subarray(0, 8)) !== magic) {
    return fail(
      'unsupported_format',
      'this Ogg file does not hold Opus audio (no OpusHead); only Ogg Opus is supported',
    );
  }
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const version = packet[8]!;
  if (version >> 4 !== 0) return fail('unsupported_format', `Ogg Opus version ${version} is not supported`);
  const channels = packet[9]!;
  const mappingFamily = packet[18]!;
  if (channels === 0) return fail('corrupt', 'OpusHead declares zero channels');
  if (mappingFamily !== 0) {
    // Families 1/255 carry a stream table; a single coupled or uncoupled stream decodes like family 0.
    const streams = packet.length > 19 ? packet[19]! : 0;
    if (streams !== 1) {
      return fail(
        'unsupported_format',
        `Ogg Opus with ${channels} channels in ${streams} streams is not supported (mono or stereo only)`,
      );
    }
  }
  return ok({ channels, preSkip: view.getUint16(10, true), gainDb: view.getInt16(16, true) / 256 });
}

/**
 * Decode an Ogg Opus file to mono PCM at {@link ANALYSIS_SAMPLE_RATE}, honouring pre-skip, output
 * gain and the end trim given by the last granule position.
 */
export function decodeOggOpus(bytes: Uint8Array, maxSeconds: number): Result<Pcm> {
  const demuxed = demuxOgg(bytes, Math.ceil(maxSeconds * MAX_PACKETS_PER_SECOND) + 2);
  if (!demuxed.ok) {
    return demuxed.code === 'too_long' ? fail('too_long', `the recording is longer than ${maxSeconds} s`) : demuxed;
  }
  const { packets, lastGranule } = demuxed.value;
  if (packets.length === 0) return fail('corrupt', 'the Ogg file holds no packets');
  const head = parseOpusHead(packets[0]!);
  if (!head.ok) return head;
  const { preSkip, gainDb } = head.value;
  const declared48 = lastGranule > 0 ? lastGranule - preSkip : -1;
  if (declared48 > maxSeconds * OPUS_CLOCK) return fail('too_long', `the recording is longer than ${maxSeconds} s`);

  const opus = sharedDecoder();
  opus.reset();
  const maxSamples = Math.ceil(maxSeconds * ANALYSIS_SAMPLE_RATE) + Math.ceil(preSkip / RATE_DIVISOR);
  let out = new Float32Array(
    Math.max(1024, Math.min(maxSamples, (declared48 > 0 ? declared48 / RATE_DIVISOR : 16000) + 4096)),
  );
  let length = 0;
  const gain = 10 ** (gainDb / 20) / 32768;
  // Packet 1 is OpusTags; audio starts at packet 2.
  for (let p = 2; p < packets.length; p++) {
    const packet = packets[p]!;
    if (packet.length === 0) continue;
    let frame: Int16Array;
    try {
      frame = opus.decode(packet);
    } catch (error) {
      return fail('corrupt', `Opus packet ${p} could not be decoded (${(error as Error).message})`);
    }
    if (length + frame.length > maxSamples) return fail('too_long', `the recording is longer than ${maxSeconds} s`);
    if (length + frame.length > out.length) {
      const grown = new Float32Array(Math.min(maxSamples, Math.max(out.length * 2, length + frame.length)));
      grown.set(out.subarray(0, length));
      out = grown;
    }
    for (let i = 0; i < frame.length; i++) out[length + i] = frame[i]! * gain;
    length += frame.length;
  }
  const skip = Math.min(length, Math.round(preSkip / RATE_DIVISOR));
  let end = length;
  if (declared48 >= 0) end = Math.min(length, skip + Math.ceil(declared48 / RATE_DIVISOR));
  if (end <= skip) return fail('corrupt', 'the Ogg Opus stream holds no audio');
  return ok({ samples: out.slice(skip, end), sampleRate: ANALYSIS_SAMPLE_RATE });
}
