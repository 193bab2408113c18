import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachmentKind, checkAttachmentUrl, fetchAttachment } from '../../../src/bot/util/attachments';

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
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    bodies = { '/ok': Buffer.alloc(5000, 7), '/big': Buffer.alloc(50_000, 1), '/empty': Buffer.alloc(0), '/slow': 'slow', '/redirect': 'redirect' };
  });

  const get = (path: string, size: number, opts: { maxBytes?: number; timeoutMs?: number } = {}) =>
    fetchAttachment({ url: `http://${host}${path}`, size }, { allowedHosts: [host], maxBytes: opts.maxBytes ?? 10_000, timeoutMs: opts.timeoutMs });

  it('downloads a file within the limit', async () => {
    const r = await get('/ok', 5000);
    expect(r.ok && r.value.length).toBe(5000);
    expect(r.ok && r.value[4999]).toBe(7);
  });

  it('refuses by declared size before downloading', async () => {
    expect(await get('/ok', 20_000)).toEqual({ ok: false, code: 'too_large', message: 'That file is 0.02 MB; the limit is 0.01 MB.' });
    expect(await get('/ok', 0)).toMatchObject({ ok: false, code: 'empty' });
  });

  it('aborts while streaming when the declared size lied', async () => {
    expect(await get('/big', 100)).toMatchObject({ ok: false, code: 'too_large' });
  });

  it('reports empty bodies, HTTP errors, redirects and timeouts as failures', async () => {
    expect(await get('/empty', 10)).toMatchObject({ ok: false, code: 'empty' });
    expect(await get('/missing', 10)).toMatchObject({ ok: false, code: 'corrupt', message: expect.stringContaining('HTTP 404') });
    expect(await get('/redirect', 10)).toMatchObject({ ok: false, code: 'corrupt' });
    expect(await get('/slow', 10, { timeoutMs: 200 })).toMatchObject({ ok: false, code: 'corrupt', message: expect.stringContaining('too long') });
  });

  it('never contacts a host off the allow-list', async () => {
    const fetchImpl = jest.fn();
    const r = await fetchAttachment({ url: 'https://evil.example/a.png', size: 10 }, { allowedHosts: ['cdn.discordapp.com'], maxBytes: 100, fetchImpl: fetchImpl as unknown as typeof fetch });
    expect(r).toMatchObject({ ok: false, code: 'invalid' });
    expect(fetchImpl).not.toHaveBeenCalled();
  });
});
