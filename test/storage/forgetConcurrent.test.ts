import { openStore } from '../../src/storage';
import { faceSample, tempDir } from './helpers/fixtures';

/**
 * SQLite: /forget checkpoints the WAL after its transaction commits. That checkpoint must wait its
 * turn on the shared connection: run while another transaction was open there, it failed with
 * "database table is locked" (seen under bench:soak: 13 of some 450 forgets in 10 minutes).
 */
describe('forgetPerson alongside other writes (SQLite)', () => {
  test('a forget whose checkpoint comes while another transaction is open neither fails nor blocks it', async () => {
    const { dir, cleanup } = tempDir();
    const store = await openStore({ dataDir: dir });
    try {
      const people = Array.from({ length: 8 }, (_, i) => `90000000000000000${i}`);
      for (const p of people) {
        await store.grantConsent(p, { textVersion: 'v1', scope: ['face', 'voice'] });
        await store.addSample(faceSample(p, 'happy', 0));
      }
      // Forgets interleaved with transactions that hold the connection across awaits.
      const work: Promise<unknown>[] = [];
      for (const [i, p] of people.entries()) {
        work.push(store.forgetPerson(p));
        if (i % 2 === 0) {
          const other = people[(i + 1) % people.length]!;
          work.push(
            store.transaction(async (tx) => {
              await tx.countSamples(other);
              await new Promise((r) => setTimeout(r, 5));
              await tx.countSamples(other);
            }),
          );
        }
      }
      const results = await Promise.allSettled(work);
      expect(results.filter((r) => r.status === 'rejected').map((r) => String(r.reason))).toEqual([]);
      for (const p of people) expect(await store.describePerson(p)).toBeNull();
    } finally {
      await store.close();
      cleanup();
    }
  });
});
