import { describeWithData } from '../helpers/sharedData';
import { startHarness, waitForText, TEST_IDS, type Harness, waitForStore } from './helpers/harness';
import { ravdessClips } from './helpers/media';

/** Speech length the core measures for a clip, to recognise whose clip a stored sample came from. */
async function durations(h: Harness, clips: Buffer[][]): Promise<number[]> {
  const { opusClipPcm } = await import('./helpers/media');
  const out: number[] = [];
  for (const packets of clips) {
    const r = await h.engine.analyzeVoice(opusClipPcm(packets));
    if (!r.ok) throw new Error(r.message);
    out.push(r.value.durationSec);
  }
  return out;
}

describeWithData('end to end: two people calibrating at once in one voice channel', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  test('their clips, spoken at the same time, never mix', async () => {
    const { standin } = h;
    const people = [
      { id: TEST_IDS.alice, actor: 1 },
      { id: TEST_IDS.bob, actor: 2 },
    ];
    for (const p of people) standin.joinVoice(p.id, TEST_IDS.guild, TEST_IDS.voice);
    await standin.waitFor(() =>
      people.every(
        (p) => h.bot.client.guilds.cache.get(TEST_IDS.guild)!.voiceStates.cache.get(p.id)?.channelId === TEST_IDS.voice,
      ),
    );

    const handles = people.map((p) =>
      standin.runSlashCommand({
        guildId: TEST_IDS.guild,
        channelId: TEST_IDS.text,
        userId: p.id,
        name: 'calibrate',
        options: { samples: 2, emotions: 'happy, sad' },
      }),
    );
    for (const [i, p] of people.entries()) {
      await waitForText(handles[i], 'I agree');
      await standin
        .clickButton({ message: handles[i].original!, customId: `cal:agree:${p.id}`, userId: p.id })
        .waitForAck();
      await waitForText(handles[i], 'Say in the voice channel');
      await standin
        .clickButton({ message: handles[i].original!, customId: `cal:skip-face:${p.id}`, userId: p.id })
        .waitForAck();
      await handles[i].waitFor((h2) => !String(h2.originalJson?.['content']).includes('photos'), 5000, 'photos hidden');
    }

    const spoken: Record<string, Buffer[][]> = {};
    for (const emotion of ['happy', 'sad'] as const) {
      const clips = people.map((p) => ravdessClips(p.actor, emotion, 2));
      for (let n = 0; n < 2; n++) {
        // Both speak at the same moment; each one's receive path hands on only that person's frames.
        const voice = h.bot.ctx.voice.get(TEST_IDS.guild)!;
        const heard = people.map(() => [] as Buffer[]);
        const stops = people.map((p, i) =>
          voice.receive.listen(p.id, (e) => e.type === 'audio' && heard[i]!.push(e.opus)),
        );
        await Promise.all(people.map((p, i) => standin.speak(p.id, clips[i][n], { frameMs: 5 })));
        stops.forEach((stop) => stop());
        people.forEach((_p, i) => {
          const own = new Set(clips[i][n].map((f) => f.toString('hex')));
          // UDP on a loaded machine may lose a packet or two (frames here come every 5 ms per speaker).
          expect(heard[i]!.length).toBeGreaterThanOrEqual(Math.ceil(0.95 * clips[i][n].length));
          expect(heard[i]!.every((f) => own.has(f.toString('hex')))).toBe(true);
        });
        await waitForStore(
          async () =>
            (await Promise.all(people.map((p) => h.store.countSamples(p.id)))).every(
              (c) => (c[emotion]?.voice ?? 0) === n + 1,
            ),
          15_000,
          `${emotion} clip ${n + 1} for both`,
        );
      }
      people.forEach((p, i) => (spoken[p.id] = [...(spoken[p.id] ?? []), ...clips[i]]));
    }
    for (const handle of handles) await waitForText(handle, /Calibration done!|Calibration saved/, 60_000);

    for (const p of people) {
      const stored = (await h.store.listSamples(p.id)).map((s) => (s.signal === 'voice' ? s.features.durationSec : -1));
      const mine = await durations(h, spoken[p.id]);
      const theirs = await durations(h, spoken[p.id === TEST_IDS.alice ? TEST_IDS.bob : TEST_IDS.alice]);
      // Each stored clip matches the person's own clip of that turn, not the other person's. (Not
      // to the millisecond: a clip ends after a second of quiet, so its trimmed tail can differ a
      // little from the whole file's.)
      stored.forEach((d, k) => {
        expect(Math.abs(d - mine[k])).toBeLessThan(0.1);
        if (Math.abs(mine[k] - theirs[k]) > 0.2) expect(Math.abs(d - mine[k])).toBeLessThan(Math.abs(d - theirs[k]));
      });
      expect((await h.store.loadModel(p.id))?.report.voice).not.toBeNull();
    }
  }, 180_000);
});
