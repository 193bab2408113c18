import { randomBytes } from 'node:crypto';
import { isStoreError, openStore } from '../../src/storage';
import { BACKENDS, freshPostgresUrl, testPostgres } from './helpers/backends';
import { voiceSample } from './helpers/fixtures';

describe.each(BACKENDS.filter((b) => b.name === 'postgres'))('PostgreSQL connection failures ($name)', () => {
  it('an unreachable database at start: StoreError unavailable naming host and port, never the password', async () => {
    let error: unknown;
    try {
      await openStore({
        databaseUrl: 'postgres://attune:s3cret-pw@127.0.0.1:1/attune',
        masterKey: randomBytes(32),
        retryDelaysMs: [10, 20],
      });
    } catch (e) {
      error = e;
    }
    expect(isStoreError(error, 'unavailable')).toBe(true);
    expect((error as Error).message).toContain('127.0.0.1:1/attune');
    expect((error as Error).message).not.toContain('s3cret-pw');
  });

  it('the database going away mid-run: writes fail clearly with nothing stored, then work again when it is back', async () => {
    const server = await testPostgres();
    const store = await openStore({
      databaseUrl: await freshPostgresUrl(),
      masterKey: randomBytes(32),
      retryDelaysMs: [50, 100, 200, 400, 800],
    });
    try {
      await store.grantConsent('p1', { textVersion: 'v1', scope: ['voice'] });
      await store.addSample(voiceSample('p1', 'happy', 1));
      server.halt();
      await expect(store.addSample(voiceSample('p1', 'happy', 2))).rejects.toMatchObject({ code: 'unavailable' });
      // Back within the retry window: the pending write is retried and lands exactly once.
      const pending = store.addSample(voiceSample('p1', 'happy', 3));
      setTimeout(() => server.start(), 60);
      await expect(pending).resolves.toMatchObject({ emotion: 'happy' });
      expect(await store.countSamples('p1')).toEqual({ happy: { face: 0, voice: 2 } });
    } finally {
      await store.close();
    }
  });

  it('one calibration per person across processes: a lease in the database', async () => {
    const url = await freshPostgresUrl();
    const masterKey = randomBytes(32);
    let clock = 1_000_000;
    const [a, b] = await Promise.all([
      openStore({ databaseUrl: url, masterKey, now: () => new Date(clock) }),
      openStore({ databaseUrl: url, masterKey, now: () => new Date(clock) }),
    ]);
    try {
      const both = await Promise.all([a.claimPerson('p1', 'shard-0', 60_000), b.claimPerson('p1', 'shard-1', 60_000)]);
      expect(both.filter(Boolean)).toHaveLength(1);
      const [winner, loser] = both[0] ? [a, b] : [b, a];
      const [win, lose] = both[0] ? ['shard-0', 'shard-1'] : ['shard-1', 'shard-0'];
      expect(await winner.claimPerson('p1', win, 60_000)).toBe(true);
      expect(await loser.claimPerson('p1', lose, 60_000)).toBe(false);
      clock += 61_000;
      // An expired claim (a crashed process) is taken over.
      expect(await loser.claimPerson('p1', lose, 60_000)).toBe(true);
      expect(await winner.releasePerson('p1', win)).toBe(false);
      expect(await loser.releasePerson('p1', lose)).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a forget in one process reaches watchers in another (LISTEN/NOTIFY) within a second', async () => {
    const url = await freshPostgresUrl();
    const masterKey = randomBytes(32);
    const [a, b] = await Promise.all([
      openStore({ databaseUrl: url, masterKey }),
      openStore({ databaseUrl: url, masterKey }),
    ]);
    try {
      await a.grantConsent('p1', { textVersion: 'v1', scope: ['voice'] });
      const heard = new Promise<number>((resolve) => void b.watchForget('p1', () => resolve(performance.now())));
      await new Promise((r) => setTimeout(r, 50));
      const start = performance.now();
      await a.forgetPerson('p1');
      expect((await heard) - start).toBeLessThan(1000);
      await expect(b.addSample(voiceSample('p1', 'happy'))).rejects.toMatchObject({ code: 'no_consent' });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
