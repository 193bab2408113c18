import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { NetworkingStatusCode, SSRCMap, type VoiceConnection } from '@discordjs/voice';
import { ReceivePath, type ReceiveEvent } from '../../../src/bot/voice/ReceivePath';
import { AES_GCM_MODE, XCHACHA_MODE, type TransportMode } from '../../../src/bot/voice/transport';
import { silentLogger } from '../../../src/bot/util/log';
import { buildPacket } from './packets';

const ALICE_SSRC = 1111;
const BOB_SSRC = 2222;
const SILENCE = Buffer.from([0xf8, 0xff, 0xfe]);
const OPUS = Buffer.from([0xfc, 0x10, 0x20, 0x30]);

/**
 * A stand-in for the library's DAVE session wrapper: frames "encrypted" for it are
 * `[0x5a] + opus + FA FA`; anything else with the marker fails, as real ciphertext under a wrong key.
 */
function fakeDave(opts: { ready: boolean; protocolVersion?: number }) {
  return {
    protocolVersion: opts.protocolVersion ?? 1,
    reinitializing: false,
    lastTransitionId: 7,
    recoverFromInvalidTransition: jest.fn(),
    session: {
      ready: opts.ready,
      epoch: 2n,
      decrypt: jest.fn((_userId: string, _media: number, frame: Buffer) => {
        const n = frame.length;
        if (n > 3 && frame[0] === 0x5a && frame[n - 1] === 0xfa && frame[n - 2] === 0xfa)
          return frame.subarray(1, n - 2);
        throw new Error('DecryptionFailed');
      }),
    },
  };
}
const daveFrame = (opus: Buffer) => Buffer.concat([Buffer.from([0x5a]), opus, Buffer.from([0xfa, 0xfa])]);
const badDaveFrame = (opus: Buffer) => Buffer.concat([Buffer.from([0x33]), opus, Buffer.from([0xfa, 0xfa])]);

function setup(options: { mode?: TransportMode; dave?: ReturnType<typeof fakeDave> } = {}) {
  const key = crypto.randomBytes(32);
  const mode = options.mode ?? AES_GCM_MODE;
  const udp = new EventEmitter();
  const networking = Object.assign(new EventEmitter(), {
    state: {
      code: NetworkingStatusCode.Ready,
      connectionData: { encryptionMode: mode, secretKey: new Uint8Array(key) },
      dave: options.dave,
      udp,
    },
  });
  const ssrcMap = new SSRCMap();
  ssrcMap.update({ userId: 'alice', audioSSRC: ALICE_SSRC });
  ssrcMap.update({ userId: 'bob', audioSSRC: BOB_SSRC });
  const connection = Object.assign(new EventEmitter(), {
    state: { status: 'ready', networking },
    receiver: { ssrcMap },
  });
  let now = 1_000_000;
  const path = new ReceivePath(connection as unknown as VoiceConnection, silentLogger, {
    guildId: 'g',
    now: () => now,
    measure: true,
  });
  const events: Record<string, ReceiveEvent[]> = { alice: [], bob: [] };
  path.listen('alice', (e) => events['alice']!.push(e));
  path.listen('bob', (e) => events['bob']!.push(e));
  let seq = 0;
  const send = (
    payload: Buffer,
    more: { ssrc?: number; padding?: number; csrcs?: number[]; corrupt?: boolean } = {},
  ) => {
    seq++;
    const packet = buildPacket(
      {
        payload,
        sequence: seq,
        nonce: seq,
        ssrc: more.ssrc ?? ALICE_SSRC,
        extensionWords: 1,
        padding: more.padding,
        csrcs: more.csrcs,
      },
      key,
      mode,
    );
    if (more.corrupt) packet[packet.length - 6]! ^= 0xff;
    udp.emit('message', packet);
    now += 20;
  };
  return {
    path,
    udp,
    networking,
    connection,
    events,
    send,
    key,
    advance: (ms: number) => (now += ms),
    kinds: (user = 'alice') => events[user]!.map((e) => (e.type === 'dropped' ? e.reason : e.type)),
  };
}

describe.each([AES_GCM_MODE, XCHACHA_MODE] as const)('ReceivePath, transport-only call (%s)', (mode) => {
  test('audio, silence frames, padding-only and damaged packets, each judged on its own', () => {
    const t = setup({ mode });
    t.send(OPUS);
    t.send(OPUS, { padding: 7, csrcs: [1, 2] });
    t.send(Buffer.alloc(0), { padding: 20 });
    t.send(OPUS, { corrupt: true });
    t.send(OPUS);
    t.send(SILENCE);
    expect(t.kinds()).toEqual(['audio', 'audio', 'empty', 'transport', 'audio', 'silence']);
    const audio = t.events['alice']!.filter((e) => e.type === 'audio');
    for (const e of audio) expect(e.type === 'audio' && e.opus).toEqual(OPUS);
    const transport = t.events['alice']!.find((e) => e.type === 'dropped' && e.reason === 'transport');
    expect(transport).toMatchObject({ speech: true });
    expect(t.path.stats()).toMatchObject({ packets: 6, audio: 3, silence: 1, dropped: { empty: 1, transport: 1 } });
  });

  test('packets are attributed per speaker; unknown SSRCs, keep-alives and garbage go nowhere and never throw', () => {
    const t = setup({ mode });
    t.send(OPUS, { ssrc: BOB_SSRC });
    t.send(OPUS, { ssrc: 999 });
    t.udp.emit('message', Buffer.alloc(8));
    t.udp.emit('message', crypto.randomBytes(200));
    t.udp.emit('message', Buffer.from([0x9f, 120, 0, 0]));
    expect(t.kinds('bob')).toEqual(['audio']);
    expect(t.kinds('alice')).toEqual([]);
    expect(t.path.stats()).toMatchObject({ unattributed: 1 });
  });

  test('a frame carrying the DAVE marker is ciphertext we hold no key for: dropped, never audio', () => {
    const t = setup({ mode });
    t.send(daveFrame(OPUS));
    expect(t.kinds()).toEqual(['dave_not_ready']);
  });
});

describe('ReceivePath, DAVE call', () => {
  test('before the session is ready nothing is delivered as audio', () => {
    const t = setup({ dave: fakeDave({ ready: false }) });
    expect(t.path.ready).toBe(false);
    t.send(daveFrame(OPUS));
    t.send(OPUS);
    t.send(SILENCE);
    expect(t.kinds()).toEqual(['dave_not_ready', 'dave_not_ready', 'silence']);
  });

  test('ready: frames are decrypted per user; undecryptable and plain frames are dropped; silence frames pass', () => {
    const dave = fakeDave({ ready: true });
    const t = setup({ dave });
    expect(t.path.ready).toBe(true);
    t.send(daveFrame(OPUS));
    t.send(badDaveFrame(OPUS));
    t.send(OPUS);
    t.send(SILENCE);
    expect(t.kinds()).toEqual(['audio', 'dave_failed', 'plain_rejected', 'silence']);
    expect((t.events['alice']![0] as { opus: Buffer }).opus).toEqual(OPUS);
    expect(dave.session.decrypt).toHaveBeenCalledWith('alice', 0, expect.any(Buffer));
    expect(dave.session.decrypt).not.toHaveBeenCalledWith('alice', 0, SILENCE);
  });

  test('after a downgrade to transport-only, plain frames are audio again', () => {
    const t = setup({ dave: fakeDave({ ready: true, protocolVersion: 0 }) });
    t.send(OPUS);
    t.send(badDaveFrame(OPUS));
    expect(t.kinds()).toEqual(['audio', 'dave_failed']);
  });

  test('sustained failure asks the library to recover, rarely; plain and empty frames never do', () => {
    const dave = fakeDave({ ready: true });
    const t = setup({ dave });
    t.send(daveFrame(OPUS)); // the epoch is seen
    t.advance(3_000);
    for (let i = 0; i < 200; i++) t.send(OPUS); // plain frames: refused, but no recovery
    for (let i = 0; i < 200; i++) t.send(Buffer.alloc(0), { padding: 8 });
    expect(dave.recoverFromInvalidTransition).not.toHaveBeenCalled();
    for (let i = 0; i < 49; i++) t.send(badDaveFrame(OPUS));
    expect(dave.recoverFromInvalidTransition).not.toHaveBeenCalled();
    for (let i = 0; i < 60; i++) t.send(badDaveFrame(OPUS));
    expect(dave.recoverFromInvalidTransition).toHaveBeenCalledTimes(1);
    expect(dave.recoverFromInvalidTransition).toHaveBeenCalledWith(7);
    for (let i = 0; i < 500; i++) t.send(badDaveFrame(OPUS)); // 10 s more: rate-limited
    expect(dave.recoverFromInvalidTransition).toHaveBeenCalledTimes(1);
    expect(t.path.stats().recoveries).toBe(1);
  });

  test('a readable frame in between resets the failure count', () => {
    const dave = fakeDave({ ready: true });
    const t = setup({ dave });
    t.advance(5_000);
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 40; i++) t.send(badDaveFrame(OPUS));
      t.send(daveFrame(OPUS));
    }
    expect(dave.recoverFromInvalidTransition).not.toHaveBeenCalled();
  });
});

describe('ReceivePath bindings and activity', () => {
  test('follows the networking state to a new UDP socket and lets go of the old one', () => {
    const t = setup();
    const next = new EventEmitter();
    const previous = t.networking.state;
    t.networking.state = { ...previous, udp: next };
    t.networking.emit('stateChange', previous, t.networking.state);
    t.send(OPUS); // on the old socket: ignored
    expect(t.kinds()).toEqual([]);
    expect(t.udp.listenerCount('message')).toBe(0);
    expect(next.listenerCount('message')).toBe(1);
    t.path.close();
    expect(next.listenerCount('message')).toBe(0);
  });

  test('isQuiet: speech (even undecryptable) is activity; a silence frame is the client stopping', () => {
    const t = setup();
    expect(t.path.isQuiet('alice', 250)).toBe(true);
    t.send(OPUS);
    expect(t.path.isQuiet('alice', 250)).toBe(false);
    t.advance(300);
    expect(t.path.isQuiet('alice', 250)).toBe(true);
    t.send(OPUS, { corrupt: true });
    expect(t.path.isQuiet('alice', 250)).toBe(false);
    t.send(SILENCE);
    expect(t.path.isQuiet('alice', 250)).toBe(true);
  });

  test('measures its own cost per packet', () => {
    const t = setup();
    for (let i = 0; i < 10; i++) t.send(OPUS);
    const costs = t.path.packetCostsUs();
    expect(costs).toHaveLength(10);
    expect(costs.every((c) => c >= 0 && c < 1e6)).toBe(true);
  });
});
