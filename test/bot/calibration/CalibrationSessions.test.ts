import type { Guild, InteractionEditReplyOptions } from 'discord.js';
import { CalibrationSession, type CalibrationServices } from '../../../src/bot/calibration/CalibrationSession';
import { CalibrationSessions } from '../../../src/bot/calibration/CalibrationSessions';
import { silentLogger } from '../../../src/bot/util/log';
import type { AttuneStore } from '../../../src/storage';
import { FakeEngine } from '../helpers/fakeEngine';

/** Nothing here reaches the store or the voice manager: sessions are only registered and ended. */
const services: CalibrationServices = {
  config: { calibrationIdleMinutes: 10, keepRawMedia: false },
  store: {} as AttuneStore,
  engine: new FakeEngine(),
  logger: silentLogger,
  voice: { acquire: () => Promise.reject(new Error('no voice here')), release: () => undefined },
  reply: { transcriber: null },
};

const guild = (id: string) => ({ id, members: { cache: new Map() } }) as unknown as Guild;

describe('CalibrationSessions', () => {
  let sessions: CalibrationSessions;
  let edits: Array<{ personId: string; content: string }>;
  let ended: CalibrationSession[];

  const start = (guildId: string, personId: string): CalibrationSession => {
    const editor = {
      editReply: (options: InteractionEditReplyOptions) => {
        edits.push({ personId, content: String(options.content) });
        return Promise.resolve();
      },
    };
    const session = new CalibrationSession(
      services,
      guild(guildId),
      editor,
      { personId, channelId: 'c1', emotions: ['happy', 'sad'], target: 2, restart: false },
      (s) => {
        ended.push(s);
        sessions.remove(s);
      },
    );
    sessions.add(session);
    return session;
  };

  beforeEach(() => {
    sessions = new CalibrationSessions();
    edits = [];
    ended = [];
  });

  it('lets one person claim one calibration at a time, anywhere', () => {
    const claim = sessions.claim('u1');
    expect(claim).not.toBeNull();
    expect(sessions.claim('u1')).toBeNull();
    claim?.release();
    const again = sessions.claim('u1');
    expect(again).not.toBeNull();
    const session = start('g1', 'u1');
    // Registering replaces the claim; the running session keeps the person taken in every server.
    expect(sessions.claim('u1')).toBeNull();
    expect(sessions.get('g1', 'u1')).toBe(session);
    expect(sessions.get('g2', 'u1')).toBeUndefined();
    expect(sessions.findByUser('u1')).toBe(session);
    expect(sessions.findByUser('u2')).toBeUndefined();
    expect(sessions.size).toBe(1);
  });

  it('forgets a person: their calibration ends as forgotten and leaves the registry', () => {
    const mine = start('g1', 'u1');
    const theirs = start('g1', 'u2');
    sessions.forgetUser('u1');
    expect(mine.flow.state).toEqual({ status: 'ended', reason: 'forgotten' });
    expect(ended).toEqual([mine]);
    expect(sessions.findByUser('u1')).toBeUndefined();
    expect(sessions.get('g1', 'u2')).toBe(theirs);
    expect(sessions.size).toBe(1);
    expect(edits).toEqual([{ personId: 'u1', content: 'Calibration stopped: everything about you was deleted.' }]);
  });

  it('does not hand out a calibration that ended, even before it is removed', () => {
    const session = new CalibrationSession(
      services,
      guild('g1'),
      { editReply: () => Promise.resolve() },
      { personId: 'u1', channelId: 'c1', emotions: ['happy', 'sad'], target: 2, restart: false },
      () => undefined, // never removed
    );
    sessions.add(session);
    session.flow.cancel();
    expect(sessions.get('g1', 'u1')).toBeUndefined();
    expect(sessions.findByUser('u1')).toBeUndefined();
    expect(sessions.size).toBe(0);
    expect(sessions.claim('u1')).not.toBeNull();
  });

  it('shuts every calibration down, telling each person, and waits for the work of their ending', async () => {
    start('g1', 'u1');
    start('g2', 'u2');
    let released = false;
    sessions.track(
      new Promise<void>((resolve) =>
        setTimeout(() => {
          released = true;
          resolve();
        }, 20),
      ),
    );
    await sessions.shutDownAll();
    expect(released).toBe(true);
    expect(ended.map((s) => s.flow.state)).toEqual([
      { status: 'ended', reason: 'shut_down' },
      { status: 'ended', reason: 'shut_down' },
    ]);
    expect(edits.map((e) => e.content)).toEqual([
      'Attune is restarting. Your samples are kept: run `/calibrate` to continue where you left off.',
      'Attune is restarting. Your samples are kept: run `/calibrate` to continue where you left off.',
    ]);
    expect(sessions.size).toBe(0);
  });
});
