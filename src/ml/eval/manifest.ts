import fs from 'node:fs';
import path from 'node:path';

/** One row of an evaluation manifest (`person,emotion,role,face,voice`; see ../shared/data/README.md). */
export interface ManifestRow {
  person: string;
  emotion: string;
  role: 'calibrate' | 'test';
  /**
   * Read by {@link parseManifest}: absolute paths, resolved against the manifest's folder; undefined where
   * the column is empty. Written by {@link formatManifest}: as they should stand in the file.
   */
  face?: string;
  voice?: string;
}

/** The header line a manifest starts with. */
export const MANIFEST_HEADER = 'person,emotion,role,face,voice';

/** Splits one CSV line, honouring double-quoted fields with "" escapes. */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

/** Parses manifest text; throws with the line number on a malformed row. */
export function parseManifest(text: string, baseDir: string): ManifestRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new Error('The manifest is empty.');
  const header = splitCsvLine(lines[0]!).map((h) => h.toLowerCase());
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0)
      throw new Error(`The manifest header lacks the "${name}" column (expected person,emotion,role,face,voice).`);
    return i;
  };
  const [iPerson, iEmotion, iRole, iFace, iVoice] = ['person', 'emotion', 'role', 'face', 'voice'].map(col);
  return lines.slice(1).map((line, k) => {
    const cells = splitCsvLine(line);
    const cell = (i: number | undefined): string | undefined => (i === undefined ? undefined : cells[i]);
    const role = cell(iRole);
    if (role !== 'calibrate' && role !== 'test')
      throw new Error(`Line ${k + 2}: role must be "calibrate" or "test", not "${role}".`);
    const person = cell(iPerson);
    const emotion = cell(iEmotion);
    if (!person || !emotion) throw new Error(`Line ${k + 2}: person and emotion are required.`);
    const resolve = (p: string | undefined) => (p ? path.resolve(baseDir, p) : undefined);
    return {
      person,
      emotion,
      role,
      face: resolve(cell(iFace)),
      voice: resolve(cell(iVoice)),
    };
  });
}

/** Manifest text for `rows`: the header and one line per row (a field holding a comma, quote or newline is refused). */
export function formatManifest(rows: readonly ManifestRow[]): string {
  const lines = rows.map((r) => [r.person, r.emotion, r.role, r.face ?? '', r.voice ?? '']);
  for (const cells of lines) {
    const bad = cells.find((c) => /[",\n]/.test(c));
    if (bad !== undefined) throw new Error(`a manifest field holds a comma, quote or newline: ${bad}`);
  }
  return [MANIFEST_HEADER, ...lines.map((cells) => cells.join(','))].join('\n').concat('\n');
}

export function readManifest(file: string): ManifestRow[] {
  return parseManifest(fs.readFileSync(file, 'utf8'), path.dirname(path.resolve(file)));
}
