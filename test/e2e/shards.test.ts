import { ALREADY_ELSEWHERE } from '../../src/commands/calibrate';
import { findPostgresBin, POSTGRES_MISSING } from '../../src/storage/testing/tempPostgres';
import { openStore, type AttuneStore } from '../../src/storage';
import { sharedDataMissing } from '../helpers/sharedData';
import { describeUnless } from '../helpers/skip';
import { freshPostgresUrl } from '../storage/helpers/backends';
import type { InteractionHandle, Standin } from '../standin';
import { originalText, waitForStore, waitForText } from './helpers/harness';
import { yaleFace } from './helpers/media';
import {
  deployCommands,
  newMasterKey,
  shardWorld,
  startShardedBot,
  startShardedStandin,
  type ShardedBot,
} from './helpers/shardedBot';
import { textOf } from '../standin/util/text';

const ALICE = { id: '320000000000000100', username: 'alice' };
const BOB = { id: '320000000000000200', username: 'bob' };
const CAROL = { id: '320000000000000300', username: 'carol' };
const EMOTIONS = ['happy', 'neutral', 'sad'] as const;
const YALE = { happy: ['happy', 'wink'], neutral: ['normal', 'noglasses'], sad: ['sad', 'sleepy'] } as const;

// Same rule as the store suite: PostgreSQL is required unless ATTUNE_SKIP_POSTGRES_TESTS=1 says to skip
// where it is missing; the photos are shared data (skipped where ../shared/data is absent).
const skipPostgres = !findPostgresBin() && process.env.ATTUNE_SKIP_POSTGRES_TESTS === '1';
const describeSharded = describeUnless(
  skipPostgres ? `PostgreSQL is missing and ATTUNE_SKIP_POSTGRES_TESTS=1 (${POSTGRES_MISSING})` : sharedDataMissing,
);

describeSharded(
  'end to end: two shard processes (ATTUNE_SHARDS=auto, the stand-in recommends 2) on one PostgreSQL',
  () => {
    let standin: Standin;
    let bot: ShardedBot;
    let store: AttuneStore;
    const { guilds, ids } = shardWorld(2, [ALICE, BOB, CAROL]);
    const [g0, g1] = ids as [(typeof ids)[0], (typeof ids)[0]];

    beforeAll(async () => {
      standin = await startShardedStandin(2, guilds);
      await deployCommands(standin, [g0.guild, g1.guild]);
      const url = await freshPostgresUrl();
      const masterKey = newMasterKey();
      bot = await startShardedBot(
        standin,
        { DATABASE_URL: url, ATTUNE_MASTER_KEY: masterKey, ATTUNE_SHARDS: 'auto' },
        2,
      );
      // The test reads the same database the shards write, as a third process would.
      store = await openStore({ databaseUrl: url, masterKey });
    }, 120_000);
    afterAll(async () => {
      await store?.close();
      const code = await bot?.stop();
      await standin?.close();
      expect(code).toBe(0);
    }, 60_000);

    const calibrate = (guild: { guild: string; text: string }, user: string): InteractionHandle =>
      standin.runSlashCommand({
        guildId: guild.guild,
        channelId: guild.text,
        userId: user,
        name: 'calibrate',
        options: { samples: 2 },
      });

    /** Consent, then photos only (voice skipped): the flow is collecting. */
    async function startPhotoCalibration(
      guild: { guild: string; text: string },
      user: string,
    ): Promise<InteractionHandle> {
      const cal = calibrate(guild, user);
      await waitForText(cal, 'I agree');
      await standin.clickButton({ message: cal.original!, customId: `cal:agree:${user}`, userId: user }).waitForAck();
      await cal.waitFor(
        (h) => JSON.stringify(h.originalJson?.['components'] ?? []).includes(`cal:skip-voice:${user}`),
        20_000,
        'the Skip voice button',
      );
      await standin
        .clickButton({ message: cal.original!, customId: `cal:skip-voice:${user}`, userId: user })
        .waitForAck();
      await waitForText(cal, /photo|selfie/i);
      return cal;
    }

    test('each shard process identified as [id, 2] and holds only its own guild', () => {
      expect(standin.gateway.connectedShards()).toEqual([0, 1]);
      expect(standin.gateway.numShards).toBe(2);
      const started = bot.lines().filter((l) => l['event'] === 'bot.started');
      expect(started.map((l) => l['shard']).sort()).toEqual(['0', '1']);
      expect(started.every((l) => l['totalShards'] === 2)).toBe(true);
      expect(started.every((l) => l['store'] === 'postgres')).toBe(true);
      expect(bot.output()).not.toContain(standin.token);
    });

    test('a person calibrated through shard 0 is read by shard 1 (/profile and /ask there)', async () => {
      const cal = await startPhotoCalibration(g0, ALICE.id);
      for (const emotion of EMOTIONS) {
        const photos = YALE[emotion].map((condition, n) =>
          standin.addAttachment(yaleFace(1, condition), { filename: `${emotion}-${n}.jpg`, contentType: 'image/jpeg' }),
        );
        standin.sendMessage({ channelId: g0.text, userId: ALICE.id, attachments: photos });
        await waitForStore(
          async () => ((await store.countSamples(ALICE.id))[emotion]?.face ?? 0) === 2,
          20_000,
          `${emotion} photos stored`,
        );
      }
      await waitForText(cal, /Calibration done!|Calibration saved/, 60_000);

      const profile = standin.runSlashCommand({
        guildId: g1.guild,
        channelId: g1.text,
        userId: ALICE.id,
        name: 'profile',
      });
      const text = await waitForText(profile, '**Calibrated**', 15_000);
      expect(text).toContain('happy, neutral, sad');

      const photo = standin.addAttachment(yaleFace(1, 'happy'), { filename: 'now.jpg', contentType: 'image/jpeg' });
      const ask = standin.runSlashCommand({
        guildId: g1.guild,
        channelId: g1.text,
        userId: ALICE.id,
        name: 'ask',
        options: { question: 'How are you?', photo },
      });
      const answer = await waitForText(ask, '**Overall:**', 30_000);
      expect(answer).not.toContain('Not calibrated');
    }, 120_000);

    test('/calibrate for one person on both shards at once: one runs, the other is told', async () => {
      const first = calibrate(g0, BOB.id);
      const second = calibrate(g1, BOB.id);
      await Promise.all([
        first.waitForOriginal((j) => !/^\s*$/.test(textOf(j['content'])), 15_000),
        second.waitForOriginal((j) => !/^\s*$/.test(textOf(j['content'])), 15_000),
      ]);
      const texts = [originalText(first), originalText(second)];
      const told = texts.filter((t) => t === ALREADY_ELSEWHERE);
      const running = [first, second].filter((h) => originalText(h).includes('I agree'));
      expect(told).toHaveLength(1);
      expect(running).toHaveLength(1);
      // The winner declines; the person is then free to calibrate anywhere.
      const winner = running[0]!;
      await standin
        .clickButton({ message: winner.original!, customId: `cal:decline:${BOB.id}`, userId: BOB.id })
        .waitForAck();
      await waitForText(winner, 'nothing was recorded');
      const again = calibrate(winner === first ? g1 : g0, BOB.id);
      await waitForText(again, 'I agree', 15_000);
      await standin
        .clickButton({ message: again.original!, customId: `cal:decline:${BOB.id}`, userId: BOB.id })
        .waitForAck();
      await waitForText(again, 'nothing was recorded');
    }, 60_000);

    test('/forget handled by shard 0 stops the calibration running on shard 1 within 1 s; no sample lands after it', async () => {
      const cal = await startPhotoCalibration(g1, CAROL.id);
      const photo = standin.addAttachment(yaleFace(3, 'happy'), { filename: 'one.jpg', contentType: 'image/jpeg' });
      standin.sendMessage({ channelId: g1.text, userId: CAROL.id, attachments: [photo] });
      await waitForStore(
        async () => ((await store.countSamples(CAROL.id)).happy?.face ?? 0) === 1,
        20_000,
        'the first photo stored',
      );

      const forget = standin.runSlashCommand({
        guildId: g0.guild,
        channelId: g0.text,
        userId: CAROL.id,
        name: 'forget',
      });
      await waitForText(forget, 'It cannot be undone.');
      const confirmedAt = Date.now();
      const confirm = standin.clickButton({
        message: forget.original!,
        customId: `forget:confirm:${CAROL.id}`,
        userId: CAROL.id,
      });
      await waitForText(cal, 'Calibration stopped: everything about you was deleted.', 5_000);
      const stoppedMs = Date.now() - confirmedAt;
      expect(stoppedMs).toBeLessThan(1_000);
      await confirm.waitForAck();

      // A photo sent to the stopped calibration is not taken, and nothing is stored for her.
      const late = standin.addAttachment(yaleFace(3, 'wink'), { filename: 'late.jpg', contentType: 'image/jpeg' });
      standin.sendMessage({ channelId: g1.text, userId: CAROL.id, attachments: [late] });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(await store.describePerson(CAROL.id)).toBeNull();
      expect(await store.countSamples(CAROL.id)).toEqual({});
    }, 60_000);
  },
);
