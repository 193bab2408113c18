/**
 * `npm run --silent bench:soak -- --json [--minutes N] [--users N]`: the real bot (`src/bot/main.ts`
 * in its own process, so its RSS is its own) against the stand-in, under load and attack. Needs
 * ../shared/data. Prints one JSON document (or a summary without --json):
 *  1. idle: RSS after start-up and warm-up (`rss_idle_mb`);
 *  2. burst: 20 people /ask with a selfie at once while someone else runs /profile every 100 ms:
 *     every acknowledgement (`burst_ack_p99_ms`, target < 1000) and the answers (`burst_answer_p95_ms`,
 *     target <= 2000);
 *  3. attack: a 33-minute silent MP3 under the 8 MB limit as a voice file, five messages of ten 7.5 MB
 *     images during a calibration, garbage, a group photo (`rss_peak_mb` must stay <= idle + 300);
 *  4. soak for N minutes (default 30): /ask with photos and voice files, calibrations to the end,
 *     /forget, /profile, in three guilds (`asks`, `ack_p99_ms`, `answer_p95_ms`, `errors`);
 *  5. 60 s without load: `rss_after_mb` (target: within 50 MB of idle). `rss_series` has one sample
 *     every 5 s, to see a trend.
 * `errors` counts error-level log lines of the bot, interactions that were never acknowledged or never
 * answered, and unhandled rejections/exceptions reported by the bot process.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStandin, type InteractionHandle, type Json, type Standin } from '../test/standin';
import { silentMp3 } from '../test/helpers/mp3';
import { ravdessOgg, yaleFace } from '../test/e2e/helpers/media';

const ROOT = path.resolve(__dirname, '..');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const MINUTES = arg('minutes', 30);
const USERS = Math.max(21, arg('users', 24));
const JSON_OUT = process.argv.includes('--json');
const MB = 1024 * 1024;

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stderr.write(`${line}\n`);

const GUILDS = ['300000000000000001', '300000000000000002', '300000000000000003'];
const text = (g: string) => `3000000000000001${g.slice(-1)}`;
const voice = (g: string) => `3000000000000002${g.slice(-1)}`;
const userId = (n: number) => `40000000000000${String(n).padStart(4, '0')}`;
/** Yale subject 1..15 for a soak iteration (subject 4 has no 'sad' photo in the set). */
const subjectFor = (n: number) => [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15][n % 14]!;

/** A log field as text: strings as they are, anything else as JSON (absent: empty). */
function fieldText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function rssMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return Math.round(kb / 1024);
  } catch {
    return NaN;
  }
}

async function main(): Promise<void> {
  const standin: Standin = await startStandin({
    logger: false,
    ackDeadlineMs: 3000,
    guilds: GUILDS.map((id, gi) => ({
      id,
      name: `Guild ${gi + 1}`,
      channels: [
        { id: text(id), name: 'general', type: 'text' as const },
        { id: voice(id), name: 'Lounge', type: 'voice' as const },
      ],
      members: Array.from({ length: USERS }, (_, n) => ({ user: { id: userId(n), username: `user${n}` } })),
    })),
  });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-soak-'));
  const env = {
    PATH: process.env.PATH ?? '',
    ...standin.env(),
    ATTUNE_DATA_DIR: dataDir,
    ATTUNE_EXTRA_ATTACHMENT_HOSTS: new URL(standin.cdnUrl).host,
    // As `npm start` runs the bot (package.json): glibc returns freed large buffers to the system.
    ...(process.env.SOAK_DEFAULT_MALLOC ? {} : { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' }),
  };
  const bot = spawn(process.execPath, ['--import', 'tsx', 'src/bot/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const botLines: Json[] = [];
  let partial = '';
  let stderr = '';
  bot.stdout.on('data', (d: Buffer) => {
    partial += String(d);
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) if (l.startsWith('{')) botLines.push(JSON.parse(l) as Json);
  });
  bot.stderr.on('data', (d: Buffer) => (stderr += String(d)));
  let exited = false;
  bot.once('exit', (code) => {
    exited = true;
    log(`bot exited with code ${String(code)}: ${stderr.slice(-2000)}`);
  });
  const rssSeries: { t: number; mb: number; phase: string }[] = [];
  let phase = 'start';
  const started = Date.now();
  const sampler = setInterval(
    () => rssSeries.push({ t: Math.round((Date.now() - started) / 1000), mb: rssMb(bot.pid!), phase }),
    1000,
  );
  const failures: string[] = [];
  const acks: number[] = [];
  const answers: number[] = [];
  let asks = 0;

  /** Runs a command, records its ack latency; `answered` resolves with ms from dispatch to `until`. */
  const run = (args: Parameters<Standin['runSlashCommand']>[0]) => {
    const t = Date.now();
    const handle = standin.runSlashCommand(args);
    void handle.waitForAck(3000).then(
      () => acks.push(handle.ackLatencyMs ?? NaN),
      () => failures.push(`${args.name}: not acknowledged`),
    );
    return { handle, t };
  };
  const until = async (
    handle: InteractionHandle,
    t: number,
    match: (s: string) => boolean,
    what: string,
    timeoutMs = 30_000,
  ) => {
    try {
      await handle.waitFor((h) => match(h.text()), timeoutMs, what);
      return Date.now() - t;
    } catch {
      failures.push(`${what}: not answered`);
      return NaN;
    }
  };

  try {
    await standin.waitFor(
      () => exited || botLines.some((l) => l['event'] === 'bot.started'),
      120_000,
      'the bot to start',
    );
    if (exited) throw new Error('the bot did not start');
    // Commands are not registered here (deploy-commands does that in production): the stand-in
    // dispatches them anyway, with option types taken from the values.
    phase = 'idle';
    await sleep(10_000);
    const idle = rssMb(bot.pid!);
    log(`idle RSS ${idle} MB`);

    // 2. Burst.
    phase = 'burst';
    const burstAcks: number[] = [];
    const burstAnswers: number[] = [];
    let probing = true;
    const probes = (async () => {
      while (probing) {
        const { handle } = run({
          guildId: GUILDS[0]!,
          channelId: text(GUILDS[0]!),
          userId: userId(USERS - 1),
          name: 'profile',
        });
        void handle.waitForAck(3000).then(
          () => burstAcks.push(handle.ackLatencyMs ?? NaN),
          () => burstAcks.push(3000),
        );
        await sleep(100);
      }
    })();
    await Promise.all(
      Array.from({ length: 20 }, async (_, n) => {
        const photo = standin.addAttachment(yaleFace(1 + (n % 15), 'happy'), {
          filename: 'me.jpg',
          contentType: 'image/jpeg',
        });
        const { handle, t } = run({
          guildId: GUILDS[0]!,
          channelId: text(GUILDS[0]!),
          userId: userId(n),
          name: 'ask',
          options: { question: 'How are you?', photo },
        });
        void handle.waitForAck(3000).then(
          () => burstAcks.push(handle.ackLatencyMs ?? NaN),
          () => burstAcks.push(3000),
        );
        burstAnswers.push(await until(handle, t, (s) => s.includes('**Overall:**'), 'burst /ask'));
        asks++;
      }),
    );
    probing = false;
    await probes;
    log(`burst: ack p99 ${q(burstAcks, 0.99)} ms, answers p95 ${q(burstAnswers, 0.95)} ms`);

    // 3. Attack.
    phase = 'attack';
    const bomb = standin.addAttachment(Buffer.from(silentMp3(33 * 60)), {
      filename: 'long.mp3',
      contentType: 'audio/mpeg',
    });
    // A hostile voice file in /ask: answered (reading or refusal), never hung.
    const hostileAsk = async (voice: Json, user: number, what: string): Promise<void> => {
      const ask = run({
        guildId: GUILDS[1]!,
        channelId: text(GUILDS[1]!),
        userId: userId(user),
        name: 'ask',
        options: { question: 'hi', voice },
      });
      await until(ask.handle, ask.t, (s) => s.includes('How you came across') || s.includes('**Overall:**'), what);
    };
    await hostileAsk(bomb, 0, 'attack: long MP3');
    const garbage = standin.addAttachment(Buffer.alloc(3 * MB, 0x5a), { filename: 'x.mp3', contentType: 'audio/mpeg' });
    await hostileAsk(garbage, 1, 'attack: garbage');
    // Five messages of ten 7.5 MB images during a calibration.
    const attacker = userId(2);
    const cal = run({
      guildId: GUILDS[1]!,
      channelId: text(GUILDS[1]!),
      userId: attacker,
      name: 'calibrate',
      options: { samples: 2 },
    });
    await until(cal.handle, cal.t, (s) => s.includes('I agree'), 'attack: consent');
    if (cal.handle.original) {
      await standin
        .clickButton({ message: cal.handle.original, customId: `cal:agree:${attacker}`, userId: attacker })
        .waitForAck()
        .catch(() => undefined);
      const big = Buffer.concat([yaleFace(3, 'happy'), Buffer.alloc(7.5 * MB - yaleFace(3, 'happy').length, 0)]);
      for (let m = 0; m < 5; m++) {
        const attachments = Array.from({ length: 10 }, (_, k) =>
          standin.addAttachment(big, { filename: `big${m}-${k}.jpg`, contentType: 'image/jpeg' }),
        );
        standin.sendMessage({ channelId: text(GUILDS[1]!), userId: attacker, attachments });
      }
      const group = standin.addAttachment(
        fs.readFileSync(path.join(ROOT, 'node_modules/@vladmandic/face-api/demo/sample6.jpg')),
        { filename: 'group.jpg', contentType: 'image/jpeg' },
      );
      standin.sendMessage({ channelId: text(GUILDS[1]!), userId: attacker, attachments: [group] });
      await sleep(20_000);
      await standin
        .clickButton({ message: cal.handle.original, customId: `cal:cancel:${attacker}`, userId: attacker })
        .waitForAck()
        .catch(() => undefined);
    }
    const attackPeak = Math.max(...rssSeries.filter((s) => s.phase === 'attack').map((s) => s.mb));
    log(`attack: peak RSS ${attackPeak} MB`);

    // 4. Soak.
    phase = 'soak';
    const soakEnd = Date.now() + MINUTES * 60_000;
    const soakAcks0 = acks.length;
    const workers = Array.from({ length: 4 }, async (_, w) => {
      let n = 0;
      while (Date.now() < soakEnd) {
        n++;
        const g = GUILDS[(w + n) % GUILDS.length]!;
        const who = userId(3 + ((w * 5 + n) % (USERS - 4)));
        const kind = n % 7;
        if (kind === 0) {
          // A calibration to the end: selfies and voice messages, two emotions, two of each.
          const c = run({
            guildId: g,
            channelId: text(g),
            userId: who,
            name: 'calibrate',
            options: { samples: 2, emotions: 'happy, sad', restart: true },
          });
          // A consent screen, or (already consented earlier) the progress straight away, or a refusal.
          if (
            !(await until(
              c.handle,
              c.t,
              (s) => s.includes('I agree') || s.includes('**Calibration**') || s.includes('already'),
              'soak: calibrate',
            ))
          )
            continue;
          if (c.handle.text().includes('already') || !c.handle.original) continue;
          if (c.handle.text().includes('I agree')) {
            await standin
              .clickButton({ message: c.handle.original, customId: `cal:agree:${who}`, userId: who })
              .waitForAck()
              .catch(() => undefined);
          }
          const subject = subjectFor(n);
          const actor = 1 + (n % 12);
          for (const emotion of ['happy', 'sad'] as const) {
            for (let k = 0; k < 2; k++) {
              standin.sendMessage({
                channelId: text(g),
                userId: who,
                attachments: [
                  standin.addAttachment(yaleFace(subject, emotion), { filename: 'me.jpg', contentType: 'image/jpeg' }),
                ],
              });
              standin.sendVoiceMessage({
                channelId: text(g),
                userId: who,
                ogg: ravdessOgg(actor, emotion, k),
                durationSecs: 3.5,
              });
              await sleep(300);
            }
          }
          await until(
            c.handle,
            c.t,
            (s) => s.includes('Calibration done') || s.includes('Calibration saved') || s.includes('Training failed'),
            'soak: calibration done',
            90_000,
          );
        } else if (kind === 6) {
          const f = run({ guildId: g, channelId: text(g), userId: who, name: 'forget' });
          await until(
            f.handle,
            f.t,
            (s) => s.includes('This deletes your consent') || s.includes('hold nothing'),
            'soak: forget',
          );
          if (f.handle.original && f.handle.text().includes('This deletes')) {
            await standin
              .clickButton({ message: f.handle.original, customId: `forget:confirm:${who}`, userId: who })
              .waitForAck()
              .catch(() => undefined);
          }
        } else if (kind === 5) {
          const p = run({ guildId: g, channelId: text(g), userId: who, name: 'profile' });
          await until(p.handle, p.t, (s) => s.length > 0, 'soak: profile');
        } else {
          const photo = standin.addAttachment(yaleFace(subjectFor(n), n % 2 ? 'happy' : 'sad'), {
            filename: 'me.jpg',
            contentType: 'image/jpeg',
          });
          const voiceFile = standin.addAttachment(ravdessOgg(1 + (n % 12), n % 2 ? 'happy' : 'sad', n % 2), {
            filename: 'q.ogg',
            contentType: 'audio/ogg',
          });
          const a = run({
            guildId: g,
            channelId: text(g),
            userId: who,
            name: 'ask',
            options: { question: 'What time is it?', photo, voice: voiceFile },
          });
          answers.push(
            await until(
              a.handle,
              a.t,
              (s) => s.includes('**Overall:**') || s.includes('How you came across'),
              'soak: ask',
            ),
          );
          asks++;
        }
      }
    });
    await Promise.all(workers);
    const soakAcks = acks.slice(soakAcks0);

    // 5. Recovery.
    phase = 'after';
    await sleep(60_000);
    const after = rssMb(bot.pid!);
    const errorLines = botLines.filter((l) => l['level'] === 'error');
    const result = {
      minutes: MINUTES,
      users: USERS,
      asks,
      ack_p99_ms: q(soakAcks, 0.99),
      answer_p95_ms: q(answers.filter(Number.isFinite), 0.95),
      burst_ack_p99_ms: q(burstAcks, 0.99),
      burst_answer_p95_ms: q(burstAnswers, 0.95),
      errors: errorLines.length + failures.length + (stderr.match(/Unhandled|uncaught/gi)?.length ?? 0),
      error_events: [...new Set(errorLines.map((l) => String(l['event'])))],
      error_details: [
        ...new Set(
          errorLines.map(
            (l) =>
              `${fieldText(l['event'])} ${fieldText(l['command'])}: ${fieldText((l['error'] as Json | undefined)?.['message'])}`,
          ),
        ),
      ].slice(0, 10),
      failures: [...new Set(failures)].slice(0, 20),
      rss_idle_mb: idle,
      rss_peak_mb: Math.max(...rssSeries.map((s) => s.mb).filter(Number.isFinite)),
      rss_attack_peak_mb: attackPeak,
      rss_after_mb: after,
      rss_series: rssSeries.filter((_, i) => i % 5 === 0).map((s) => [s.t, s.mb]),
    };
    if (JSON_OUT) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`${JSON.stringify({ ...result, rss_series: undefined }, null, 2)}\n`);
  } finally {
    clearInterval(sampler);
    bot.kill('SIGTERM');
    await new Promise((r) => bot.once('exit', r));
    await standin.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(`soak failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
