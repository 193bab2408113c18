import tls from 'node:tls';
import { startTestStandin } from './fixtures';

/** Opens a TLS connection with the process's default CAs and reports whether verification passed. */
function verifies(endpoint: string): Promise<true | string> {
  const [host, port] = endpoint.split(':');
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port: Number(port), servername: undefined }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', (err: Error) => resolve(err.message));
  });
}

describe('stand-in certificates', () => {
  it('are each trusted when one process starts several stand-ins in turn', async () => {
    const first = await startTestStandin();
    expect(await verifies(first.voiceEndpoint)).toBe(true);
    await first.close();
    const second = await startTestStandin();
    try {
      expect(await verifies(second.voiceEndpoint)).toBe(true);
    } finally {
      await second.close();
    }
  });
});
