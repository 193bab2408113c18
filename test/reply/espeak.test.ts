import { EspeakEngine, collectChunks, espeakSettingsFor, prosodyFor, renderSpeech } from '../../src/reply';
import { discordPcmChunks } from '../../src/bot/voice/discordPcm';
import { activeRms, medianF0 } from './signals';

const SENTENCE = 'I found the answer to your question, and here it is.';

describe('EspeakEngine (offline, in a worker thread)', () => {
  const engine = new EspeakEngine();
  afterAll(() => engine.close());

  it('speaks the same sentence with measurably different prosody per emotion', async () => {
    const measured: Record<string, { f0: number; seconds: number; rms: number }> = {};
    for (const emotion of ['happy', 'neutral', 'sad']) {
      const pcm = await collectChunks(engine.synthesize(SENTENCE, { emotion, intensity: 1 }));
      expect(pcm.sampleRate).toBe(22050);
      measured[emotion] = {
        f0: medianF0(pcm.samples, pcm.sampleRate),
        seconds: pcm.samples.length / pcm.sampleRate,
        rms: activeRms(pcm.samples),
      };
    }
    const { happy, neutral, sad } = measured as Record<
      'happy' | 'neutral' | 'sad',
      { f0: number; seconds: number; rms: number }
    >;
    // Pitch: happy > neutral > sad, each by at least a couple of semitones (12·log2 ratio).
    expect(neutral.f0).toBeGreaterThan(70);
    expect(12 * Math.log2(happy.f0 / neutral.f0)).toBeGreaterThan(2);
    expect(12 * Math.log2(neutral.f0 / sad.f0)).toBeGreaterThan(2);
    // Duration: sad is slower than neutral, which is slower than happy.
    expect(sad.seconds).toBeGreaterThan(neutral.seconds * 1.15);
    expect(neutral.seconds).toBeGreaterThan(happy.seconds * 1.05);
    // Loudness: happy louder than sad.
    expect(happy.rms).toBeGreaterThan(sad.rms * 1.5);
  });

  it('follows intensity: a half-strength sad voice lies between neutral and full sad', async () => {
    const secondsAt = async (intensity: number) => {
      const pcm = await collectChunks(engine.synthesize(SENTENCE, { emotion: 'sad', intensity }));
      return pcm.samples.length / pcm.sampleRate;
    };
    const [none, half, full] = [await secondsAt(0), await secondsAt(0.5), await secondsAt(1)];
    expect(half).toBeGreaterThan(none);
    expect(full).toBeGreaterThan(half);
  });

  it('streams: a two-sentence reply arrives in several chunks', async () => {
    let chunks = 0;
    for await (const chunk of engine.synthesize('First sentence here. And a second one follows it.', {
      emotion: null,
      intensity: 0,
    })) {
      expect(chunk.samples.length).toBeGreaterThan(0);
      chunks++;
    }
    expect(chunks).toBeGreaterThan(1);
  });

  it('converts to 48 kHz stereo s16le for @discordjs/voice', async () => {
    const text = 'Hello there.';
    const mono = await collectChunks(engine.synthesize(text, { emotion: null, intensity: 0 }));
    const parts: Buffer[] = [];
    for await (const b of discordPcmChunks(engine.synthesize(text, { emotion: null, intensity: 0 }))) parts.push(b);
    const bytes = Buffer.concat(parts);
    const frames = bytes.length / 4;
    expect(frames / 48000).toBeCloseTo(mono.samples.length / mono.sampleRate, 2);
    for (let i = 0; i < bytes.length; i += 4 * 997) expect(bytes.readInt16LE(i)).toBe(bytes.readInt16LE(i + 2));
  });

  it('yields nothing for empty text and rejects empty or oversized text through renderSpeech', async () => {
    expect((await collectChunks(engine.synthesize('  ', { emotion: 'happy', intensity: 1 }))).samples.length).toBe(0);
    expect(await renderSpeech(engine, '', { emotion: null, intensity: 0 })).toMatchObject({ ok: false, code: 'empty' });
    expect(await renderSpeech(engine, 'word '.repeat(2000), { emotion: null, intensity: 0 })).toMatchObject({
      ok: false,
      code: 'too_large',
    });
  });

  it('survives odd text (markup, emoji, control characters, a 300-letter word)', async () => {
    const r = await renderSpeech(engine, `<b>hi</b> 🦄 \u0000 ${'a'.repeat(300)}.`, { emotion: 'sad', intensity: 1 });
    expect(r.ok).toBe(true);
  });

  it('fails clearly for an unknown voice', async () => {
    const bad = new EspeakEngine({ voice: 'xx-nonexistent' });
    await expect(collectChunks(bad.synthesize('Hello.', { emotion: null, intensity: 0 }))).rejects.toThrow(
      /no voice "xx-nonexistent"/u,
    );
    await bad.close();
  });
});

describe('prosody mapping', () => {
  it('maps emotions onto eSpeak settings around its neutral voice', () => {
    expect(espeakSettingsFor({ emotion: 'neutral', intensity: 1 })).toEqual({
      wpm: 175,
      pitch: 50,
      range: 50,
      volume: 100,
    });
    expect(espeakSettingsFor({ emotion: 'happy', intensity: 1 })).toEqual({
      wpm: 207,
      pitch: 79,
      range: 85,
      volume: 130,
    });
    expect(espeakSettingsFor({ emotion: 'sad', intensity: 1 })).toEqual({ wpm: 133, pitch: 27, range: 18, volume: 62 });
    expect(espeakSettingsFor({ emotion: 'sad', intensity: 0 })).toEqual({
      wpm: 175,
      pitch: 50,
      range: 50,
      volume: 100,
    });
  });

  it('treats bad intensities as neutral or clamps them', () => {
    expect(prosodyFor({ emotion: 'happy', intensity: Number.NaN })).toEqual({ rate: 1, pitch: 1, range: 1, gain: 1 });
    expect(prosodyFor({ emotion: 'happy', intensity: 7 })).toEqual(prosodyFor({ emotion: 'happy', intensity: 1 }));
  });

  it('replaces its worker after it spoke and sat idle, and speaks the same afterwards', async () => {
    const recycling = new EspeakEngine({ recycleIdleMs: 300 });
    try {
      const before = await collectChunks(recycling.synthesize('Hello there.', { emotion: null, intensity: 0 }));
      await new Promise((r) => setTimeout(r, 1500));
      expect(recycling.recycled).toBe(1);
      const after = await collectChunks(recycling.synthesize('Hello there.', { emotion: null, intensity: 0 }));
      // (eSpeak carries a little state from one sentence to the next: a few samples either way.)
      expect(Math.abs(after.samples.length - before.samples.length)).toBeLessThan(0.01 * before.samples.length);
    } finally {
      await recycling.close();
    }
  });
});
