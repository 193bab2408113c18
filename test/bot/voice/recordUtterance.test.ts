import type { ReceiveEvent, ReceiveSink } from '../../../src/bot/voice/ReceivePath';
import {
  recordUtterance,
  type RecordOptions,
  type RecordResult,
  type Utterance,
} from '../../../src/bot/voice/recordUtterance';
import { encodeOpusPackets, sineWave } from '../../standin';

/** A receive path the test drives frame by frame, in fake time. */
class FakePath {
  sink: ReceiveSink | undefined;
  sequence = 100;
  listen(_userId: string, sink: ReceiveSink): () => void {
    this.sink = sink;
    return () => (this.sink = undefined);
  }
  private emit(make: (sequence: number, at: number) => ReceiveEvent): void {
    this.sequence = (this.sequence + 1) & 0xffff;
    this.sink?.(make(this.sequence, Date.now()));
  }
  audio(opus: Buffer): void {
    this.emit((sequence, at) => ({ type: 'audio', opus, sequence, at }));
  }
  silence(): void {
    this.emit((sequence, at) => ({ type: 'silence', sequence, at }));
  }
  dropped(reason: 'dave_failed' | 'transport' | 'empty' | 'dave_not_ready'): void {
    this.emit((sequence, at) => ({ type: 'dropped', reason, speech: reason !== 'empty', sequence, at }));
  }
}

const tone = encodeOpusPackets(sineWave(2, 220, 0.3));
const hush = encodeOpusPackets(new Float32Array(48000 * 2)); // digital silence, still Opus frames
const ASK: RecordOptions = { startTimeoutMs: 5_000, maxMs: 15_000, end: { afterStopMs: 40, gapMs: 300, quietMs: 700 } };

/** Sends frames 20 ms apart in fake time. */
async function send(
  path: FakePath,
  kind: 'tone' | 'hush' | 'silence' | 'dave_failed' | 'transport' | 'empty' | 'dave_not_ready',
  frames: number,
): Promise<void> {
  for (let i = 0; i < frames; i++) {
    if (kind === 'tone') path.audio(tone[i % tone.length]!);
    else if (kind === 'hush') path.audio(hush[i % hush.length]!);
    else if (kind === 'silence') path.silence();
    else path.dropped(kind);
    await jest.advanceTimersByTimeAsync(20);
  }
}

function value(r: RecordResult): Utterance {
  if (!r.ok) throw new Error(`recording failed: ${r.code} ${r.message}`);
  return r.value;
}

const seconds = (u: Utterance) => u.pcm.samples.length / u.pcm.sampleRate;

describe('recordUtterance: end of speech', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  test('ends right after the client stops (five silence frames), with the audio decoded at 16 kHz', async () => {
    const path = new FakePath();
    const recording = recordUtterance(path, 'u', ASK);
    await send(path, 'tone', 50);
    await send(path, 'silence', 5);
    const stopAt = Date.now() - 20;
    await jest.advanceTimersByTimeAsync(100);
    const u = value(await recording);
    expect(u.endReason).toBe('client_stopped');
    expect(u.endedAt - stopAt).toBeLessThanOrEqual(ASK.end.afterStopMs + 1);
    expect(u.pcm.sampleRate).toBe(16000);
    expect(seconds(u)).toBeCloseTo(1.0, 5);
    expect(u.counts).toMatchObject({ audio: 50, silence: 5, concealed: 0 });
  });

  test('a 400 ms pause in the middle (the client keeps sending quiet frames) does not end it', async () => {
    const path = new FakePath();
    const recording = recordUtterance(path, 'u', ASK);
    await send(path, 'tone', 40);
    await send(path, 'hush', 20); // 400 ms
    await send(path, 'tone', 40);
    await send(path, 'silence', 5);
    await jest.advanceTimersByTimeAsync(100);
    const u = value(await recording);
    expect(u.endReason).toBe('client_stopped');
    expect(seconds(u)).toBeCloseTo(2.0, 5);
  });

  test('an open microphone (never stops sending) ends after 700 ms under the speech level', async () => {
    const path = new FakePath();
    const recording = recordUtterance(path, 'u', ASK);
    await send(path, 'hush', 40); // room tone before speaking never ends it
    await send(path, 'tone', 30);
    await send(path, 'hush', 50);
    const u = value(await recording);
    expect(u.endReason).toBe('quiet');
    // The first quiet frame may still carry the decoder's tail of the tone: one frame of slack.
    expect(seconds(u)).toBeGreaterThanOrEqual(0.8 + 0.6 + 0.7 - 1e-9);
    expect(seconds(u)).toBeLessThanOrEqual(0.8 + 0.6 + 0.7 + 0.02 + 1e-9);
  });

  test('packets that stop without silence frames end it after the gap', async () => {
    const path = new FakePath();
    const recording = recordUtterance(path, 'u', ASK);
    await send(path, 'tone', 25);
    const last = Date.now() - 20;
    await jest.advanceTimersByTimeAsync(400);
    const u = value(await recording);
    expect(u.endReason).toBe('gap');
    expect(u.endedAt - last).toBeGreaterThanOrEqual(ASK.end.gapMs);
  });

  test('40 undecryptable frames mid-sentence keep it going and keep its length (as silence)', async () => {
    const path = new FakePath();
    const recording = recordUtterance(path, 'u', ASK);
    await send(path, 'tone', 30);
    await send(path, 'dave_failed', 40);
    await send(path, 'tone', 30);
    await send(path, 'silence', 5);
    await jest.advanceTimersByTimeAsync(100);
    const u = value(await recording);
    expect(u.endReason).toBe('client_stopped');
    expect(u.counts.dropped.dave_failed).toBe(40);
    expect(u.counts.concealed).toBe(40);
    expect(seconds(u)).toBeCloseTo(2.0, 5);
    // The concealed stretch is silence, not noise.
    const middle = u.pcm.samples.subarray(16000 * 0.62, 16000 * 1.38);
    expect(Math.max(...middle.map(Math.abs))).toBe(0);
  });

  test('40 padding-only packets mid-sentence keep it going and add nothing', async () => {
    const path = new FakePath();
    const recording = recordUtterance(path, 'u', ASK);
    await send(path, 'tone', 30);
    await send(path, 'empty', 40);
    await send(path, 'tone', 30);
    await send(path, 'silence', 5);
    await jest.advanceTimersByTimeAsync(100);
    const u = value(await recording);
    expect(u.endReason).toBe('client_stopped');
    expect(u.counts.dropped.empty).toBe(40);
    expect(u.counts.concealed).toBe(0);
    expect(seconds(u)).toBeCloseTo(1.2, 5);
  });

  test('speech resumed after a client stop (within the grace) continues the same utterance', async () => {
    const path = new FakePath();
    const recording = recordUtterance(path, 'u', { ...ASK, end: { ...ASK.end, afterStopMs: 300 } });
    await send(path, 'tone', 20);
    await send(path, 'silence', 5);
    await jest.advanceTimersByTimeAsync(150);
    await send(path, 'tone', 20);
    await send(path, 'silence', 5);
    await jest.advanceTimersByTimeAsync(400);
    expect(seconds(value(await recording))).toBeCloseTo(0.8, 5);
  });

  test('the length cap', async () => {
    const path = new FakePath();
    const recording = recordUtterance(path, 'u', { ...ASK, maxMs: 1_000 });
    await send(path, 'tone', 80);
    const u = value(await recording);
    expect(u.endReason).toBe('max_length');
    expect(seconds(u)).toBeCloseTo(1.0, 5);
  });
});

describe('recordUtterance: before speech', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  test('nothing said in time: silence; silence frames, padding and stray drops do not start it', async () => {
    const path = new FakePath();
    const recording = recordUtterance(path, 'u', { ...ASK, startTimeoutMs: 1_000 });
    await send(path, 'silence', 5);
    await send(path, 'empty', 5);
    await send(path, 'transport', 3);
    await jest.advanceTimersByTimeAsync(1_000);
    const r = await recording;
    expect(r.ok ? 'ok' : r.code).toBe('silence');
  });

  test('talking heard but never decryptable: a decryption failure, not "you said nothing"', async () => {
    const path = new FakePath();
    const recording = recordUtterance(path, 'u', { ...ASK, startTimeoutMs: 1_000 });
    await send(path, 'dave_not_ready', 40);
    await jest.advanceTimersByTimeAsync(1_000);
    const r = await recording;
    expect(r.ok ? 'ok' : r.code).toBe('undecryptable');
  });

  test('frames before the session is ready are never part of the clip; the clip starts with the first readable one', async () => {
    const path = new FakePath();
    let started = 0;
    const recording = recordUtterance(path, 'u', { ...ASK, onStart: () => started++ });
    await send(path, 'dave_not_ready', 30);
    expect(started).toBe(0);
    await send(path, 'tone', 25);
    await send(path, 'silence', 5);
    await jest.advanceTimersByTimeAsync(100);
    const u = value(await recording);
    expect(started).toBe(1);
    expect(u.counts.concealed).toBe(0);
    expect(seconds(u)).toBeCloseTo(0.5, 5);
  });

  test('abort stops it and releases the listener', async () => {
    const path = new FakePath();
    const abort = new AbortController();
    const recording = recordUtterance(path, 'u', { ...ASK, signal: abort.signal });
    await send(path, 'tone', 5);
    abort.abort();
    const r = await recording;
    expect(r.ok).toBe(false);
    expect(path.sink).toBeUndefined();
  });
});
