import { fail, ok, type Result } from '../../ml/types';
import { DISCORD_CDN_HOSTS } from '../config';

/** What the bot knows about an attachment before fetching it (a subset of discord.js's `Attachment`). */
export interface AttachmentInfo {
  url: string;
  /** Declared byte size. */
  size: number;
  name?: string | null;
  contentType?: string | null;
}

/** Options of {@link fetchAttachment}. */
export interface FetchAttachmentOptions {
  /** Allowed `host` or `host:port` values (Discord's CDN plus configured extras). */
  allowedHosts: readonly string[];
  maxBytes: number;
  /** Abort a slow download after this long; default 20 s. */
  timeoutMs?: number;
  /** For tests. */
  fetchImpl?: typeof fetch;
}

/**
 * Checks an attachment URL against the allow-list. Discord's own hosts must be https; extra hosts
 * (a local stand-in) may be plain http.
 */
export function checkAttachmentUrl(rawUrl: string, allowedHosts: readonly string[]): Result<URL> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return fail('invalid', 'That attachment link is not a valid URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail('invalid', 'Attachments must come from Discord.');
  const host = url.host.toLowerCase();
  if (!allowedHosts.includes(host)) return fail('invalid', 'Attune only reads attachments uploaded to Discord.');
  if (url.protocol === 'http:' && DISCORD_CDN_HOSTS.includes(host)) return fail('invalid', 'Discord attachments must be fetched over https.');
  if (url.username || url.password) return fail('invalid', 'That attachment link is not a plain Discord link.');
  return ok(url);
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 1024 * 1024 ? 2 : 0)} MB`;
}

/**
 * Downloads an attachment from an allowed host, refusing it by declared size first and again while
 * streaming (a declared size can be wrong), so an oversized file never sits whole in memory.
 */
export async function fetchAttachment(info: AttachmentInfo, opts: FetchAttachmentOptions): Promise<Result<Uint8Array>> {
  const checked = checkAttachmentUrl(info.url, opts.allowedHosts);
  if (!checked.ok) return checked;
  if (info.size === 0) return fail('empty', 'That file is empty.');
  if (info.size > opts.maxBytes) return fail('too_large', `That file is ${megabytes(info.size)}; the limit is ${megabytes(opts.maxBytes)}.`);

  const controller = new AbortController();
  let timedOut = false;
  const overLimit = fail('too_large', `That file is larger than the ${megabytes(opts.maxBytes)} limit.`);
  let tooLarge = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, opts.timeoutMs ?? 20_000);
  try {
    // redirect 'error': a redirect could lead off the allow-list.
    const response = await (opts.fetchImpl ?? fetch)(checked.value, { signal: controller.signal, redirect: 'error' });
    if (!response.ok || !response.body) return fail('corrupt', `Discord did not hand over that file (HTTP ${response.status}); please upload it again.`);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      if (total > opts.maxBytes) {
        tooLarge = true;
        controller.abort();
        return overLimit;
      }
      chunks.push(chunk);
    }
    if (total === 0) return fail('empty', 'That file is empty.');
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.byteLength;
    }
    return ok(bytes);
  } catch (error) {
    if (tooLarge) return overLimit;
    if (timedOut) return fail('corrupt', 'Downloading that file took too long; please try again.');
    return fail('corrupt', `That file could not be downloaded (${(error as Error).name}); please upload it again.`);
  } finally {
    clearTimeout(timer);
  }
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
