import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CalibrationFlow, type FlowEvent, type FlowState } from '../../../src/bot/calibration/CalibrationFlow';
import { CONSENT_TEXT_VERSION } from '../../../src/bot/calibration/consent';
import { openStore, StoreError, type AttuneStore } from '../../../src/storage';
import { FakeEngine } from '../helpers/fakeEngine';

// Bytes: tag, person, number of faces (see fakeEngine), padding.
const face = (tag: number, person = 0, faces = 1) => new Uint8Array([tag, person, faces, 3]);
const clip = (n: number) => new Uint8Array([n, 9, 9]);

describe('CalibrationFlow', () => {
  let dir: string;
  let store: AttuneStore;
  let engine: FakeEngine;
  let events: FlowEvent[];

  const makeFlow = (over: Partial<ConstructorParameters<typeof CalibrationFlow>[0]> = {}) =>
    new CalibrationFlow({
      personId: 'u1',
      guildId: 'g1',
      channelId: 'c1',
      emotions: ['happy', 'sad'],
      target: 2,
      store,
      engine,
      idleMs: 60_000,
      onEvent: (e) => events.push(e),
      ...over,
    });

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-flow-'));
    store = await openStore({ dataDir: dir });
    engine = new FakeEngine();
    events = [];
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
    jest.useRealTimers();
  });

  it('processes nothing before consent and stores nothing on decline', async () => {
    const flow = makeFlow();
    const early = await flow.submitFace(face(5), { source: 'attachment' });
    expect(early).toMatchObject({ ok: false, code: 'wrong_state' });
    const consent = flow.state;
    flow.decline();
    expect(flow.state).toEqual({ status: 'ended', reason: 'declined' });
    expect(await store.getConsent('u1')).toBeNull();
    expect(await store.describePerson('u1')).toBeNull();
    expect(events).toEqual([{ type: 'state', from: consent, to: { status: 'ended', reason: 'declined' } }]);
  });

  it('records consent, labels samples emotion by emotion, and trains', async () => {
    const flow = makeFlow();
    expect((await flow.agree()).ok).toBe(true);
    expect(await store.getConsent('u1')).toMatchObject({
      textVersion: CONSENT_TEXT_VERSION,
      scope: ['face', 'voice'],
      revokedAt: null,
    });
    expect(flow.currentEmotion).toBe('happy');
    for (const n of [1, 2]) expect((await flow.submitFace(face(n), { source: 'attachment' })).ok).toBe(true);
    // Happy has its photos but still needs clips: a third photo is refused, the emotion stays.
    const extra = await flow.submitFace(face(3), { source: 'attachment' });
    expect(extra).toMatchObject({ ok: false, code: 'already_complete' });
    expect(flow.currentEmotion).toBe('happy');
    expect(flow.wants('face')).toBe(false);
    expect(flow.wants('voice')).toBe(true);
    for (const n of [1, 2]) expect((await flow.submitVoice(clip(n), { source: 'voice_message' })).ok).toBe(true);
    expect(flow.currentEmotion).toBe('sad');
    for (const n of [4, 5]) await flow.submitFace(face(n), { source: 'attachment' });
    for (const n of [3, 4]) await flow.submitVoice(clip(n), { source: 'voice_message' });
    expect(flow.isComplete()).toBe(true);
    expect(flow.progress().counts).toEqual({ happy: { face: 2, voice: 2 }, sad: { face: 2, voice: 2 } });

    const model = await flow.train();
    expect(model.ok).toBe(true);
    expect(flow.state).toEqual({ status: 'ended', reason: 'done' });
    expect((await store.loadModel('u1'))?.report.fused?.accuracy).toBe(0.9);
    const trainedOn = engine.trained[0] ?? [];
    expect(trainedOn.filter((s) => s.emotion === 'happy' && s.face).map((s) => s.face?.geometry.tag)).toEqual([1, 2]);
    expect(trainedOn.filter((s) => s.emotion === 'sad' && s.face).map((s) => s.face?.geometry.tag)).toEqual([4, 5]);
    expect(events.flatMap((e) => (e.type === 'state' ? [e.to.status] : []))).toEqual([
      'collecting',
      'training',
      'ended',
    ]);
  });

  it('passes the core failure through and stores nothing for a bad sample', async () => {
    const flow = makeFlow();
    await flow.agree();
    expect(await flow.submitFace(face(0), { source: 'attachment' })).toEqual({
      ok: false,
      code: 'no_face',
      message: 'No face found in that photo.',
    });
    expect(await flow.submitFace(new Uint8Array(), { source: 'attachment' })).toMatchObject({
      ok: false,
      code: 'empty',
    });
    expect(
      await flow.submitVoice({ samples: new Float32Array(4800), sampleRate: 48000 }, { source: 'voice_channel' }),
    ).toMatchObject({ ok: false, code: 'silence' });
    expect(await store.countSamples('u1')).toEqual({});
  });

  it('takes selfies of the person only: a group photo is refused, and so is someone else once there are photos', async () => {
    const flow = makeFlow();
    await flow.agree();
    const group = await flow.submitFace(face(1, 0, 10), { source: 'attachment' });
    expect(group).toMatchObject({ ok: false, code: 'invalid' });
    expect(!group.ok && group.message).toContain('10 faces');
    expect((await flow.submitFace(face(1), { source: 'attachment' })).ok).toBe(true);
    const stranger = await flow.submitFace(face(2, 7), { source: 'attachment' });
    expect(stranger).toMatchObject({ ok: false, code: 'invalid' });
    expect(!stranger.ok && stranger.message).toContain("doesn't look like");
    expect((await flow.submitFace(face(3), { source: 'attachment' })).ok).toBe(true);
    expect((await store.countSamples('u1'))['happy']?.face).toBe(2);
  });

  it("keeps no count for a sample the database did not take, and says so in the flow's own terms", async () => {
    const flow = makeFlow();
    await flow.agree();
    jest
      .spyOn(store, 'addSample')
      .mockRejectedValueOnce(new StoreError('unavailable', 'PostgreSQL at db:5432 is unreachable'));
    const lost = await flow.submitFace(face(1), { source: 'attachment' });
    expect(lost).toMatchObject({ ok: false, code: 'store_unavailable' });
    expect(!lost.ok && lost.message).toContain('database is not answering');
    expect(flow.progress().counts.happy).toEqual({ face: 0, voice: 0 });
    expect((await flow.submitFace(face(1), { source: 'attachment' })).ok).toBe(true);
  });

  it('labels a sample with the emotion current when it arrived', async () => {
    const flow = makeFlow({ target: 2 });
    await flow.agree();
    await flow.submitVoice(clip(1), { source: 'voice_message' });
    await flow.submitVoice(clip(2), { source: 'voice_message' });
    // Both photos are sent together while happy is current; they finish after each other.
    const [a, b, c] = await Promise.all([1, 2, 3].map((n) => flow.submitFace(face(n), { source: 'attachment' })));
    expect([a?.ok, b?.ok]).toEqual([true, true]);
    expect(c).toMatchObject({ ok: false, code: 'already_complete' });
    expect(await store.countSamples('u1')).toEqual({ happy: { face: 2, voice: 2 } });
  });

  it('retakes the last sample, going back an emotion when needed', async () => {
    const flow = makeFlow({ target: 2 });
    await flow.agree();
    expect(await flow.retakeLast()).toMatchObject({ ok: false, code: 'nothing_to_retake' });
    for (const n of [1, 2]) await flow.submitFace(face(n), { source: 'attachment' });
    for (const n of [1, 2]) await flow.submitVoice(clip(n), { source: 'voice_message' });
    expect(flow.currentEmotion).toBe('sad');
    const undone = await flow.retakeLast();
    expect(undone).toMatchObject({ ok: true, value: { emotion: 'happy', signal: 'voice' } });
    expect(flow.currentEmotion).toBe('happy');
    expect(await store.countSamples('u1')).toEqual({ happy: { face: 2, voice: 1 } });
  });

  it('skips a signal for the rest of the flow but never both', async () => {
    const flow = makeFlow({ target: 2 });
    await flow.agree();
    expect(flow.skip('voice').ok).toBe(true);
    expect(await flow.submitVoice(clip(1), { source: 'voice_message' })).toMatchObject({
      ok: false,
      code: 'signal_skipped',
    });
    expect(flow.skip('face')).toMatchObject({ ok: false, code: 'last_signal' });
    for (const n of [1, 2, 3, 4]) await flow.submitFace(face(n), { source: 'attachment' });
    expect(flow.isComplete()).toBe(true);
    expect(flow.progress().sentence).toBeNull();
    await flow.train();
    expect(engine.trained[0]?.every((s) => s.face && !s.voice)).toBe(true);
  });

  it('times out when idle, keeping the samples, and a new flow resumes from them', async () => {
    jest.useFakeTimers();
    const flow = makeFlow({ idleMs: 10_000 });
    await flow.agree();
    await flow.submitFace(face(1), { source: 'attachment' });
    jest.advanceTimersByTime(9_999);
    expect(flow.active).toBe(true);
    jest.advanceTimersByTime(1);
    expect(flow.state).toEqual({ status: 'ended', reason: 'timed_out' });
    expect(events.at(-1)).toMatchObject({ type: 'state', to: { status: 'ended', reason: 'timed_out' } });
    expect(await flow.submitFace(face(2), { source: 'attachment' })).toMatchObject({ ok: false, code: 'wrong_state' });

    const again = makeFlow();
    expect(await again.hasCurrentConsent()).toBe(true);
    await again.agree();
    expect(again.progress().counts.happy).toEqual({ face: 1, voice: 0 });
  });

  it('activity restarts the idle clock', async () => {
    jest.useFakeTimers();
    const flow = makeFlow({ idleMs: 10_000 });
    await flow.agree();
    jest.advanceTimersByTime(8_000);
    await flow.submitFace(face(1), { source: 'attachment' });
    jest.advanceTimersByTime(8_000);
    expect(flow.active).toBe(true);
    jest.advanceTimersByTime(2_000);
    expect(flow.state).toEqual({ status: 'ended', reason: 'timed_out' });
  });

  it('restart deletes earlier samples of the flow emotions only after agreeing', async () => {
    const first = makeFlow();
    await first.agree();
    await first.submitFace(face(1), { source: 'attachment' });
    first.cancel();
    const second = makeFlow({ restart: true, emotions: ['happy'] });
    expect(await store.countSamples('u1')).toEqual({ happy: { face: 1, voice: 0 } });
    await second.agree();
    expect(await store.countSamples('u1')).toEqual({});
  });

  it('refuses to train before enough and does not save after forget mid-training', async () => {
    const flow = makeFlow({ emotions: ['happy'], target: 2 });
    await flow.agree();
    expect(await flow.train()).toMatchObject({ ok: false, code: 'not_enough_samples' });
    for (const n of [1, 2]) await flow.submitFace(face(n), { source: 'attachment' });
    for (const n of [1, 2]) await flow.submitVoice(clip(n), { source: 'voice_message' });
    let release!: () => void;
    engine.trainGate = new Promise((r) => (release = r));
    const training = flow.train();
    expect(flow.state.status).toBe('training');
    await store.forgetPerson('u1');
    flow.forget();
    release();
    expect(await training).toMatchObject({ ok: false, code: 'wrong_state' });
    expect(await store.loadModel('u1')).toBeNull();
    expect(await store.describePerson('u1')).toBeNull();
  });
  it('cleans up what a state owned when it is left: the idle timer, and the recordings of collecting', async () => {
    jest.useFakeTimers();
    const flow = makeFlow();
    expect(jest.getTimerCount()).toBe(1);
    const consent = flow.state;
    await flow.agree();
    const collecting = flow.state;
    if (consent.status !== 'consent' || collecting.status !== 'collecting') throw new Error('not collecting');
    // Agreeing is not activity: the consent screen's idle clock carries on into collecting.
    expect(collecting.idle).toBe(consent.idle);
    expect(collecting.stop.signal.aborted).toBe(false);
    flow.cancel();
    expect(collecting.stop.signal.aborted).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
    expect(events.flatMap((e) => (e.type === 'state' ? [[e.from.status, e.to.status]] : []))).toEqual([
      ['consent', 'collecting'],
      ['collecting', 'ended'],
    ]);
  });

  it('reads the consent once for the consent screen and agreeing', async () => {
    const flow = makeFlow();
    await flow.agree();
    flow.cancel();
    const again = makeFlow();
    const getConsent = jest.spyOn(store, 'getConsent');
    const grantConsent = jest.spyOn(store, 'grantConsent');
    expect(await again.hasCurrentConsent()).toBe(true);
    expect((await again.agree()).ok).toBe(true);
    expect(getConsent).toHaveBeenCalledTimes(1);
    expect(grantConsent).not.toHaveBeenCalled();
  });

  it('checks a selfie against the photos it has seen before asking the store, which stays the judge', async () => {
    const flow = makeFlow({ target: 3 });
    await flow.agree();
    // A photo the flow never saw (e.g. kept from an /ask answer) is stored already.
    const features = await engine.analyzeFace(face(9));
    if (!features.ok) throw new Error('no face');
    await store.addSample({
      personId: 'u1',
      emotion: 'sad',
      signal: 'face',
      features: features.value,
      metadata: { source: 'attachment' },
    });
    const listSamples = jest.spyOn(store, 'listSamples');
    expect((await flow.submitFace(face(1), { source: 'attachment' })).ok).toBe(true);
    expect(listSamples).toHaveBeenCalledTimes(1);
    // Near a photo the flow has seen: the store is not read again.
    expect((await flow.submitFace(face(2), { source: 'attachment' })).ok).toBe(true);
    expect(listSamples).toHaveBeenCalledTimes(1);
    // Near none: the store decides, and refuses.
    const stranger = await flow.submitFace(face(3, 7), { source: 'attachment' });
    expect(stranger).toMatchObject({ ok: false, code: 'invalid' });
    expect(listSamples).toHaveBeenCalledTimes(2);
    // A retaken photo is forgotten by the flow as by the store: the next selfie asks the store again.
    await flow.retakeLast();
    await flow.retakeLast();
    await store.forgetPerson('u1');
    await store.grantConsent('u1', { textVersion: CONSENT_TEXT_VERSION, scope: ['face', 'voice'] });
    expect((await flow.submitFace(face(4, 7), { source: 'attachment' })).ok).toBe(true);
    expect(listSamples).toHaveBeenCalledTimes(3);
  });

  describe('transitions', () => {
    type From = 'consent' | 'collecting' | 'complete' | 'training' | 'ended';
    type Event =
      'agree' | 'decline' | 'face' | 'voice' | 'retake' | 'skip' | 'train' | 'cancel' | 'shutDown' | 'forget' | 'idle';
    /** The state after the event: a status (`ended:<reason>` for an end), or 'refused' (state unchanged). */
    type Next = FlowState['status'] | `ended:${string}` | 'refused';
    const IDLE_MS = 10_000;

    // prettier-ignore
    const TABLE: Array<[From, Event, Next]> = [
      ['consent', 'agree', 'collecting'],
      ['consent', 'decline', 'ended:declined'],
      ['consent', 'face', 'refused'],
      ['consent', 'voice', 'refused'],
      ['consent', 'retake', 'refused'],
      ['consent', 'skip', 'refused'],
      ['consent', 'train', 'refused'],
      ['consent', 'cancel', 'ended:cancelled'],
      ['consent', 'shutDown', 'ended:shut_down'],
      ['consent', 'forget', 'ended:forgotten'],
      ['consent', 'idle', 'ended:timed_out'],
      ['collecting', 'agree', 'refused'],
      ['collecting', 'decline', 'refused'],
      ['collecting', 'face', 'collecting'],
      ['collecting', 'voice', 'collecting'],
      ['collecting', 'retake', 'collecting'],
      ['collecting', 'skip', 'collecting'],
      ['collecting', 'train', 'refused'],
      ['collecting', 'cancel', 'ended:cancelled'],
      ['collecting', 'shutDown', 'ended:shut_down'],
      ['collecting', 'forget', 'ended:forgotten'],
      ['collecting', 'idle', 'ended:timed_out'],
      ['complete', 'face', 'refused'],
      ['complete', 'train', 'ended:done'],
      ['training', 'agree', 'refused'],
      ['training', 'decline', 'refused'],
      ['training', 'face', 'refused'],
      ['training', 'voice', 'refused'],
      ['training', 'retake', 'refused'],
      ['training', 'skip', 'refused'],
      ['training', 'train', 'refused'],
      ['training', 'idle', 'refused'],
      ['training', 'cancel', 'ended:cancelled'],
      ['training', 'shutDown', 'ended:shut_down'],
      ['training', 'forget', 'ended:forgotten'],
      ['ended', 'agree', 'refused'],
      ['ended', 'decline', 'refused'],
      ['ended', 'face', 'refused'],
      ['ended', 'retake', 'refused'],
      ['ended', 'skip', 'refused'],
      ['ended', 'train', 'refused'],
      ['ended', 'cancel', 'refused'],
      ['ended', 'shutDown', 'refused'],
      ['ended', 'forget', 'refused'],
      ['ended', 'idle', 'refused'],
    ];

    /** A flow of one emotion (2 photos, 2 clips) driven to `from`; `release` lets a gated training finish. */
    async function flowIn(from: From): Promise<{ flow: CalibrationFlow; training?: Promise<unknown> }> {
      const flow = makeFlow({ emotions: ['happy'], idleMs: IDLE_MS });
      if (from === 'consent') return { flow };
      await flow.agree();
      await flow.submitFace(face(1), { source: 'attachment' });
      if (from === 'collecting') return { flow };
      if (from === 'ended') {
        flow.cancel();
        return { flow };
      }
      await flow.submitFace(face(2), { source: 'attachment' });
      for (const n of [1, 2]) await flow.submitVoice(clip(n), { source: 'voice_message' });
      expect(flow.isComplete()).toBe(true);
      if (from === 'complete') return { flow };
      engine.trainGate = new Promise((resolve) => (releaseTraining = resolve));
      const training = flow.train();
      expect(flow.state.status).toBe('training');
      return { flow, training };
    }

    /** Applies `event`; its result when it has one (a refused event answers with a failure). */
    async function apply(flow: CalibrationFlow, event: Event): Promise<{ ok: boolean; code?: string } | undefined> {
      switch (event) {
        case 'agree':
          return flow.agree();
        case 'decline':
          flow.decline();
          return undefined;
        case 'face':
          return flow.submitFace(face(3), { source: 'attachment' });
        case 'voice':
          return flow.submitVoice(clip(3), { source: 'voice_message' });
        case 'retake':
          return flow.retakeLast();
        case 'skip':
          return flow.skip('voice');
        case 'train':
          return flow.train();
        case 'cancel':
          flow.cancel();
          return undefined;
        case 'shutDown':
          flow.shutDown();
          return undefined;
        case 'forget':
          flow.forget();
          return undefined;
        case 'idle':
          return void jest.advanceTimersByTime(IDLE_MS);
      }
    }

    /** The flow's own refusals, and training asked for too early. */
    const REFUSAL_CODES =
      /^(wrong_state|already_complete|signal_skipped|last_signal|nothing_to_retake|not_enough_samples)$/;

    let releaseTraining: (() => void) | null = null;
    beforeEach(() => {
      jest.useFakeTimers();
      releaseTraining = null;
    });

    it.each(TABLE)('%s + %s -> %s', async (from, event, next) => {
      const { flow, training } = await flowIn(from);
      const before = flow.state;
      events = [];
      const result = await apply(flow, event);
      const after = flow.state;
      if (next === 'refused') {
        expect(after).toBe(before);
        // Refused for where the flow is, never as if the media were bad.
        if (result) {
          expect(result.ok).toBe(false);
          expect(result.code).toMatch(REFUSAL_CODES);
        }
        expect(events.filter((e) => e.type === 'state')).toEqual([]);
      } else {
        expect(after.status === 'ended' ? `ended:${after.reason}` : after.status).toBe(next);
        if (result) expect(result.ok).toBe(true);
        // Each change is told once, from the state it left (train passes through training).
        const changes = events.flatMap((e) => (e.type === 'state' ? [e] : []));
        if (after !== before) expect(changes[0]?.from).toBe(before);
        expect(changes.at(-1)?.to ?? before).toBe(after);
        for (const [i, change] of changes.entries()) if (i > 0) expect(change.from).toBe(changes[i - 1]?.to);
      }
      releaseTraining?.();
      await training;
    });

    it('lists every state and event at least once', () => {
      const froms = new Set(TABLE.map(([from]) => from));
      const evs = new Set(TABLE.map(([, event]) => event));
      expect([...froms].sort()).toEqual(['collecting', 'complete', 'consent', 'ended', 'training']);
      expect(evs.size).toBe(11);
    });
  });
});
