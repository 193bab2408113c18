import { fail, ok, type Result } from '../../ml/types';
import { DISCORD_CDN_HOSTS } from '../config';
import type { DownloadFailureCode } from '../errors';
import { DownloadLimiter } from './DownloadLimiter';

/** An attachment's bytes, or why they could not be fetched (never a judgement of their content). */
export type DownloadResult = Result<Uint8Array, DownloadFailureCode>;

/** What the bot knows about an attachment before fetching it (a subset of discord.js's `Attachment`). */
export interface AttachmentInfo {
  url: string;
  /** Declared byte size. */
  size: number;
  name?: string | null;
  contentType?: string | null;
  /** Who sent it (a Discord user id): their downloads are capped and queued together. */
  owner?: string;
}

/**
 * Time for a whole download, headers and body: an attachment of a few MB arrives from Discord's CDN
 * in well under a second, so 20 s only ever cuts hosts that stall or trickle.
 */
export const DOWNLOAD_TIMEOUT_MS = 20_000;

/** Every download in the process shares one budget (see {@link DownloadLimiter}). */
const sharedLimiter = new DownloadLimiter();

/** Options of {@link fetchAttachment}. */
export interface FetchAttachmentOptions {
  /** Allowed `host` or `host:port` values (Discord's CDN plus configured extras). */
  allowedHosts: readonly string[];
  maxBytes: number;
  /** Give up on the whole download (headers and body) after this long; default {@link DOWNLOAD_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Concurrency and bytes-in-flight limits; default one limiter shared by the whole process. */
  limiter?: DownloadLimiter;
  /** For tests. */
  fetchImpl?: typeof fetch;
}

/**
 * Checks an attachment URL against the allow-list. Discord's own hosts must be https; extra hosts
 * (a local stand-in) may be plain http.
 */
export function checkAttachmentUrl(rawUrl: string, allowedHosts: readonly string[]): Result<URL, 'not_discord_link'> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return fail('not_discord_link', 'That attachment link is not a valid URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return fail('not_discord_link', 'Attachments must come from Discord.');
  const host = url.host.toLowerCase();
  if (!allowedHosts.includes(host))
    return fail('not_discord_link', 'Attune only reads attachments uploaded to Discord.');
  if (url.protocol === 'http:' && DISCORD_CDN_HOSTS.includes(host))
    return fail('not_discord_link', 'Discord attachments must be fetched over https.');
  if (url.username || url.password)
    return fail('not_discord_link', 'That attachment link is not a plain Discord link.');
  return ok(url);
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 1024 * 1024 ? 2 : 0)} MB`;
}

/**
 * Downloads an attachment from an allowed host, refusing it by declared size first and again while
 * streaming (a declared size can be wrong), so an oversized file never sits whole in memory. It
 * waits for a slot in the limiter first, and one deadline covers the whole download: a host that
 * sends headers and then a byte a second is cut at the limit, whatever the fetch implementation
 * does with the abort.
 */
export async function fetchAttachment(info: AttachmentInfo, opts: FetchAttachmentOptions): Promise<DownloadResult> {
  const checked = checkAttachmentUrl(info.url, opts.allowedHosts);
  if (!checked.ok) return checked;
  if (info.size === 0) return fail('empty', 'That file is empty.');
  if (info.size > opts.maxBytes)
    return fail('too_large', `That file is ${megabytes(info.size)}; the limit is ${megabytes(opts.maxBytes)}.`);
  // A missing or nonsensical declared size reserves the whole limit.
  const declared = Number.isSafeInteger(info.size) && info.size > 0 ? info.size : opts.maxBytes;
  const slot = (opts.limiter ?? sharedLimiter).acquire(info.owner, declared);
  if (!slot.ok) return slot;
  const release = await slot.value;
  try {
    return await download(checked.value, declared, opts);
  } finally {
    release();
  }
}

async function download(url: URL, declared: number, opts: FetchAttachmentOptions): Promise<DownloadResult> {
  const timeoutMs = opts.timeoutMs ?? DOWNLOAD_TIMEOUT_MS;
  const timedOut = fail(
    'timed_out',
    `Downloading that file took too long (over ${seconds(timeoutMs)}); please try again.`,
  );
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve('deadline');
    }, timeoutMs);
  });
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  try {
    // redirect 'error': a redirect could lead off the allow-list.
    const fetching = (opts.fetchImpl ?? fetch)(url, { signal: controller.signal, redirect: 'error' });
    fetching.catch(() => undefined); // may reject after the deadline has already answered
    const response = await Promise.race([fetching, deadline]);
    if (response === 'deadline') return timedOut;
    if (!response.ok || !response.body)
      return fail(
        'http_error',
        `Discord did not hand over that file (HTTP ${response.status}); please upload it again.`,
      );
    reader = response.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    // Filled in place: the declared size bounds it, and no second copy is made at the end.
    const bytes = new Uint8Array(declared);
    let total = 0;
    for (;;) {
      const read = reader.read();
      read.catch(() => undefined);
      const next = await Promise.race([read, deadline]);
      if (next === 'deadline') return timedOut;
      if (next.done) break;
      const chunk = next.value;
      if (total + chunk.byteLength > declared) {
        const over = total + chunk.byteLength > opts.maxBytes;
        return fail(
          'too_large',
          over
            ? `That file is larger than the ${megabytes(opts.maxBytes)} limit.`
            : 'That file is larger than Discord said it was; please upload it again.',
        );
      }
      bytes.set(chunk, total);
      total += chunk.byteLength;
    }
    reader = null;
    if (total === 0) return fail('empty', 'That file is empty.');
    return ok(total === declared ? bytes : bytes.slice(0, total));
  } catch (error) {
    if (controller.signal.aborted) return timedOut;
    return fail(
      'network_error',
      `That file could not be downloaded (${(error as Error).name}); please upload it again.`,
    );
  } finally {
    clearTimeout(timer);
    // Stop the transfer on every early return (deadline, too large), without waiting for the host.
    if (reader) reader.cancel().catch(() => undefined);
    controller.abort();
  }
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

/** Rough kind of an attachment from its declared type or name; the core decoders check the bytes. */
export function attachmentKind(info: Pick<AttachmentInfo, 'name' | 'contentType'>): 'image' | 'audio' | 'other' {
  const type = (info.contentType ?? '').toLowerCase();
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('audio/') || type === 'application/ogg' || type === 'video/ogg') return 'audio';
  const name = (info.name ?? '').toLowerCase();
  if (/\.(jpe?g|png|webp)$/.test(name)) return 'image';
  if (/\.(ogg|oga|opus|wav|mp3)$/.test(name)) return 'audio';
  return 'other';
}
