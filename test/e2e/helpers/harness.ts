import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AttuneBot } from '../../../src/bot/AttuneBot';
import { parseConfig } from '../../../src/bot/config';
import { createLogger } from '../../../src/bot/util/log';
import { VoiceMessageEncoder } from '../../../src/bot/voice/voiceMessage';
import { COMMANDS, commandDefinitions } from '../../../src/commands';
import { WorkerEngine } from '../../../src/ml/worker/WorkerEngine';
import { createReplyServices, silentLogger } from '../../../src/reply';
import { openStore, type AttuneStore } from '../../../src/storage';
import { TEST_IDS, startTestStandin } from '../../standin/fixtures';
import type { StandinOptions } from '../../standin/Standin';
import type { InteractionHandle, Json, Standin } from '../../standin';
import { textOf } from '../../standin/util/text';

export { TEST_IDS };

/** The real bot (real engine workers, real store, offline speech) logged in to a fresh stand-in. */
export interface Harness {
  standin: Standin;
  bot: AttuneBot;
  store: AttuneStore;
  engine: WorkerEngine;
  /** Every JSON log line the bot wrote. */
  logs: Json[];
  dataDir: string;
  close(): Promise<void>;
}

/**
 * `env`: extra environment for the bot's reply services (e.g. the transcription stand-in's
 * `ATTUNE_TRANSCRIBER`, `TRANSCRIBE_BASE_URL`).
 */
export async function startHarness(
  options: { enableVoice?: boolean; voice?: StandinOptions['voice']; env?: Record<string, string> } = {},
): Promise<Harness> {
  const standin = await startTestStandin(options.voice ? { voice: options.voice } : {});
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-e2e-'));
  const config = parseConfig({
    ...standin.env(),
    ...options.env,
    ATTUNE_DATA_DIR: dataDir,
    ATTUNE_EXTRA_ATTACHMENT_HOSTS: new URL(standin.cdnUrl).host,
  });
  const store = await openStore({ dataDir });
  const engine = new WorkerEngine();
  const warm = engine.warmUp();
  const reply = createReplyServices(config.reply, { logger: silentLogger });
  if (!reply.ok) throw new Error(reply.message);
  const logs: Json[] = [];
  const logger = createLogger({ minLevel: 'debug', write: (line) => logs.push(JSON.parse(line) as Json) });
  const bot = new AttuneBot({
    config,
    store,
    engine,
    reply: reply.value,
    voiceMessages: new VoiceMessageEncoder(),
    logger,
    commands: COMMANDS,
  });
  await Promise.all([bot.start(), warm]);
  await bot.client.application!.commands.set(commandDefinitions(), TEST_IDS.guild);
  const harness: Harness = {
    standin,
    bot,
    store,
    engine,
    logs,
    dataDir,
    async close() {
      await bot.stop();
      await standin.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  if (options.enableVoice === false) {
    // Voice features are on by default; bob manages the server and turns them off.
    const handle = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.bob,
      name: 'attune-settings',
      subcommand: 'voice',
      options: { enabled: false },
    });
    await handle.waitForOriginal((j) => String(j['content']).includes('**off**'));
  }
  return harness;
}

/** The current text of an interaction's `@original`. */
export function originalText(handle: InteractionHandle): string {
  return textOf(handle.originalJson?.['content']);
}

/** Waits until `@original` contains `text`. */
export async function waitForText(
  handle: InteractionHandle,
  text: string | RegExp,
  timeoutMs = 20_000,
): Promise<string> {
  const matches = (s: string) => (typeof text === 'string' ? s.includes(text) : text.test(s));
  await handle.waitFor((h) => matches(originalText(h)), timeoutMs, `@original to contain ${String(text)}`);
  return originalText(handle);
}

/**
 * Waits for a condition on the (asynchronous) store, polling every 20 ms: `standin.waitFor` takes
 * synchronous checks only.
 */
export async function waitForStore(
  check: () => Promise<boolean>,
  timeoutMs: number,
  description: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
