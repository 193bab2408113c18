import { measureVoiceSpeed } from '../../../bench/voiceSpeed';
import { concat, encodeOggOpus, harmonicTone, noise } from './signals';

// Speed itself is measured by scripts/voice-bench.ts and the bench CLI, not asserted here: these
// tests check what the measurement reports and when it refuses to measure.
describe('measureVoiceSpeed', () => {
  const clip = encodeOggOpus(
    concat(noise(0.5, 48000, 1e-4), harmonicTone(170, 1.5, 48000, 0.3), noise(0.5, 48000, 1e-4, 2)),
  );

  it('reports the clip length and a consistent median', async () => {
    const r = await measureVoiceSpeed(clip, 3);
    expect(r.clip_seconds).toBeCloseTo(2.5, 3);
    expect(r.voice_ms_median).toBeGreaterThan(0);
    expect(r.voice_x_realtime).toBeCloseTo((r.clip_seconds * 1000) / r.voice_ms_median, 6);
  });

  it('refuses clips that do not decode or hold no speech, and bad run counts', async () => {
    await expect(measureVoiceSpeed(new Uint8Array(10), 3)).rejects.toThrow(/does not decode/);
    await expect(measureVoiceSpeed(encodeOggOpus(new Float32Array(48000)), 3)).rejects.toThrow(/no usable speech/);
    await expect(measureVoiceSpeed(clip, 0)).rejects.toThrow(RangeError);
  });
});
