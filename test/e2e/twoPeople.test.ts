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

    const callers = people.map((p) => ({
      ...p,
      handle: standin.runSlashCommand({
        guildId: TEST_IDS.guild,
        channelId: TEST_IDS.text,
        userId: p.id,
        name: 'calibrate',
        options: { samples: 2, emotions: 'happy, sad' },
      }),
    }));
    for (const { id, handle } of callers) {
      await waitForText(handle, 'I agree');
      await standin.clickButton({ message: handle.original!, customId: `cal:agree:${id}`, userId: id }).waitForAck();
      await waitForText(handle, 'Say in the voice channel');
      await standin
        .clickButton({ message: handle.original!, customId: `cal:skip-face:${id}`, userId: id })
        .waitForAck();
      await handle.waitFor((h2) => !String(h2.originalJson?.['content']).includes('photos'), 5000, 'photos hidden');
    }

    const spoken = new Map<string, Buffer[][]>(people.map((p) => [p.id, []]));
    for (const emotion of ['happy', 'sad'] as const) {
      const clips = people.map((p) => ({ ...p, clips: ravdessClips(p.actor, emotion, 2) }));
      for (const n of [0, 1] as const) {
        // Both speak at the same moment; each one's receive path hands on only that person's frames.
        const voice = h.bot.ctx.voice.get(TEST_IDS.guild)!;
        const turn = clips.map((p) => ({ id: p.id, clip: p.clips[n], heard: [] as Buffer[] }));
        const stops = turn.map((t) => voice.receive.listen(t.id, (e) => e.type === 'audio' && t.heard.push(e.opus)));
        await Promise.all(turn.map((t) => standin.speak(t.id, t.clip, { frameMs: 5 })));
        stops.forEach((stop) => stop());
        for (const { clip, heard } of turn) {
          const own = new Set(clip.map((f) => f.toString('hex')));
          // UDP on a loaded machine may lose a packet or two (frames here come every 5 ms per speaker).
          expect(heard.length).toBeGreaterThanOrEqual(Math.ceil(0.95 * clip.length));
          expect(heard.every((f) => own.has(f.toString('hex')))).toBe(true);
        }
        await waitForStore(
          async () =>
            (await Promise.all(people.map((p) => h.store.countSamples(p.id)))).every(
              (c) => (c[emotion]?.voice ?? 0) === n + 1,
            ),
          15_000,
          `${emotion} clip ${n + 1} for both`,
        );
      }
      for (const p of clips) spoken.get(p.id)!.push(...p.clips);
    }
    for (const { handle } of callers) await waitForText(handle, /Calibration done!|Calibration saved/, 60_000);

    for (const p of people) {
      const stored = (await h.store.listSamples(p.id)).map((s) => (s.signal === 'voice' ? s.features.durationSec : -1));
      const mine = await durations(h, spoken.get(p.id)!);
      const theirs = await durations(h, spoken.get(p.id === TEST_IDS.alice ? TEST_IDS.bob : TEST_IDS.alice)!);
      // Each stored clip matches the person's own clip of that turn, not the other person's. (Not
      // to the millisecond: a clip ends after a second of quiet, so its trimmed tail can differ a
      // little from the whole file's.)
      expect(stored).toHaveLength(mine.length);
      stored.forEach((d, k) => {
        const own = mine[k]!;
        const other = theirs[k]!;
        expect(Math.abs(d - own)).toBeLessThan(0.1);
        if (Math.abs(own - other) > 0.2) expect(Math.abs(d - own)).toBeLessThan(Math.abs(d - other));
      });
      expect((await h.store.loadModel(p.id))?.report.voice).not.toBeNull();
    }
  }, 180_000);
});
