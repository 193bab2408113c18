/**
 * A throwaway PostgreSQL server for tests and the store benchmark: a fresh data folder in the temp
 * directory, listening on 127.0.0.1 only, on a free port, removed on stop. It needs PostgreSQL's server
 * programs (Debian's `postgresql` package; `.ci/run` installs it); nothing is mocked.
 *
 * initdb takes about a second, so a cluster is made once per machine and PostgreSQL version (a
 * template folder in the temp directory) and copied for each server. PostgreSQL refuses to run as
 * root; as root the server runs as the `postgres` user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** The folder holding initdb, pg_ctl and pg_dump, or null when PostgreSQL is not installed. */
export function findPostgresBin(): string | null {
  const has = (dir: string) => ['initdb', 'pg_ctl', 'postgres'].every((p) => fs.existsSync(path.join(dir, p)));
  if (process.env.ATTUNE_PG_BIN && has(process.env.ATTUNE_PG_BIN)) return process.env.ATTUNE_PG_BIN;
  const root = '/usr/lib/postgresql';
  if (fs.existsSync(root)) {
    const versions = fs
      .readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (has(path.join(root, v, 'bin'))) return path.join(root, v, 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir && has(dir)) return dir;
  return null;
}

/** What to tell a person who has no PostgreSQL. */
export const POSTGRES_MISSING =
  'PostgreSQL server programs (initdb, pg_ctl) were not found. Install them (Debian/Ubuntu: `apt-get install postgresql`; `.ci/run` does this) ' +
  'or set ATTUNE_PG_BIN to their folder. For a local run without PostgreSQL, set ATTUNE_SKIP_POSTGRES_TESTS=1 to skip those tests.';

export interface TempPostgres {
  /** URL of the `postgres` database as the superuser `attune` (trust authentication, loopback only). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** `pg_dump` of one database (plain SQL text), with extra pg_dump arguments. */
  dump(databaseUrl: string, args?: readonly string[]): Buffer;
  /** Stops the server (fast shutdown) and removes its folder. */
  stop(): Promise<void>;
  /** Stops the server without removing anything (the database "goes away"); `start` brings it back. */
  halt(): void;
  start(): void;
}

const USER = 'attune';

function runAsServerUser(bin: string, file: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const command = asRoot ? 'runuser' : path.join(bin, file);
  const fullArgs = asRoot ? ['-u', 'postgres', '--', path.join(bin, file), ...args] : args;
  const result = spawnSync(command, fullArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0)
    throw new Error(`${file} failed (${result.status}): ${result.stderr || result.stdout || result.error?.message}`);
}

function chownToServerUser(target: string): void {
  if (process.getuid?.() !== 0) return;
  execFileSync('chown', ['-R', 'postgres:postgres', target]);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** A cluster made by initdb once, copied for every server. */
function template(bin: string): string {
  const version = path.basename(path.dirname(bin)).replace(/\D/g, '') || 'x';
  const dir = path.join(os.tmpdir(), `attune-pg-template-${process.getuid?.() ?? 'u'}-${version}`);
  if (fs.existsSync(path.join(dir, 'PG_VERSION'))) return dir;
  const staging = `${dir}.${randomBytes(4).toString('hex')}`;
  fs.mkdirSync(staging, { mode: 0o700 });
  chownToServerUser(staging);
  runAsServerUser(bin, 'initdb', ['-D', staging, '-A', 'trust', '-U', USER, '-E', 'UTF8', '--locale=C', '--no-sync']);
  try {
    fs.renameSync(staging, dir);
  } catch {
    // Another process made it first: use theirs.
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}

/**
 * Starts a server. `durable: false` (tests) turns fsync off, which is safe for a database thrown away
 * afterwards; the benchmark keeps the defaults, so its numbers include the WAL flush of each commit.
 */
export async function startTempPostgres(options: { durable?: boolean } = {}): Promise<TempPostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error(POSTGRES_MISSING);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-pg-'));
  const dataDir = path.join(base, 'data');
  fs.cpSync(template(bin), dataDir, { recursive: true });
  fs.chmodSync(dataDir, 0o700);
  chownToServerUser(base);
  const port = await freePort();
  const settings = ['-c listen_addresses=127.0.0.1', `-p ${port}`, `-k ${base}`, '-c max_connections=100'];
  if (!options.durable) settings.push('-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off');
  const start = () =>
    runAsServerUser(bin, 'pg_ctl', [
      '-D',
      dataDir,
      '-w',
      '-t',
      '30',
      '-l',
      path.join(base, 'server.log'),
      '-o',
      settings.join(' '),
      'start',
    ]);
  // fast, not immediate: with synchronous_commit off, an immediate stop could lose the last commits.
  const halt = () => runAsServerUser(bin, 'pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
  start();
  let running = true;
  // A test process that dies without stop() must not leave a server behind.
  const onExit = () => {
    if (running)
      spawnSync(
        process.getuid?.() === 0 ? 'runuser' : path.join(bin, 'pg_ctl'),
        process.getuid?.() === 0
          ? ['-u', 'postgres', '--', path.join(bin, 'pg_ctl'), '-D', dataDir, '-m', 'immediate', 'stop']
          : ['-D', dataDir, '-m', 'immediate', 'stop'],
      );
    fs.rmSync(base, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const url = `postgres://${USER}@127.0.0.1:${port}/postgres`;
  let counter = 0;
  return {
    url,
    port,
    dataDir,
    async createDatabase(name = `t${process.pid}_${++counter}_${randomBytes(3).toString('hex')}`) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return `postgres://${USER}@127.0.0.1:${port}/${name}`;
    },
    dump(databaseUrl, args = []) {
      const db = new URL(databaseUrl).pathname.slice(1);
      return execFileSync(
        path.join(bin, 'pg_dump'),
        ['-h', '127.0.0.1', '-p', String(port), '-U', USER, '-d', db, ...args],
        { maxBuffer: 256 * 1024 * 1024 },
      );
    },
    stop() {
      if (running) halt();
      running = false;
      process.off('exit', onExit);
      fs.rmSync(base, { recursive: true, force: true });
      return Promise.resolve();
    },
    halt() {
      halt();
      running = false;
    },
    start() {
      start();
      running = true;
    },
  };
}
