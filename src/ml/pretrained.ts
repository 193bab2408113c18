/**
 * The pretrained files Attune runs on, as pinned in models/manifest.json: face-api's weights,
 * TensorFlow.js' WASM binaries and eSpeak NG's voice data, each with the npm package and version it
 * comes from, its path inside that package, its size and its SHA-256. Every run-time path to them comes
 * from here (`pretrainedPath`), and the bot checks them all once at start-up (`assertPretrained`), so a
 * changed, truncated or missing file stops it with the file's name instead of odd predictions later.
 * `npm run models:manifest` regenerates the manifest after a deliberate upgrade.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import manifestJson from '../../models/manifest.json';

const fileSchema = z.object({
  /** npm package the file ships in. */
  package: z.string().min(1),
  /** The package version the file was hashed from. */
  version: z.string().min(1),
  /** Path inside the package, with forward slashes. */
  path: z.string().min(1),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** What Attune uses it for. */
  use: z.string(),
});

const manifestSchema = z.object({ about: z.string(), files: z.array(fileSchema).min(1) });

/** One pinned file. */
export type PretrainedFile = z.infer<typeof fileSchema>;
/** models/manifest.json. */
export type PretrainedManifest = z.infer<typeof manifestSchema>;

/** Where the manifest lives, for messages. */
const MANIFEST_NAME = 'models/manifest.json';

let committed: PretrainedManifest | null = null;

/** The committed manifest, checked for shape on first use (so a broken one can still be regenerated). */
export function pretrainedManifest(): PretrainedManifest {
  committed ??= manifestSchema.parse(manifestJson);
  return committed;
}

/** Folder of an installed package (its package.json's folder), found the way Node's require finds it. */
export function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

/** Where `file` is on this machine, given a way to find its package's folder. */
export function locate(
  file: Pick<PretrainedFile, 'package' | 'path'>,
  dirOf: (name: string) => string = packageDir,
): string {
  return path.join(dirOf(file.package), ...file.path.split('/'));
}

/**
 * The absolute path of the pinned file `file` of package `pkg` (for example `@vladmandic/face-api`,
 * `model/face_recognition_model.bin`). Throws for a file the manifest does not list: everything Attune
 * loads must be pinned.
 */
export function pretrainedPath(pkg: string, file: string): string {
  const entry = pretrainedManifest().files.find((f) => f.package === pkg && f.path === file);
  if (!entry) throw new Error(`${pkg}/${file} is not listed in ${MANIFEST_NAME}`);
  return locate(entry);
}

/** SHA-256 (hex) and size of a file, read 1 MB at a time so a large file costs no more memory. */
export function hashFile(file: string): { sha256: string; bytes: number } {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1 << 20);
  const fd = fs.openSync(file, 'r');
  let bytes = 0;
  try {
    for (let n = fs.readSync(fd, buffer); n > 0; n = fs.readSync(fd, buffer)) {
      hash.update(buffer.subarray(0, n));
      bytes += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** The installed version of a package, or null when it cannot be read. */
function installedVersion(name: string, dirOf: (name: string) => string): string | null {
  try {
    const json: unknown = JSON.parse(fs.readFileSync(path.join(dirOf(name), 'package.json'), 'utf8'));
    const version = (json as { version?: unknown }).version;
    return typeof version === 'string' ? version : null;
  } catch {
    return null;
  }
}

/**
 * Every way the files on this machine differ from `manifest`, one sentence each naming the file
 * (empty when all match). `dirOf` finds a package's folder (tests point it at a temporary copy).
 */
export function verifyPretrained(
  manifest: PretrainedManifest = pretrainedManifest(),
  dirOf: (name: string) => string = packageDir,
): string[] {
  const problems: string[] = [];
  for (const entry of manifest.files) {
    const name = `${entry.package}/${entry.path}`;
    let file: string;
    try {
      file = locate(entry, dirOf);
    } catch {
      problems.push(`${name}: the package ${entry.package} is not installed (run npm ci)`);
      continue;
    }
    let actual: { sha256: string; bytes: number };
    try {
      actual = hashFile(file);
    } catch {
      problems.push(`${name}: missing (expected at ${file}; run npm ci)`);
      continue;
    }
    if (actual.sha256 === entry.sha256 && actual.bytes === entry.bytes) continue;
    const installed = installedVersion(entry.package, dirOf);
    const version =
      installed === entry.version
        ? `version ${installed} as pinned`
        : `installed version ${installed ?? 'unknown'}, pinned ${entry.version}`;
    problems.push(
      `${name}: sha256 ${actual.sha256} (${actual.bytes} bytes), expected ${entry.sha256} (${entry.bytes} bytes); ${version}`,
    );
  }
  return problems;
}

/** Thrown by `assertPretrained`; its message names every file that does not match. */
export class PretrainedFilesError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `${problems.length} pretrained file(s) differ from ${MANIFEST_NAME}:\n` +
        problems.map((p) => `  ${p}`).join('\n') +
        `\nReinstall with npm ci; after a deliberate upgrade, regenerate the manifest with npm run models:manifest.`,
    );
    this.name = 'PretrainedFilesError';
  }
}

/** Check every pinned file once (start-up); throws a {@link PretrainedFilesError} naming any that differ. */
export function assertPretrained(
  manifest: PretrainedManifest = pretrainedManifest(),
  dirOf?: (name: string) => string,
): void {
  const problems = verifyPretrained(manifest, dirOf);
  if (problems.length > 0) throw new PretrainedFilesError(problems);
}

let verified = false;

/**
 * `assertPretrained` on the committed manifest, at most once per process: engines are created at
 * start-up (and many times in tests), and the files do not change under a running bot.
 */
export function assertPretrainedOnce(): void {
  if (verified) return;
  assertPretrained();
  verified = true;
}
