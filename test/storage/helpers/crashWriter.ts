/**
 * Child process for the crash-safety test: writes to a store until the parent SIGKILLs it.
 * Usage: node --import tsx crashWriter.ts <dataDir> <mid-transaction|commit-loop>
 * Reports progress on stdout (synchronous on a pipe, so a reported commit really happened first).
 */
import { openStore } from '../../../src/storage';
import { faceSample, voiceSample } from './fixtures';

const [dataDir, mode] = process.argv.slice(2);

async function main(): Promise<void> {
  const store = await openStore({ dataDir });
  await store.grantConsent('crash', { textVersion: 'v1', scope: ['face', 'voice'] });

  for (let batch = 0; batch < 3; batch++) {
    await store.addSamples(
      Array.from({ length: 50 }, (_, i) =>
        i % 2 ? faceSample('crash', `batch${batch}`, i) : voiceSample('crash', `batch${batch}`, i),
      ),
    );
    process.stdout.write(`COMMITTED ${batch}\n`);
  }

  if (mode === 'mid-transaction') {
    // One endless transaction: the kill lands while it is open, after many uncommitted rows.
    await store.transaction(async (tx) => {
      for (let i = 0; ; i++) {
        await tx.addSample(faceSample('crash', 'uncommitted', i));
        if (i === 500) process.stdout.write('IN_TXN\n');
      }
    });
  } else {
    for (let n = 0; ; n++) {
      await store.addSample(voiceSample('crash', 'loop', n));
      process.stdout.write(`LOOP ${n}\n`);
    }
  }
}

void main();
