import fs from 'node:fs';
import path from 'node:path';
import { decodeAudio } from '../../../src/ml/audio/decode';
import { analyzeVoice } from '../../../src/ml/audio/features';
import { describeWithData, sharedPath } from '../../helpers/sharedData';

const read = (file: string): Uint8Array => new Uint8Array(fs.readFileSync(file));

describeWithData('real RAVDESS audio (shared data)', () => {
  const manifest = sharedPath('ravdess-3class.csv');
  const rows = fs
    .readFileSync(manifest, 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => {
      const [person, emotion, role, , voice] = line.split(',');
      return { person: person!, emotion: emotion!, role: role!, file: path.join(path.dirname(manifest), voice!) };
    });

  it('analyses every one of the 240 Ogg Opus clips', () => {
    expect(rows).toHaveLength(240);
    for (const row of rows) {
      const r = analyzeVoice(read(row.file));
      if (!r.ok) throw new Error(`${path.basename(row.file)}: ${r.code} ${r.message}`);
      // RAVDESS statements last about 1.5–3 s once the silence around them is cut.
      expect(r.value.durationSec).toBeGreaterThan(1);
      expect(r.value.durationSec).toBeLessThan(4);
      // Sad takes can be breathy or creaky (little periodic voicing), but never unvoiced throughout.
      // Loudness activity is read in the 400–3200 Hz band, where breath counts as active too: a breathy
      // sad take can be voiced in only a few percent of its active frames, but never in none.
      expect(r.value.stats.voiced_ratio).toBeGreaterThan(0);
    }
  });

  it('puts male actors (odd numbers) lower in pitch than female ones', () => {
    const medians = new Map<number, number[]>();
    for (const row of rows.filter((r) => r.emotion === 'neutral')) {
      const r = analyzeVoice(read(row.file));
      if (!r.ok) throw new Error(r.message);
      const actor = Number(row.person.slice(-2));
      medians.set(actor, [...(medians.get(actor) ?? []), r.value.stats.f0_median!]);
    }
    const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const male = [...medians].filter(([a]) => a % 2 === 1).map(([, v]) => avg(v));
    const female = [...medians].filter(([a]) => a % 2 === 0).map(([, v]) => avg(v));
    // Semitones above 100 Hz: typical male speech ~ 100–150 Hz, female ~ 180–250 Hz.
    expect(Math.max(...male)).toBeLessThan(Math.min(...female));
  });

  it('decodes the original WAV files (with the Apple FLLR chunk) like their Ogg Opus versions', () => {
    const wavDir = sharedPath('ravdess-wav-sample');
    const wavs = fs.readdirSync(wavDir).filter((f) => f.endsWith('.wav'));
    expect(wavs.length).toBe(5);
    for (const name of wavs) {
      const wav = decodeAudio(read(path.join(wavDir, name)));
      if (!wav.ok) throw new Error(`${name}: ${wav.message}`);
      expect(wav.value.sampleRate).toBe(16000);
      const ogg = path.join(sharedPath('ravdess-3class', 'Actor_01'), name.replace('.wav', '.ogg'));
      if (!fs.existsSync(ogg)) continue;
      const a = analyzeVoice(read(path.join(wavDir, name)));
      const b = analyzeVoice(read(ogg));
      if (!a.ok || !b.ok) throw new Error('analysis failed');
      // Same recording: lossy Opus at 32 kb/s may move pitch and level only slightly.
      expect(Math.abs(a.value.stats.f0_median! - b.value.stats.f0_median!)).toBeLessThan(0.5);
      expect(Math.abs(a.value.stats.level_std! - b.value.stats.level_std!)).toBeLessThan(1.5);
      // Opus reshapes the faint decay at the end of a phrase: trimming may differ by a frame or two.
      expect(Math.abs(a.value.durationSec - b.value.durationSec)).toBeLessThan(0.15);
    }
  });

  it('rejects a real clip cut in half as corrupt', () => {
    const bytes = read(rows[0]!.file);
    expect(decodeAudio(bytes.subarray(0, Math.floor(bytes.length / 2)))).toMatchObject({ ok: false, code: 'corrupt' });
  });
});
