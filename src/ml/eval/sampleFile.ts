/**
 * Reading a manifest's sample files as carefully as the bot reads attachments: a manifest is input
 * too, and one row naming `../../etc/shadow`, a folder, `/dev/zero` or a FIFO must cost that row,
 * not the run (or the machine's memory).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FailureCode } from '../types';

/**
 * Byte limits for sample files: the bot's defaults for attachments (ATTUNE_MAX_IMAGE_MB and
 * ATTUNE_MAX_AUDIO_MB, 8 MB each), so eval accepts exactly what the bot would.
 */
export const EVAL_MAX_IMAGE_BYTES = 8 * 1024 * 1024;
export const EVAL_MAX_AUDIO_BYTES = 8 * 1024 * 1024;

/** Why a sample could not be read: the core's failure codes, plus what only files can get wrong. */
export type UnreadableReason = FailureCode | 'missing' | 'outside_manifest_folder' | 'not_a_file' | 'read_error';

/** A sample that could not be read, with a reason any tool can count and a sentence for people. */
export interface Unreadable {
  ok: false;
  code: UnreadableReason;
  message: string;
}

function unreadable(code: UnreadableReason, message: string): Unreadable {
  return { ok: false, code, message };
}

function isInside(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
}

/**
 * The bytes of `file` if it lies inside `root` (after resolving symlinks too), is a regular file and
 * holds 1..`maxBytes` bytes. It is opened non-blocking, so a FIFO cannot hang the open, and checked
 * again on the open descriptor, so a file swapped after the first check is still caught; at most the
 * size seen there is read.
 */
export async function readSampleFile(
  file: string,
  root: string,
  maxBytes: number,
): Promise<{ ok: true; value: Uint8Array } | Unreadable> {
  const absolute = path.resolve(root, file);
  if (!isInside(path.resolve(root), absolute)) {
    return unreadable('outside_manifest_folder', `${file} is outside the manifest's folder ${root}`);
  }
  let real: string;
  try {
    real = await fs.realpath(absolute);
    if (!isInside(await fs.realpath(root), real)) {
      return unreadable(
        'outside_manifest_folder',
        `${file} leads outside the manifest's folder (through a symbolic link)`,
      );
    }
  } catch (error) {
    return fromError(file, error);
  }
  let handle: fs.FileHandle | null = null;
  try {
    const first = await fs.stat(real);
    if (!first.isFile()) return unreadable('not_a_file', `${file} is not a regular file`);
    if (first.size > maxBytes)
      return unreadable('too_large', `${file} is ${first.size} bytes; the limit is ${maxBytes}`);
    handle = await fs.open(real, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const stat = await handle.stat();
    if (!stat.isFile()) return unreadable('not_a_file', `${file} is not a regular file`);
    if (stat.size > maxBytes) return unreadable('too_large', `${file} is ${stat.size} bytes; the limit is ${maxBytes}`);
    if (stat.size === 0) return unreadable('empty', `${file} is empty`);
    const bytes = new Uint8Array(stat.size);
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { ok: true, value: filled === bytes.length ? bytes : bytes.subarray(0, filled) };
  } catch (error) {
    return fromError(file, error);
  } finally {
    await handle?.close();
  }
}

function fromError(file: string, error: unknown): Unreadable {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return unreadable('missing', `${file} does not exist`);
  if (code === 'EISDIR') return unreadable('not_a_file', `${file} is a folder`);
  return unreadable('read_error', `${file} could not be read (${code ?? (error as Error).message})`);
}
