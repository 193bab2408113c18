/**
 * A local stand-in of Google Translate's TTS endpoint (GET /translate_tts?...&q=TEXT) serving real MP3s
 * encoded in the test by lamejs from a generated tone, so no audio fixture is committed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeMp3 as encodeLame } from '../helpers/mp3';

/** A harmonic tone at `f0` Hz with a slow amplitude envelope, like a held vowel. */
export function toneSamples(f0: number, seconds: number, rate: number): Int16Array {
  const n = Math.round(seconds * rate);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const env = Math.sin((Math.PI * i) / n);
    const v =
      0.5 * Math.sin(2 * Math.PI * f0 * t) +
      0.25 * Math.sin(4 * Math.PI * f0 * t) +
      0.12 * Math.sin(6 * Math.PI * f0 * t);
    out[i] = Math.round(env * v * 20000);
  }
  return out;
}

/** Encode mono PCM as CBR MP3 (48 kb/s unless asked otherwise). */
export function encodeMp3(pcm: Int16Array, rate: number, kbps = 48): Uint8Array {
  return encodeLame(pcm, rate, kbps);
}

export type GoogleBehaviour =
  { kind: 'mp3' } | { kind: 'status'; status: number } | { kind: 'hang' } | { kind: 'garbage' };

export class GoogleTtsStandin {
  private server: Server | null = null;
  private readonly sockets = new Set<import('node:net').Socket>();
  /** The `q` texts requested, in order. */
  readonly texts: string[] = [];
  behaviour: GoogleBehaviour = { kind: 'mp3' };
  host = '';

  /** `mp3` is served for every text: Google's voice is 24 kHz mono MP3. */
  constructor(readonly mp3: Uint8Array) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/translate_tts') {
        res.writeHead(404).end();
        return;
      }
      this.texts.push(url.searchParams.get('q') ?? '');
      const b = this.behaviour;
      if (b.kind === 'status') res.writeHead(b.status).end();
      else if (b.kind === 'hang')
        return; // never answer; the socket is destroyed on stop()
      else if (b.kind === 'garbage')
        res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(Buffer.from('this is not an mp3 at all, just text'));
      else res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(Buffer.from(this.mp3));
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.host = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
