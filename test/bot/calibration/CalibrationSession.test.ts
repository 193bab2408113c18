import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Guild, InteractionEditReplyOptions } from 'discord.js';
import {
  CalibrationSession,
  type CalibrationServices,
  type MessageMedia,
} from '../../../src/bot/calibration/CalibrationSession';
import { silentLogger } from '../../../src/bot/util/log';
import { ok } from '../../../src/ml/types';
import { openStore, type AttuneStore } from '../../../src/storage';
import { FakeEngine } from '../helpers/fakeEngine';

/** Bytes the fake engine reads as a selfie of person 0 tagged `tag`, and as a clip. */
const photo = (tag: number): MessageMedia => ({
  kind: 'image',
  name: `${tag}.jpg`,
  contentType: 'image/jpeg',
  voiceMessage: false,
  bytes: () => Promise.resolve(ok(new Uint8Array([tag, 0, 1, 3]))),
});
const voiceMessage = (n: number): MessageMedia => ({
  kind: 'audio',
  name: 'voice-message.ogg',
  contentType: 'audio/ogg',
  voiceMessage: true,
  bytes: () => Promise.resolve(ok(new Uint8Array([n, 9, 9]))),
});

/** Lets the session's coalesced edits run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('CalibrationSession', () => {
  let dir: string;
  let store: AttuneStore;
  let engine: FakeEngine;
  let edits: InteractionEditReplyOptions[];
  let ended: number;

  const editor = {
    editReply: (options: InteractionEditReplyOptions) => {
      edits.push(options);
      return Promise.resolve();
    },
  };
  const contents = () => edits.map((e) => String(e.content));

  const makeSession = () => {
    const services: CalibrationServices = {
      config: { calibrationIdleMinutes: 10, keepRawMedia: false },
      store,
      engine,
      logger: silentLogger,
      voice: { acquire: () => Promise.reject(new Error('not in voice')), release: () => undefined },
      reply: { transcriber: null },
    };
    // Nobody is in a voice channel: clips come as voice messages.
    const guild = { id: 'g1', members: { cache: new Map() } } as unknown as Guild;
    return new CalibrationSession(
      services,
      guild,
      editor,
      { personId: 'u1', channelId: 'c1', emotions: ['happy', 'sad'], target: 2, restart: false },
      () => ended++,
    );
  };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-session-'));
    store = await openStore({ dataDir: dir });
    engine = new FakeEngine();
    edits = [];
    ended = 0;
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows the consent screen, and a decline ends it with nothing stored', async () => {
    const session = makeSession();
    await session.begin();
    expect(contents()[0]).toContain('Before we start');
    await session.press('decline', editor);
    expect(session.flow.state).toEqual({ status: 'ended', reason: 'declined' });
    expect(contents().at(-1)).toBe('No problem: nothing was recorded or stored.');
    expect(ended).toBe(1);
    expect(await store.getConsent('u1')).toBeNull();
  });

  it('collects by message, trains once complete, and refuses a retake while training', async () => {
    const session = makeSession();
    await session.begin();
    await session.press('agree', editor);
    await settle();
    expect(contents().at(-1)).toContain('Now: **happy**');
    expect(contents().at(-1)).toContain('Send a voice message');
    await session.takeMessageMedia([photo(1), photo(2), voiceMessage(1), voiceMessage(2)]);
    await settle();
    expect(contents().at(-1)).toContain('Now: **sad**');

    let release!: () => void;
    engine.trainGate = new Promise((resolve) => (release = resolve));
    const last = session.takeMessageMedia([photo(3), photo(4), voiceMessage(3), voiceMessage(4)]);
    for (let i = 0; i < 20 && session.flow.state.status !== 'training'; i++) await settle();
    expect(session.flow.state.status).toBe('training');
    expect(contents().at(-1)).toContain('Training your personal model');
    // The samples are complete and training has begun: nothing can be taken back now.
    const editsBefore = edits.length;
    await session.press('retake', editor);
    await settle();
    expect(edits).toHaveLength(editsBefore);
    expect(await store.countSamples('u1')).toEqual({ happy: { face: 2, voice: 2 }, sad: { face: 2, voice: 2 } });

    release();
    await last;
    expect(session.flow.state).toEqual({ status: 'ended', reason: 'done' });
    expect(contents().at(-1)).toContain('accuracy');
    expect(edits.at(-1)?.files).toHaveLength(1);
    expect(ended).toBe(1);
    expect(await store.loadModel('u1')).not.toBeNull();
  });

  it('skips the consent screen for a person who already agreed to this wording', async () => {
    const first = makeSession();
    await first.begin();
    await first.press('agree', editor);
    first.flow.cancel();
    edits = [];
    const again = makeSession();
    await again.begin();
    await settle();
    expect(again.flow.state.status).toBe('collecting');
    expect(contents().some((c) => c.includes('Before we start'))).toBe(false);
    expect(contents().at(-1)).toContain('**Calibration**');
  });
});
