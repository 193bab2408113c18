/**
 * Peak memory of decoding hostile audio files: long silent MP3s under the byte limit, an MP3 whose
 * Info tag understates its length, a long WAV, an Ogg Opus whose granule position lies. Each file is
 * decoded in a fresh child process, so its peak RSS (getrusage maxrss) is its own.
 *
 * Run: npx tsx scripts/audio-memory.ts   (prints one JSON document; not part of npm test)
 */
import { spawnSync } from 'node:child_process';
import { decodeAudioAsync } from '../src/ml/audio/decode';
import { silentMp3 } from '../test/helpers/mp3';
import { ascii, oggPages, opusHead, riff } from '../test/ml/audio/signals';

const MB = 1024 * 1024;
/** The bot's default attachment limit (ATTUNE_MAX_AUDIO_MB). */
const MAX_BYTES = 8 * MB;

function wav8bit(seconds: number): Uint8Array {
  const fmt = new Uint8Array(16);
  const v = new DataView(fmt.buffer);
  v.setUint16(0, 1, true);
  v.setUint16(2, 1, true);
  v.setUint32(4, 8000, true);
  v.setUint32(8, 8000, true);
  v.setUint16(12, 1, true);
  v.setUint16(14, 8, true);
  return riff([
    { id: 'fmt ', body: fmt },
    { id: 'data', body: new Uint8Array(seconds * 8000).fill(128) },
  ]);
}

function lyingOgg(seconds: number): Uint8Array {
  const packets = [
    opusHead(),
    ascii('OpusTags\0\0\0\0\0\0\0\0'),
    ...new Array<Uint8Array>(seconds * 50).fill(Uint8Array.of(0xf8, 0xff, 0xfe)),
  ];
  return oggPages(
    packets,
    packets.map((_, i) => (i === packets.length - 1 ? 48_312 : 0)),
  );
}

const CASES: Record<string, () => Uint8Array> = {
  'mp3 20 s silent (accepted, for scale)': () => silentMp3(20),
  'mp3 10 min silent': () => silentMp3(10 * 60),
  'mp3 33 min silent': () => silentMp3(33 * 60),
  'mp3 33 min, Info tag says 1 s': () => silentMp3(33 * 60, { infoFrames: 38 }),
  'wav 10 min 8-bit 8 kHz': () => wav8bit(10 * 60),
  'ogg opus 10 min, granule says 1 s': () => lyingOgg(10 * 60),
};

async function runCase(name: string): Promise<void> {
  const bytes = CASES[name]!();
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const result = await decodeAudioAsync(bytes, { maxBytes: MAX_BYTES });
  const ms = performance.now() - t0;
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(
    JSON.stringify({
      file: name,
      bytes: bytes.length,
      outcome: result.ok ? `ok (${(result.value.samples.length / 16000).toFixed(1)} s)` : result.code,
      ms: Math.round(ms),
      rss_before_mb: Math.round(rssBefore / MB),
      rss_peak_growth_mb: Math.round(Math.max(0, peak - rssBefore) / MB),
    }),
  );
}

function main(): void {
  const at = process.argv.indexOf('--case');
  if (at >= 0) {
    void runCase(process.argv[at + 1]!);
    return;
  }
  const results = Object.keys(CASES).map((name) => {
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, '--case', name], {
      encoding: 'utf8',
      maxBuffer: 16 * MB,
    });
    if (child.status !== 0) return { file: name, error: child.stderr.trim().split('\n').slice(-3).join(' ') };
    return JSON.parse(child.stdout) as Record<string, unknown>;
  });
  process.stdout.write(`${JSON.stringify({ max_bytes: MAX_BYTES, results }, null, 2)}\n`);
}

main();
