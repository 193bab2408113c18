import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { initTf } from '../src/ml/tf';
import { analyzeFace, type AnalyzeFaceOptions } from '../src/ml/face';

/** What `measureFaceSpeed` reports. */
export interface FaceSpeed {
  /** Median milliseconds from 1280×720 JPEG bytes to all features (decode, detect, landmarks, expressions, descriptor). */
  face_ms_720p: number;
  /** The same without the identity descriptor (`analyzeFace(bytes, { descriptor: false })`). */
  face_ms_720p_no_descriptor: number;
  /**
   * Median CPU time of this process per full analysis, ms. On a shared machine wall time includes
   * waiting for a core; CPU time is what the work itself costs (libvips may add a little from its
   * own threads).
   */
  face_cpu_ms_720p: number;
  /** Resident set size after the runs, MB (all face nets loaded, WASM heap grown to its working size). */
  rss_mb: number;
  backend: string;
}

const DEMO_DIR = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
/** The selfie framing: the face fills about half the frame height. */
const FRAME_HEIGHT_PER_FACE = 2;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * A selfie-like 1280×720 JPEG made at run time from one of face-api's demo photos (no image is kept
 * in the repo): a 16:9 window around the largest face, scaled to 720p. Returns the first demo photo
 * whose window holds exactly one detectable face.
 */
export async function buildSelfie720p(): Promise<Uint8Array> {
  const samples = fs
    .readdirSync(DEMO_DIR)
    .filter((f) => /^sample\d+\.jpg$/.test(f))
    .sort();
  for (const name of samples) {
    const source = fs.readFileSync(path.join(DEMO_DIR, name));
    const found = await analyzeFace(source);
    if (!found.ok) continue;
    const { box } = found.value;
    const meta = await sharp(source).metadata();
    const imageWidth = meta.width ?? 0;
    const imageHeight = meta.height ?? 0;
    const height = Math.min(imageHeight, Math.round(box.height * FRAME_HEIGHT_PER_FACE));
    const width = Math.min(imageWidth, Math.round((height * 16) / 9));
    const clamp = (v: number, max: number): number => Math.max(0, Math.min(max, Math.round(v)));
    const left = clamp(box.x + box.width / 2 - width / 2, imageWidth - width);
    const top = clamp(box.y + box.height / 2 - height / 2, imageHeight - height);
    const jpeg = await sharp(source)
      .extract({ left, top, width, height })
      .resize(1280, 720, { fit: 'fill' })
      .jpeg({ quality: 90 })
      .toBuffer();
    const check = await analyzeFace(jpeg);
    if (check.ok && check.value.faceCount === 1) return new Uint8Array(jpeg);
  }
  throw new Error('no face-api demo photo yields a one-face 720p frame');
}

/**
 * Median time of `analyzeFace` on a 1280×720 JPEG with one face, after warm-up (with and without the
 * descriptor), and the resident memory with all face nets loaded. Prints nothing; callers (src/cli bench) report the numbers.
 */
export async function measureFaceSpeed(runs = 30): Promise<FaceSpeed> {
  const { backend } = await initTf();
  const jpeg = await buildSelfie720p();
  // Warm-up: WASM kernels compile and the heap grows on the first calls.
  for (let i = 0; i < 3; i++) await analyzeFace(jpeg);
  const time = async (options: AnalyzeFaceOptions): Promise<{ wall: number; cpu: number }> => {
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      const startCpu = process.cpuUsage();
      const start = performance.now();
      const result = await analyzeFace(jpeg, options);
      wall.push(performance.now() - start);
      const used = process.cpuUsage(startCpu);
      cpu.push((used.user + used.system) / 1000);
      if (!result.ok) throw new Error(`benchmark frame failed: ${result.message}`);
    }
    return { wall: median(wall), cpu: median(cpu) };
  };
  const full = await time({});
  const noDescriptor = await time({ descriptor: false });
  return {
    face_ms_720p: full.wall,
    face_ms_720p_no_descriptor: noDescriptor.wall,
    face_cpu_ms_720p: full.cpu,
    rss_mb: process.memoryUsage().rss / 1e6,
    backend,
  };
}
