import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

/**
 * Inputs for the benchmark: real recordings and photos from ../shared/data where present, otherwise
 * the face-api demo photos that ship inside its npm package (voice needs the shared clips).
 */
const SHARED = path.resolve(__dirname, '../../../shared/data');
const DEMO = path.dirname(require.resolve('@vladmandic/face-api/package.json'));

function sharedFiles(dir: string, ext: string): string[] {
  const root = path.join(SHARED, dir);
  if (!fs.existsSync(root)) return [];
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

const NO_VOICE_DATA = 'the voice benchmark reads RAVDESS clips from ../shared/data/ravdess-3class (not shipped with Attune)';

/** A ~4 s Ogg Opus clip (RAVDESS, re-encoded as a Discord voice message). */
export async function benchmarkClip(): Promise<{ name: string; bytes: Uint8Array }> {
  const file = sharedFiles('ravdess-3class', '.ogg').find((f) => f.endsWith('03-01-03-02-01-01-01.ogg'));
  if (!file) throw new Error(NO_VOICE_DATA);
  return { name: path.basename(file), bytes: new Uint8Array(fs.readFileSync(file)) };
}

export async function benchmarkVoices(n: number): Promise<Uint8Array[]> {
  const files = sharedFiles('ravdess-3class', '.ogg').slice(0, n);
  if (files.length < n) throw new Error(NO_VOICE_DATA);
  return files.map((f) => new Uint8Array(fs.readFileSync(f)));
}

/** n face photos: Yale faces when present, else the face-api demo photos and their mirror images. */
export async function benchmarkFaces(n: number): Promise<{ name: string; bytes: Uint8Array }[]> {
  const yale = sharedFiles('yale-faces', '.jpg');
  if (yale.length >= n) return yale.slice(0, n).map((f) => ({ name: path.basename(f), bytes: new Uint8Array(fs.readFileSync(f)) }));
  const demo = fs.readdirSync(path.join(DEMO, 'demo')).filter((f) => /^sample\d\.jpg$/.test(f)).map((f) => path.join(DEMO, 'demo', f));
  const out: { name: string; bytes: Uint8Array }[] = [];
  for (let i = 0; out.length < n; i++) {
    const file = demo[i % demo.length];
    let img = sharp(file).flop(Math.floor(i / demo.length) % 2 === 1);
    img = img.modulate({ brightness: 1 + 0.05 * Math.floor(i / (2 * demo.length)) });
    out.push({ name: `${path.basename(file)}#${i}`, bytes: new Uint8Array(await img.jpeg({ quality: 90 }).toBuffer()) });
  }
  return out;
}
