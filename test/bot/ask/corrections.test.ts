import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ButtonInteraction } from 'discord.js';
import {
  CORRECTION_TTL_MS,
  MAX_HELD_PER_PERSON,
  PendingCorrections,
  type HeldReading,
} from '../../../src/bot/ask/PendingCorrections';
import { handleCorrectionButton, offerCorrection } from '../../../src/bot/ask/corrections';
import { CONSENT_SCOPE, CONSENT_TEXT_VERSION } from '../../../src/bot/calibration/consent';
import type { BotContext } from '../../../src/bot/context';
import { PersonModels } from '../../../src/bot/personModels';
import { silentLogger } from '../../../src/bot/util/log';
import type { PersonModel, Prediction, VoiceFeatures } from '../../../src/ml/types';
import { openStore, type AttuneStore } from '../../../src/storage';
import { FakeEngine, fakeFace } from '../helpers/fakeEngine';

const voice: VoiceFeatures = { durationSec: 1.2, stats: { pitch: 3 } };
const held = (personId: string, extra: Partial<HeldReading> = {}): HeldReading => ({
  personId,
  face: fakeFace(1),
  voice,
  emotions: ['happy', 'sad'],
  reading: 'happy',
  ...extra,
});

describe('PendingCorrections: /ask features held in memory until their owner labels them', () => {
  let clock: number;
  const watched: string[] = [];
  const stopped: string[] = [];
  const watchers = new Map<string, () => void>();
  const store = {
    watchForget: (personId: string, onForgotten: () => void) => {
      watched.push(personId);
      watchers.set(personId, onForgotten);
      return Promise.resolve(() => {
        stopped.push(personId);
        watchers.delete(personId);
      });
    },
  };
  const make = (opts: { maxHeld?: number } = {}) => new PendingCorrections({ store, now: () => clock, ...opts });
  beforeEach(() => {
    clock = 1_000_000;
    watched.length = 0;
    stopped.length = 0;
    watchers.clear();
  });

  test('only the owner can take a reading, and only once', async () => {
    const pending = make();
    const id = await pending.hold(held('alice'));
    expect(pending.take(id, 'bob')).toEqual({ ok: false, why: 'not_yours' });
    expect(pending.size).toBe(1);
    expect(pending.take(id, 'alice')).toMatchObject({ ok: true, held: { personId: 'alice', reading: 'happy' } });
    expect(pending.take(id, 'alice')).toEqual({ ok: false, why: 'expired' });
    expect(pending.size).toBe(0);
  });

  test('readings expire after 15 minutes: the features are dropped and the watch stops', async () => {
    const pending = make();
    const id = await pending.hold(held('alice'));
    clock += CORRECTION_TTL_MS - 1;
    expect(pending.size).toBe(1);
    clock += 1;
    expect(pending.size).toBe(0);
    expect(pending.take(id, 'alice')).toEqual({ ok: false, why: 'expired' });
    await Promise.resolve();
    expect(stopped).toEqual(['alice']);
  });

  test('bounded in count: the latest few per person, and a cap over everyone (oldest dropped first)', async () => {
    const pending = make({ maxHeld: 8 });
    const ids: string[] = [];
    for (let i = 0; i < MAX_HELD_PER_PERSON + 2; i++) ids.push(await pending.hold(held('alice')));
    expect(pending.size).toBe(MAX_HELD_PER_PERSON);
    expect(pending.take(ids[0]!, 'alice')).toEqual({ ok: false, why: 'expired' });
    expect(pending.take(ids.at(-1)!, 'alice').ok).toBe(true);
    for (let i = 0; i < 8; i++) await pending.hold(held(`p${i}`));
    expect(pending.size).toBe(8);
    expect(pending.take(ids.at(-2)!, 'alice')).toEqual({ ok: false, why: 'expired' });
    // One watch per person held, not per reading.
    expect(watched.filter((p) => p === 'alice')).toHaveLength(1);
  });

  test('a /forget (heard through the store) drops everything held for the person at once', async () => {
    const pending = make();
    const a = await pending.hold(held('alice'));
    const b = await pending.hold(held('bob'));
    watchers.get('alice')!();
    expect(pending.take(a, 'alice')).toEqual({ ok: false, why: 'expired' });
    expect(pending.take(b, 'bob').ok).toBe(true);
  });

  test('when the forget watch cannot be set up, nothing is held', async () => {
    const pending = new PendingCorrections({ store: { watchForget: () => Promise.reject(new Error('down')) } });
    await expect(pending.hold(held('alice'))).rejects.toThrow('down');
    expect(pending.size).toBe(0);
  });
});

/** A button press as discord.js hands it over, recording what the handler did. */
function press(customId: string, userId: string) {
  const calls: Array<[string, unknown]> = [];
  const interaction = {
    customId,
    user: { id: userId },
    guildId: 'g1',
    update: (x: unknown) => Promise.resolve(void calls.push(['update', x])),
    deferUpdate: () => Promise.resolve(void calls.push(['deferUpdate', null])),
    editReply: (x: unknown) => Promise.resolve(void calls.push(['editReply', x])),
    followUp: (x: unknown) => Promise.resolve(void calls.push(['followUp', x])),
  };
  return { interaction: interaction as unknown as ButtonInteraction, calls };
}

/** The custom ids of the buttons in a list of action rows. */
function customIds(rows: Awaited<ReturnType<typeof offerCorrection>>): string[] {
  return rows.flatMap((r) => r.toJSON().components.map((c) => (c as { custom_id: string }).custom_id));
}

describe('offering and pressing the buttons under an /ask answer', () => {
  let dir: string;
  let store: AttuneStore;
  let engine: FakeEngine;
  let ctx: BotContext;
  let model: PersonModel;
  const prediction = (emotion: string, uncertain = false): Prediction => ({
    fused: { emotion, probabilities: { [emotion]: 0.7 }, confidence: 0.7, uncertain },
    generic: false,
    weights: { face: 0.5, voice: 0.5 },
  });

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-corrections-'));
    store = await openStore({ dataDir: dir });
    engine = new FakeEngine();
    let calibrating = false;
    ctx = {
      store,
      engine,
      logger: silentLogger,
      models: new PersonModels({ store, engine, logger: silentLogger }),
      corrections: new PendingCorrections({ store }),
      calibrations: { findByUser: () => (calibrating ? {} : undefined) },
    } as unknown as BotContext;
    (ctx as unknown as { setCalibrating: (v: boolean) => void }).setCalibrating = (v) => (calibrating = v);
    await store.grantConsent('alice', { textVersion: CONSENT_TEXT_VERSION, scope: CONSENT_SCOPE });
    for (const emotion of ['happy', 'neutral', 'sad']) {
      await store.addSample({
        personId: 'alice',
        emotion,
        signal: 'face',
        features: fakeFace(1),
        metadata: { source: 'attachment' },
      });
      await store.addSample({
        personId: 'alice',
        emotion,
        signal: 'voice',
        features: voice,
        metadata: { source: 'voice_channel' },
      });
    }
    const trained = await engine.train([], ['happy', 'neutral', 'sad']);
    if (!trained.ok) throw new Error('training failed');
    model = trained.value;
    await store.saveModel('alice', model);
    engine.trained = [];
  });
  afterEach(async () => {
    await ctx.models.settled();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('no consent, no model or nothing read: no buttons, nothing held', async () => {
    expect(await offerCorrection(ctx, 'bob', model, prediction('happy'), { face: fakeFace(2) })).toEqual([]);
    expect(await offerCorrection(ctx, 'alice', null, prediction('happy'), { face: fakeFace(2) })).toEqual([]);
    expect(await offerCorrection(ctx, 'alice', model, null, {})).toEqual([]);
    // A group photo is never held: the largest face may be someone else's.
    expect(await offerCorrection(ctx, 'alice', model, prediction('happy'), { face: fakeFace(2, 0, 3) })).toEqual([]);
    await store.revokeConsent('alice');
    expect(await offerCorrection(ctx, 'alice', model, prediction('happy'), { face: fakeFace(2), voice })).toEqual([]);
    expect(ctx.corrections.size).toBe(0);
  });

  test('"That\'s right" for the stated reading, then one button per other emotion of the model', async () => {
    const rows = await offerCorrection(ctx, 'alice', model, prediction('sad'), { face: fakeFace(2), voice });
    const ids = customIds(rows);
    expect(ids).toHaveLength(3);
    expect(ids.map((id) => id.split(':').slice(2))).toEqual([
      ['alice', 'sad'],
      ['alice', 'happy'],
      ['alice', 'neutral'],
    ]);
    const labels = rows.flatMap((r) => r.toJSON().components.map((c) => (c as { label: string }).label));
    expect(labels).toEqual(["That's right", 'I was feeling happy', 'I was feeling neutral']);
    // "Not sure": every emotion is offered, none is "right".
    const unsure = await offerCorrection(ctx, 'alice', model, prediction('sad', true), { voice });
    expect(customIds(unsure).map((id) => id.split(':')[3])).toEqual(['happy', 'neutral', 'sad']);
    expect(ctx.corrections.size).toBe(2);
  });

  test('a correction stores the face and voice read with the chosen label (source correction) and retrains in the background', async () => {
    const [id] = customIds(
      await offerCorrection(ctx, 'alice', model, prediction('happy'), { face: fakeFace(2), voice }),
    );
    const wrong = id!.replace(/:happy$/, ':sad');
    const other = press(wrong, 'bob');
    await expect(handleCorrectionButton(other.interaction, ctx)).rejects.toThrow('Only the person who asked');
    const mine = press(wrong, 'alice');
    await handleCorrectionButton(mine.interaction, ctx);
    await ctx.models.settled();
    const corrections = (await store.listSamples('alice')).filter((s) => s.metadata.source === 'correction');
    expect(corrections.map((s) => [s.signal, s.emotion])).toEqual([
      ['face', 'sad'],
      ['voice', 'sad'],
    ]);
    expect(corrections[0]!.features).toEqual(fakeFace(2));
    expect(engine.trained).toHaveLength(1);
    expect(engine.trained[0]).toHaveLength(8);
    expect(JSON.stringify(mine.calls)).toContain('Corrected: sad');
    expect(JSON.stringify(mine.calls)).toContain('/forget');
    // Pressed again (or after 15 minutes): it says so and stores nothing more.
    const again = press(wrong, 'alice');
    await handleCorrectionButton(again.interaction, ctx);
    expect(JSON.stringify(again.calls)).toContain('Expired');
    expect((await store.listSamples('alice')).length).toBe(8);
  });

  test('consent withdrawn after the answer: the press says what to do and keeps nothing', async () => {
    const [id] = customIds(await offerCorrection(ctx, 'alice', model, prediction('happy'), { voice }));
    await store.revokeConsent('alice');
    const p = press(id!, 'alice');
    await handleCorrectionButton(p.interaction, ctx);
    expect(JSON.stringify(p.calls)).toContain('Run `/calibrate`');
    expect((await store.listSamples('alice')).some((s) => s.metadata.source === 'correction')).toBe(false);
    expect(engine.trained).toHaveLength(0);
  });

  test("someone else's face is left out; the voice is kept; a running calibration trains instead", async () => {
    (ctx as unknown as { setCalibrating: (v: boolean) => void }).setCalibrating(true);
    const [id] = customIds(
      await offerCorrection(ctx, 'alice', model, prediction('happy'), { face: fakeFace(3, 7), voice }),
    );
    const p = press(id!, 'alice');
    await handleCorrectionButton(p.interaction, ctx);
    const corrections = (await store.listSamples('alice')).filter((s) => s.metadata.source === 'correction');
    expect(corrections.map((s) => [s.signal, s.emotion])).toEqual([['voice', 'happy']]);
    expect(JSON.stringify(p.calls)).toContain("doesn't look like the one in your calibration photos");
    expect(JSON.stringify(p.calls)).toContain('Confirmed: happy');
    await ctx.models.settled();
    expect(engine.trained).toHaveLength(0);
  });

  test('/forget deletes correction samples with the rest, and drops readings still held', async () => {
    const ids = customIds(await offerCorrection(ctx, 'alice', model, prediction('happy'), { voice }));
    await handleCorrectionButton(press(ids[0]!, 'alice').interaction, ctx);
    await ctx.models.settled();
    await offerCorrection(ctx, 'alice', model, prediction('happy'), { voice });
    expect(ctx.corrections.size).toBe(1);
    expect((await store.forgetPerson('alice')).samples).toBe(7);
    expect(await store.listSamples('alice')).toEqual([]);
    expect(ctx.corrections.size).toBe(0);
  });
});
