import fs from 'node:fs';
import { loadOggOpusFile, encodeOpusPackets } from './audio/opus';
import { RestError } from './rest/http';
import type { Standin } from './Standin';
import type { Json } from './world/types';
import type { OptionValue } from './interactions/payloads';
import type { SpeakOptions } from './voice/speech';
import { textOf } from './util/text';

function text(json: Json, key: string): string {
  const value = json[key];
  if (typeof value !== 'string' || value === '') throw new RestError(400, 0, `"${key}" (string) is required`);
  return value;
}

/** Wraps a thrown test-side error (unknown user, no such button...) as a 400 with its message. */
function guard<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof RestError) throw error;
    throw new RestError(400, 0, (error as Error).message);
  }
}

function numberField(json: Json, key: string): Record<string, number> {
  const value = json[key];
  if (value === undefined) return {};
  if (typeof value !== 'number') throw new RestError(400, 0, `"${key}" must be a number`);
  return { [key]: value };
}

/** The fault options of `speak` a JSON body may carry (same names as SpeakOptions). */
function speakOptions(json: Json): SpeakOptions {
  const keys = [
    'silenceFrames',
    'corruptAt',
    'daveCorruptAt',
    'rtpPadding',
    'csrcs',
    'pauses',
    'paddingBursts',
  ] as const;
  const options: Record<string, unknown> = {};
  for (const key of keys) if (json[key] !== undefined) options[key] = json[key];
  return options;
}

/**
 * A small JSON control API under `/_standin` for a stand-in running as its own process (cli.ts), so a
 * person or script can play the users while a bot runs with `npm start`. Same operations as the
 * `Standin` methods; files are given by local path. No authentication: it listens on 127.0.0.1 only.
 */
export function addControlRoutes(standin: Standin): void {
  const interactionState = (id: string): Json => {
    const handle = standin.interactions.all().find((h) => h.id === id);
    if (!handle) throw new RestError(404, 0, `No interaction ${id}`);
    return {
      id: handle.id,
      callbackType: handle.callbackType ?? null,
      ackLatencyMs: handle.ackLatencyMs ?? null,
      original: handle.original?.json ?? null,
      followUps: handle.followUps.map((m) => m.json),
      modal: handle.modal ?? null,
      responses: handle.responses.map((r) => r.kind),
    };
  };
  standin.controlRouter
    .add(
      'GET',
      '/info',
      () => ({
        ...standin.env(),
        cdnUrl: standin.cdnUrl,
        gatewayUrl: standin.gatewayUrl,
        voiceEndpoint: standin.voiceEndpoint,
      }),
      false,
    )
    .add(
      'POST',
      '/attachments',
      ({ body }) => {
        const path = text(body.json, 'path');
        const data = guard(() => fs.readFileSync(path));
        return standin.addAttachment(data, {
          filename: typeof body.json['filename'] === 'string' ? body.json['filename'] : (path.split('/').pop() ?? ''),
          contentType: text(body.json, 'contentType'),
        });
      },
      false,
    )
    .add(
      'POST',
      '/slash',
      ({ body }) => {
        const j = body.json;
        const handle = guard(() =>
          standin.runSlashCommand({
            guildId: text(j, 'guildId'),
            channelId: text(j, 'channelId'),
            userId: text(j, 'userId'),
            name: text(j, 'name'),
            ...(typeof j['subcommand'] === 'string' ? { subcommand: j['subcommand'] } : {}),
            options: (j['options'] ?? {}) as Record<string, OptionValue>,
          }),
        );
        return { interactionId: handle.id };
      },
      false,
    )
    .add('GET', '/interactions/:id', ({ params }) => interactionState(params['id'] ?? ''), false)
    .add(
      'POST',
      '/click',
      ({ body }) => ({
        interactionId: guard(() =>
          standin.clickButton({
            message: text(body.json, 'messageId'),
            customId: text(body.json, 'customId'),
            userId: text(body.json, 'userId'),
          }),
        ).id,
      }),
      false,
    )
    .add(
      'POST',
      '/message',
      ({ body }) => {
        const j = body.json;
        return guard(() =>
          standin.sendMessage({
            channelId: text(j, 'channelId'),
            userId: text(j, 'userId'),
            content: textOf(j['content']),
            attachments: (j['attachments'] ?? []) as Json[],
            flags: Number(j['flags'] ?? 0),
          }),
        ).json;
      },
      false,
    )
    .add(
      'GET',
      '/messages/:channelId',
      ({ params }) => guard(() => standin.messages(params['channelId'] ?? '').map((m) => m.json)),
      false,
    )
    .add(
      'POST',
      '/voice/join',
      ({ body }) => {
        guard(() =>
          standin.joinVoice(text(body.json, 'userId'), text(body.json, 'guildId'), text(body.json, 'channelId')),
        );
        return undefined;
      },
      false,
    )
    .add(
      'POST',
      '/voice/leave',
      ({ body }) => {
        guard(() => standin.leaveVoice(text(body.json, 'userId'), text(body.json, 'guildId')));
        return undefined;
      },
      false,
    )
    .add(
      'POST',
      '/voice/speak',
      async ({ body }) => {
        const clip = loadOggOpusFile(text(body.json, 'oggPath'));
        if (!clip.ok) throw new RestError(400, 0, clip.message);
        return guard(() =>
          standin.speak(text(body.json, 'userId'), encodeOpusPackets(clip.value.pcm), speakOptions(body.json)),
        );
      },
      false,
    )
    .add(
      'POST',
      '/voice/padding',
      async ({ body }) => {
        const j = body.json;
        const sent = await guard(() =>
          standin.sendPaddingPackets(text(j, 'userId'), {
            ...numberField(j, 'count'),
            ...numberField(j, 'bytes'),
            ...numberField(j, 'intervalMs'),
          }),
        );
        return { sent };
      },
      false,
    )
    .add(
      'GET',
      '/voice/dave/:guildId',
      ({ params }) => guard(() => standin.dave(params['guildId'] ?? '') as unknown as Json),
      false,
    );
}
