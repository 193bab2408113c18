import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachmentKind, checkAttachmentUrl, fetchAttachment } from '../../../src/bot/util/attachments';
import { DownloadLimiter } from '../../../src/bot/util/DownloadLimiter';
import { containing, matching } from '../../helpers/matchers';

describe('checkAttachmentUrl', () => {
  const hosts = ['cdn.discordapp.com', 'media.discordapp.net', '127.0.0.1:8123'];
  it.each([
    ['https://cdn.discordapp.com/attachments/1/2/a.png', true],
    ['https://media.discordapp.net/attachments/1/2/a.png?x=1', true],
    ['http://127.0.0.1:8123/attachments/a.png', true],
    ['http://cdn.discordapp.com/attachments/a.png', false], // Discord itself only over https
    ['https://cdn.discordapp.com.evil.example/a.png', false],
    ['https://evil.example/cdn.discordapp.com/a.png', false],
    ['http://127.0.0.1:8124/a.png', false], // right host, wrong port
    ['https://user:pw@cdn.discordapp.com/a.png', false],
    ['file:///etc/passwd', false],
    ['not a url', false],
  ])('%s → %s', (url, allowed) => {
    expect(checkAttachmentUrl(url, hosts).ok).toBe(allowed);
  });
});

describe('attachmentKind', () => {
  it('reads the declared type, then the name', () => {
    expect(attachmentKind({ contentType: 'image/jpeg', name: 'x' })).toBe('image');
    expect(attachmentKind({ contentType: 'audio/ogg', name: 'voice-message.ogg' })).toBe('audio');
    expect(attachmentKind({ contentType: null, name: 'clip.WAV' })).toBe('audio');
    expect(attachmentKind({ contentType: 'application/pdf', name: 'cv.pdf' })).toBe('other');
  });
});

describe('fetchAttachment', () => {
  let server: http.Server;
  let host: string;
  let bodies: Record<string, Buffer | 'slow' | 'redirect'>;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const body = bodies[req.url ?? ''];
      if (body === undefined) return void res.writeHead(404).end();
      if (body === 'redirect') return void res.writeHead(302, { location: 'http://evil.example/' }).end();
      if (body === 'slow') return void res.writeHead(200).write('x'); // never ends
      // Chunked, no content-length: the limit must hold while streaming.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (let i = 0; i < body.length; i += 1000) res.write(body.subarray(i, i + 1000));
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    bodies = {
      '/ok': Buffer.alloc(5000, 7),
      '/big': Buffer.alloc(50_000, 1),
      '/empty': Buffer.alloc(0),
      '/slow': 'slow',
      '/redirect': 'redirect',
    };
  });

  const get = (path: string, size: number, opts: { maxBytes?: number; timeoutMs?: number } = {}) =>
    fetchAttachment(
      { url: `http://${host}${path}`, size },
      { allowedHosts: [host], maxBytes: opts.maxBytes ?? 10_000, timeoutMs: opts.timeoutMs },
    );

  it('downloads a file within the limit', async () => {
    const r = await get('/ok', 5000);
    expect(r.ok && r.value.length).toBe(5000);
    expect(r.ok && r.value[4999]).toBe(7);
  });

  it('refuses by declared size before downloading', async () => {
    expect(await get('/ok', 20_000)).toEqual({
      ok: false,
      code: 'too_large',
      message: 'That file is 0.02 MB; the limit is 0.01 MB.',
    });
    expect(await get('/ok', 0)).toMatchObject({ ok: false, code: 'empty' });
  });

  it('aborts while streaming when the declared size lied', async () => {
    expect(await get('/big', 100)).toMatchObject({ ok: false, code: 'too_large' });
  });

  it('reports empty bodies, HTTP errors, redirects and timeouts as failures', async () => {
    expect(await get('/empty', 10)).toMatchObject({ ok: false, code: 'empty' });
    expect(await get('/missing', 10)).toMatchObject({
      ok: false,
      code: 'http_error',
      message: containing('HTTP 404'),
    });
    expect(await get('/redirect', 10)).toMatchObject({ ok: false, code: 'network_error' });
    expect(await get('/slow', 10, { timeoutMs: 200 })).toMatchObject({
      ok: false,
      code: 'timed_out',
      message: containing('too long'),
    });
  });

  it('cuts a host that sends headers and then trickles a byte at a time, at the limit', async () => {
    const trickle = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      const timer = setInterval(() => res.write('x'), 50);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((r) => trickle.listen(0, '127.0.0.1', r));
    const at = `127.0.0.1:${(trickle.address() as AddressInfo).port}`;
    try {
      const t0 = Date.now();
      const r = await fetchAttachment(
        { url: `http://${at}/t`, size: 1000 },
        { allowedHosts: [at], maxBytes: 10_000, timeoutMs: 600 },
      );
      const ms = Date.now() - t0;
      expect(r).toEqual({
        ok: false,
        code: 'timed_out',
        message: 'Downloading that file took too long (over 600 ms); please try again.',
      });
      expect(ms).toBeGreaterThanOrEqual(590);
      expect(ms).toBeLessThan(1500);
    } finally {
      trickle.closeAllConnections();
      await new Promise<void>((r) => trickle.close(() => r()));
    }
  });

  it('the limit holds even when the body ignores the abort signal', async () => {
    // A fetch whose body trickles forever and never hears the abort: only the deadline can end it.
    let cancelled = false;
    const fetchImpl = (() => {
      let timer: NodeJS.Timeout;
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          timer = setInterval(() => c.enqueue(Uint8Array.of(1)), 50);
        },
        cancel() {
          cancelled = true;
          clearInterval(timer);
        },
      });
      return Promise.resolve(new Response(body, { status: 200 }));
    }) as unknown as typeof fetch;
    const url = 'https://cdn.discordapp.com/attachments/1/2/a.ogg';
    const download = fetchAttachment(
      { url, size: 1000 },
      { allowedHosts: ['cdn.discordapp.com'], maxBytes: 10_000, timeoutMs: 300, fetchImpl },
    );
    const guard = new Promise((r) => setTimeout(() => r('still downloading after 2 s'), 2000));
    expect(await Promise.race([download, guard])).toMatchObject({
      ok: false,
      message: containing('too long'),
    });
    expect(cancelled).toBe(true);
  });

  it('never contacts a host off the allow-list', async () => {
    const fetchImpl = jest.fn();
    const r = await fetchAttachment(
      { url: 'https://evil.example/a.png', size: 10 },
      { allowedHosts: ['cdn.discordapp.com'], maxBytes: 100, fetchImpl },
    );
    expect(r).toMatchObject({ ok: false, code: 'not_discord_link' });
    expect(fetchImpl).not.toHaveBeenCalled();
  });
});

describe('download limits: per person, bytes in flight, queue', () => {
  let server: http.Server;
  let host: string;
  let open = 0;
  let peakOpen = 0;
  /** Requests held until the test lets them go (by path). */
  let held: Map<string, () => void>;
  let holdAll: boolean;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      open++;
      peakOpen = Math.max(peakOpen, open);
      const size = Number(new URL(req.url!, 'http://x').searchParams.get('size') ?? 1000);
      const finish = () => {
        held.delete(req.url!);
        open--;
        res.writeHead(200).end(Buffer.alloc(size, 3));
      };
      if (holdAll) held.set(req.url!, finish);
      else setTimeout(finish, 5);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    open = 0;
    peakOpen = 0;
    held = new Map();
    holdAll = false;
  });

  const get = (limiter: DownloadLimiter, path: string, size: number, owner?: string) =>
    fetchAttachment(
      { url: `http://${host}${path}?size=${size}`, size, owner },
      { allowedHosts: [host], maxBytes: 10 * 1024 * 1024, limiter },
    );
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(check()).toBe(true);
  };

  it('a person beyond two concurrent downloads waits, in order, while another person goes ahead', async () => {
    holdAll = true;
    const limiter = new DownloadLimiter({ maxPerPerson: 2 });
    const alice = [1, 2, 3, 4].map((i) => get(limiter, `/a${i}`, 100, 'alice'));
    const bob = get(limiter, '/b1', 100, 'bob');
    await until(() => held.size === 3);
    expect([...held.keys()].map((k) => k.split('?')[0]).sort()).toEqual(['/a1', '/a2', '/b1']);
    expect(limiter.queued).toBe(2);
    held.get(`/a2?size=100`)!();
    await until(() => held.has('/a3?size=100'));
    expect(held.has('/a4?size=100')).toBe(false);
    for (const path of ['/a1', '/a3', '/b1']) held.get(`${path}?size=100`)!();
    await until(() => held.has('/a4?size=100'));
    held.get('/a4?size=100')!();
    const results = await Promise.all([...alice, bob]);
    expect(results.every((r) => r.ok && r.value.length === 100)).toBe(true);
    expect(limiter.inFlight).toBe(0);
  });

  it('a calibration burst (5 messages × 10 files) keeps bytes in flight under the budget and asks to slow down past the queue', async () => {
    const MB = 1024 * 1024;
    const limiter = new DownloadLimiter({ maxPerPerson: 2, maxBytesInFlight: 3 * MB, maxQueuedPerPerson: 20 });
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const r = await get(limiter, `/f${i}`, 1.5 * MB, 'alice');
        return r.ok ? 'ok' : `${r.code}: ${r.message}`; // handed on and dropped, as a caller does
      }),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(22); // 2 running + 20 queued
    expect(results.filter((r) => r !== 'ok')).toEqual(
      new Array(28).fill(matching(/^busy: .*faster than Attune can read/)),
    );
    expect(limiter.peakBytesInFlight).toBeLessThanOrEqual(3 * MB);
    expect(peakOpen).toBeLessThanOrEqual(2);
  });

  it('the byte budget holds over many people, and a large file is not overtaken by small ones', async () => {
    holdAll = true;
    const limiter = new DownloadLimiter({ maxPerPerson: 2, maxBytesInFlight: 1000 });
    const first = get(limiter, '/p1', 600, 'p1');
    const big = get(limiter, '/p2', 600, 'p2');
    const small = get(limiter, '/p3', 100, 'p3');
    await until(() => held.size === 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(held.size).toBe(1); // the small one waits behind the big one although it would fit
    expect(limiter.inFlight).toBe(600);
    held.get('/p1?size=600')!();
    await until(() => held.size === 2);
    expect(limiter.inFlight).toBe(700);
    for (const finish of [...held.values()]) finish();
    expect((await Promise.all([first, big, small])).map((r) => r.ok)).toEqual([true, true, true]);
  });

  it('a download that fails gives its slot back', async () => {
    const limiter = new DownloadLimiter({ maxPerPerson: 1 });
    const missing = await fetchAttachment(
      { url: `http://${host}/x?size=5`, size: 10, owner: 'a' },
      { allowedHosts: [host], maxBytes: 4, limiter },
    );
    expect(missing).toMatchObject({ ok: false, code: 'too_large' });
    const r = await get(limiter, '/y', 10, 'a');
    expect(r.ok).toBe(true);
    expect(limiter.inFlight).toBe(0);
  });
});
