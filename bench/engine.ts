/**
 * npm run --silent bench -- [--json] [--synthetic]
 *
 * Measures the recognition core on this machine: face features of a 1280×720 JPEG, voice features of
 * a 4 s Ogg Opus clip, calibrating one person with 30 face and 30 voice samples (cross-validation
 * included), prediction, model load, and resident memory with every model loaded.
 * With --json, stdout carries exactly one JSON document; logs go to stderr. Inputs come from
 * ../shared/data where present; --synthetic (or no shared data) uses offline speech and the face-api
 * demo photos instead.
 */
import { analyzeVoiceAsync } from '../src/ml/audio';
import { measureVoiceSpeed } from './voiceSpeed';
import { analyzeFace } from '../src/ml/face';
import { measureFaceSpeed } from './faceSpeed';
import { genericFaceProbabilities } from '../src/ml/face/generic';
import { predictWithModel, trainPersonModel } from '../src/ml/model';
import type { FaceFeatures, LabelledSample, VoiceFeatures } from '../src/ml/types';
import { parseArgs } from '../src/cli/args';
import { benchmarkClip, benchmarkFaces, benchmarkVoices, forceSyntheticInputs } from './inputs';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<number> {
  const { flags } = parseArgs(process.argv.slice(2));
  const log = (msg: string) => process.stderr.write(`${msg}\n`);
  const out: Record<string, number | string> = {};
  if (flags.has('synthetic')) forceSyntheticInputs();

  log('face: 1280x720 JPEG → all features …');
  const face = await measureFaceSpeed(30);
  out.face_ms_720p = round(face.face_ms_720p);
  out.tf_backend = face.backend;

  const clip = await benchmarkClip();
  log(`voice: ${clip.name} …`);
  const voice = await measureVoiceSpeed(clip.bytes, 100);
  out.voice_clip = clip.name;
  out.voice_clip_s = round(voice.clip_seconds, 2);
  out.voice_x_realtime = Math.round(voice.voice_x_realtime);
  out.voice_ms_4s = round(voice.voice_ms_median);

  log('training: 30 face + 30 voice samples …');
  const faces: FaceFeatures[] = [];
  for (const img of await benchmarkFaces(30)) {
    const r = await analyzeFace(img.bytes);
    if (r.ok) faces.push(r.value);
  }
  const voices: VoiceFeatures[] = [];
  for (const bytes of await benchmarkVoices(30)) {
    const r = await analyzeVoiceAsync(bytes, { crops: true });
    if (r.ok) voices.push(r.value);
  }
  const emotions = ['happy', 'neutral', 'sad'] as const;
  const samples: LabelledSample[] = [
    ...faces.slice(0, 30).map((f, i) => ({ emotion: emotions[i % 3]!, face: f })),
    ...voices.slice(0, 30).map((v, i) => ({ emotion: emotions[i % 3]!, voice: v })),
  ];
  out.train_face_samples = faces.length;
  out.train_voice_samples = voices.length;
  const trainTimes: number[] = [];
  let model = null;
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    const r = trainPersonModel(samples, emotions, genericFaceProbabilities);
    trainTimes.push(performance.now() - t);
    if (!r.ok) throw new Error(`training failed: ${r.message}`);
    model = r.value;
  }
  out.train_ms_30 = round(median(trainTimes.slice(2)));

  const json = JSON.stringify(model);
  out.model_kb = round(json.length / 1024);
  const loadTimes: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    JSON.parse(json);
    loadTimes.push(performance.now() - t);
  }
  out.model_load_ms = round(median(loadTimes), 3);
  const predictTimes: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    predictWithModel(
      model,
      { face: faces[i % faces.length], voice: voices[i % voices.length] },
      genericFaceProbabilities,
    );
    predictTimes.push(performance.now() - t);
  }
  out.predict_ms = round(median(predictTimes), 3);
  // rss_mb: the process right after the face benchmark, with every face net loaded and used (the only
  // neural models; the voice path holds a libopus instance and small tables). rss_end_mb: after
  // everything above, including the training data and, with --synthetic, the speech engine's worker.
  out.rss_mb = Math.round(face.rss_mb);
  out.rss_end_mb = Math.round(process.memoryUsage().rss / 2 ** 20);

  if (flags.has('json')) process.stdout.write(`${JSON.stringify(out)}\n`);
  else {
    const targets: Record<string, string> = {
      face_ms_720p: '<= 60',
      voice_x_realtime: '>= 300',
      train_ms_30: '<= 1000',
      rss_mb: '<= 350',
    };
    process.stdout.write(`${'figure'.padEnd(22)}${'value'.padStart(12)}  target\n`);
    for (const [k, v] of Object.entries(out))
      process.stdout.write(`${k.padEnd(22)}${String(v).padStart(12)}  ${targets[k] ?? ''}\n`);
  }
  return 0;
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
