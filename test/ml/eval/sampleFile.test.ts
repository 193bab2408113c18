import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSampleFile } from '../../../src/ml/eval/sampleFile';
import { harmonicTone, writeWav } from '../audio/signals';

describe('readSampleFile: confined to the manifest folder, regular files within the size limit', () => {
  let root: string;
  let outside: string;
  beforeAll(() => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-eval-'));
    root = path.join(base, 'manifest');
    outside = path.join(base, 'secret.txt');
    fs.mkdirSync(path.join(root, 'clips'), { recursive: true });
    fs.writeFileSync(path.join(root, 'clips', 'a.ogg'), Buffer.from('OggS and so on'));
    fs.writeFileSync(path.join(root, 'empty.ogg'), '');
    fs.writeFileSync(outside, 'not yours');
    fs.symlinkSync(outside, path.join(root, 'link-out.ogg'));
    fs.symlinkSync('/dev/zero', path.join(root, 'zero.ogg'));
    fs.symlinkSync(path.join(root, 'clips', 'a.ogg'), path.join(root, 'link-in.ogg'));
    // Sparse: 9 MB long, no disk used.
    fs.closeSync(fs.openSync(path.join(root, 'huge.ogg'), 'w'));
    fs.truncateSync(path.join(root, 'huge.ogg'), 9 * 1024 * 1024);
    execFileSync('mkfifo', [path.join(root, 'fifo.ogg')]);
  });
  afterAll(() => fs.rmSync(path.dirname(root), { recursive: true, force: true }));

  const read = (file: string, max = 8 * 1024 * 1024) => readSampleFile(path.resolve(root, file), root, max);

  it('reads a regular file inside the folder, directly or through a link that stays inside', async () => {
    expect(await read('clips/a.ogg')).toEqual({ ok: true, value: new Uint8Array(Buffer.from('OggS and so on')) });
    expect((await read('link-in.ogg')).ok).toBe(true);
  });

  it.each([
    ['../secret.txt', 'outside_manifest_folder'],
    ['clips/../../secret.txt', 'outside_manifest_folder'],
    ['/etc/hostname', 'outside_manifest_folder'],
    ['/dev/zero', 'outside_manifest_folder'],
    ['link-out.ogg', 'outside_manifest_folder'],
    ['zero.ogg', 'outside_manifest_folder'],
    ['missing.ogg', 'missing'],
    ['missing/dir/x.ogg', 'missing'],
    ['clips', 'not_a_file'],
    ['fifo.ogg', 'not_a_file'],
    ['huge.ogg', 'too_large'],
    ['empty.ogg', 'empty'],
  ])('%s is refused as %s, at once', async (file, code) => {
    const t0 = performance.now();
    const r = await read(file);
    expect(r).toMatchObject({ ok: false, code });
    if (!r.ok) expect(r.message).toContain(file.startsWith('/') ? file : path.resolve(root, file));
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('a device is not read even where the folder allows it', async () => {
    const before = process.memoryUsage().arrayBuffers;
    expect(await readSampleFile('/dev/zero', '/', 8 * 1024 * 1024)).toMatchObject({ ok: false, code: 'not_a_file' });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024);
  });
});

describe('eval CLI on a manifest with bad rows', () => {
  it('counts them as unreadable with their reasons (JSON and readable), exit 0, no stack trace', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-evalcli-'));
    try {
      const lines = ['person,emotion,role,face,voice'];
      ['happy', 'sad'].forEach((emotion, k) => {
        for (let i = 0; i < 3; i++) {
          const file = `${emotion}-${i}.wav`;
          fs.writeFileSync(
            path.join(dir, file),
            writeWav([harmonicTone(140 + 80 * k + 5 * i, 1, 16000, 0.3)], { rate: 16000, format: 'pcm16' }),
          );
          lines.push(`p1,${emotion},${i < 2 ? 'calibrate' : 'test'},,${file}`);
        }
      });
      fs.mkdirSync(path.join(dir, 'folder'));
      lines.push(
        'p1,happy,test,,nowhere.wav',
        'p1,sad,test,,folder',
        'p1,sad,test,,../../etc/passwd',
        'p1,happy,test,,/dev/zero',
        'p1,happy,calibrate,,gone/x.wav',
      );
      fs.writeFileSync(path.join(dir, 'm.csv'), lines.join('\n'));
      const tsx = path.resolve(__dirname, '../../../node_modules/.bin/tsx');
      const cli = path.resolve(__dirname, '../../../src/cli/eval.ts');
      const json = spawnSync(tsx, [cli, '--json', path.join(dir, 'm.csv')], { encoding: 'utf8' });
      expect(json.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
      expect(json.status).toBe(0);
      const report = JSON.parse(json.stdout) as {
        voice: { n: number };
        unreadable: number;
        unreadable_by_reason: Record<string, number>;
      };
      expect(report.unreadable_by_reason).toEqual({ missing: 2, not_a_file: 1, outside_manifest_folder: 2 });
      expect(report.unreadable).toBe(5);
      // Two readable test clips and four unreadable test rows, all scored.
      expect(report.voice.n).toBe(6);
      const text = spawnSync(tsx, [cli, path.join(dir, 'm.csv')], { encoding: 'utf8' });
      expect(text.status).toBe(0);
      expect(text.stdout).toMatch(/unreadable samples: 5 \(missing 2, not_a_file 1, outside_manifest_folder 2;/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
