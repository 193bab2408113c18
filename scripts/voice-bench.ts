/**
 * Voice speed on one clip: npx tsx scripts/voice-bench.ts [file] (default: a 4 s RAVDESS Ogg Opus clip).
 */
import fs from 'node:fs';
import path from 'node:path';
import { measureVoiceSpeed } from '../bench/voiceSpeed';

const DEFAULT_CLIP = path.resolve(__dirname, '../../shared/data/ravdess-3class/Actor_01/03-01-03-02-01-01-01.ogg');

async function main(): Promise<void> {
  const file = process.argv[2] ?? DEFAULT_CLIP;
  const result = await measureVoiceSpeed(new Uint8Array(fs.readFileSync(file)), 100);
  console.log(JSON.stringify({ file: path.basename(file), ...result }));
}

void main();
