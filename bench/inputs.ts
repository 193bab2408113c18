import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { toVoiceMessage } from '../src/bot/voice/voiceMessage';
import { EspeakEngine, renderSpeech } from '../src/reply';
import { SHARED_DATA } from '../test/helpers/dataDir';

/**
 * Inputs for the benchmark: real recordings and photos from ../shared/data where present; otherwise
 * speech synthesised offline (eSpeak NG, encoded as Ogg Opus like a Discord voice message) and the
 * face-api demo photos that ship inside its npm package, so the benchmark runs on any machine.
 * `synthetic` forces the fallback.
 */
const SHARED = SHARED_DATA;
let useShared = fs.existsSync(SHARED);

export function forceSyntheticInputs(): void {
  useShared = false;
}

const SENTENCES = [
  'Kids are talking by the door, and the dogs are sitting by the door as well.',
  'I went to the market this morning and bought some apples for the week.',
  'The train leaves at seven, so we should probably get going quite soon.',
];
const EMOTIONS = ['happy', 'neutral', 'sad'];

/** `n` spoken sentences, cycling through emotions, as Ogg Opus voice messages. */
async function synthesizedClips(n: number): Promise<Uint8Array[]> {
  const engine = new EspeakEngine();
  const out: Uint8Array[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const pcm = await renderSpeech(engine, SENTENCES[i % SENTENCES.length]!, {
        emotion: EMOTIONS[i % EMOTIONS.length]!,
        intensity: 0.5 + 0.5 * ((i >> 1) % 2),
      });
      if (!pcm.ok) throw new Error(`offline speech failed: ${pcm.message}`);
      out.push((await toVoiceMessage(pcm.value)).ogg);
    }
  } finally {
    await engine.close();
  }
  return out;
}
const DEMO = path.dirname(require.resolve('@vladmandic/face-api/package.json'));

function sharedFiles(dir: string, ext: string): string[] {
  const root = path.join(SHARED, dir);
  if (!useShared || !fs.existsSync(root)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith(ext)) out.push(p);
    }
  };
  walk(root);
  return out;
}

/** A ~4 s Ogg Opus clip: RAVDESS re-encoded as a Discord voice message, or offline speech. */
export async function benchmarkClip(): Promise<{ name: string; bytes: Uint8Array }> {
  const file = sharedFiles('ravdess-3class', '.ogg').find((f) => f.endsWith('03-01-03-02-01-01-01.ogg'));
  if (file) return { name: path.basename(file), bytes: new Uint8Array(fs.readFileSync(file)) };
  return { name: 'synthesised speech (eSpeak NG → Ogg Opus)', bytes: (await synthesizedClips(1))[0]! };
}

export async function benchmarkVoices(n: number): Promise<Uint8Array[]> {
  const files = sharedFiles('ravdess-3class', '.ogg').slice(0, n);
  if (files.length >= n) return files.map((f) => new Uint8Array(fs.readFileSync(f)));
  return synthesizedClips(n);
}

/** n face photos: Yale faces when present, else the face-api demo photos and their mirror images. */
export async function benchmarkFaces(n: number): Promise<{ name: string; bytes: Uint8Array }[]> {
  const yale = sharedFiles('yale-faces', '.jpg');
  if (yale.length >= n)
    return yale.slice(0, n).map((f) => ({ name: path.basename(f), bytes: new Uint8Array(fs.readFileSync(f)) }));
  const demo = fs
    .readdirSync(path.join(DEMO, 'demo'))
    .filter((f) => /^sample\d\.jpg$/.test(f))
    .map((f) => path.join(DEMO, 'demo', f));
  const out: { name: string; bytes: Uint8Array }[] = [];
  for (let i = 0; out.length < n; i++) {
    const file = demo[i % demo.length]!;
    let img = sharp(file).flop(Math.floor(i / demo.length) % 2 === 1);
    img = img.modulate({ brightness: 1 + 0.05 * Math.floor(i / (2 * demo.length)) });
    out.push({
      name: `${path.basename(file)}#${i}`,
      bytes: new Uint8Array(await img.jpeg({ quality: 90 }).toBuffer()),
    });
  }
  return out;
}
