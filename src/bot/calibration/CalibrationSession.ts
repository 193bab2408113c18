import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  type Guild,
  type InteractionEditReplyOptions,
} from 'discord.js';
import type { AttuneEngine } from '../../ml/engine';
import type { Result } from '../../ml/types';
import type { AttuneStore } from '../../storage';
import type { BotConfig } from '../config';
import { formatProgress, type VoiceRoute } from '../format/progress';
import { confusionPng, formatReport } from '../format/report';
import { voiceAccess } from '../guards';
import type { ReplyServices } from '../replyServices';
import { hashUserId, type Logger } from '../util/log';
import type { GuildVoice } from '../voice/GuildVoice';
import type { RecordOptions } from '../voice/recordUtterance';
import type { VoiceManager } from '../voice/VoiceManager';
import { CalibrationFlow, type FlowEnd, type FlowEvent } from './CalibrationFlow';
import { consentText, consentTextVersion } from './consent';
import { ProgressMessage, type MessageEditor } from './ProgressMessage';

/** One attachment of a message sent during a calibration. */
export interface MessageMedia {
  kind: 'image' | 'audio';
  /** Downloads it (lazily, so a refused flow downloads nothing). */
  bytes: () => Promise<Result<Uint8Array>>;
  name: string;
  contentType: string | null;
  voiceMessage: boolean;
}

/** What a calibration uses of the bot (the bot's context has all of it). */
export interface CalibrationServices {
  config: Pick<BotConfig, 'calibrationIdleMinutes' | 'keepRawMedia'>;
  store: AttuneStore;
  engine: AttuneEngine;
  logger: Logger;
  voice: Pick<VoiceManager, 'acquire' | 'release'>;
  reply: Pick<ReplyServices, 'transcriber'>;
}

/** Custom-id prefix of the calibration buttons: `cal:<action>:<userId>`. */
export const CALIBRATE_PREFIX = 'cal';

export type CalibrateAction = 'agree' | 'decline' | 'retake' | 'skip-face' | 'skip-voice' | 'cancel';

/**
 * Voice clip limits in a calibration (the brief: stop after ~1 s of silence, at most ~10 s). A
 * person reading a sentence may pause longer than their client's voice detection bridges, so a
 * clip waits half a second after the client stops before it ends (latency matters less here).
 */
const CLIP: RecordOptions = {
  maxMs: 10_000,
  startTimeoutMs: 60_000,
  end: { afterStopMs: 500, gapMs: 1_000, quietMs: 1_000 },
};
/** Consecutive recordings heard but undecryptable before asking for voice messages instead. */
const MAX_STREAM_FAILURES = 3;

const ENDED_TEXT: Record<Exclude<FlowEnd, 'done'>, string> = {
  declined: 'No problem: nothing was recorded or stored.',
  cancelled:
    'Calibration cancelled. Samples already taken are kept: `/calibrate` continues where you left off, `/forget` deletes them.',
  timed_out:
    'Calibration paused after a while without activity. Samples already taken are kept: run `/calibrate` again to continue.',
  forgotten: 'Calibration stopped: everything about you was deleted.',
  failed: 'Training failed. Your samples are kept; please run `/calibrate` again.',
  shut_down: 'Attune is restarting. Your samples are kept: run `/calibrate` to continue where you left off.',
};

/** How the person hands in clips right now, as the progress message shows it. */
interface VoiceView {
  route: VoiceRoute;
  /** Why clips go by message, or what happened to the voice channel. */
  note?: string;
  /** The person is speaking into a recording now. */
  hearing: boolean;
}

/**
 * The Discord side of one person's calibration: renders the flow's consent screen and progress into
 * an ephemeral message, feeds it media from the voice channel and from messages, and runs training.
 * Where the calibration is lives in the flow's state; this reacts to its changes.
 */
export class CalibrationSession {
  readonly flow: CalibrationFlow;
  private readonly message: ProgressMessage;
  private readonly voice: VoiceView = { route: 'messages', hearing: false };
  /** The voice-channel loop while it runs (one at a time). */
  private voiceLoop: Promise<void> | null = null;
  /** The outcome of the latest sample, shown under the progress. */
  private lastResult: string | undefined;
  /** The message edit made when the flow ended (shutdown waits for it). */
  private endEdit: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly services: CalibrationServices,
    readonly guild: Guild,
    editor: MessageEditor,
    opts: { personId: string; channelId: string; emotions: readonly string[]; target: number; restart: boolean },
    private readonly onEnded: (session: CalibrationSession) => void,
  ) {
    this.message = new ProgressMessage(
      editor,
      () => this.progressView(),
      (error) => services.logger.warn('calibrate.edit_failed', { guildId: this.guildId, error }),
    );
    this.flow = new CalibrationFlow({
      ...opts,
      guildId: guild.id,
      store: services.store,
      engine: services.engine,
      idleMs: services.config.calibrationIdleMinutes * 60_000,
      consentVersion: consentTextVersion(services.reply.transcriber?.host ?? null),
      onEvent: (event) => this.onFlowEvent(event),
    });
  }

  get personId(): string {
    return this.flow.personId;
  }

  get guildId(): string {
    return this.flow.guildId;
  }

  get channelId(): string {
    return this.flow.channelId;
  }

  get active(): boolean {
    return this.flow.active;
  }

  private log(event: string, extra: Record<string, unknown> = {}): void {
    this.services.logger.info(event, { guildId: this.guildId, user: hashUserId(this.personId), ...extra });
  }

  private onFlowEvent(event: FlowEvent): void {
    if (event.type === 'state' && event.to.status === 'ended') return this.ended(event.to.reason);
    if (this.flow.state.status !== 'collecting') return this.message.stop();
    // Voice first: it says "joining your voice channel" at once, so the first instruction a person
    // in a voice channel sees is not to send a voice message. The loop pauses while the current
    // emotion only needs photos; a new emotion may need clips again.
    this.startVoice();
    this.message.refresh();
  }

  /** Shows the consent screen, or starts collecting when the person already agreed to this wording. */
  async begin(): Promise<void> {
    if (await this.flow.hasCurrentConsent()) {
      await this.flow.agree();
      await this.maybeTrain();
    } else {
      await this.message.replace({
        content: consentText({
          emotions: this.flow.emotions,
          target: this.flow.target,
          keepRawMedia: this.services.config.keepRawMedia,
          transcriptionHost: this.services.reply.transcriber?.host ?? null,
        }),
        components: [
          this.row(['agree', 'I agree', ButtonStyle.Success], ['decline', 'No thanks', ButtonStyle.Secondary]),
        ],
      });
    }
  }

  /** A button of this session was pressed; `editor` is that button interaction (already acknowledged). */
  async press(action: CalibrateAction, editor: MessageEditor): Promise<void> {
    this.message.useEditor(editor);
    switch (action) {
      case 'agree': {
        const agreed = await this.flow.agree();
        if (!agreed.ok) return this.note(agreed.message);
        this.log('calibrate.consented');
        return this.maybeTrain();
      }
      case 'decline':
        return this.flow.decline();
      case 'retake': {
        const undone = await this.flow.retakeLast();
        return this.note(
          undone.ok
            ? `Removed your last ${undone.value.signal === 'face' ? 'photo' : 'clip'} for ${undone.value.emotion}; take it again.`
            : undone.message,
        );
      }
      case 'skip-face':
      case 'skip-voice': {
        const skipped = this.flow.skip(action === 'skip-face' ? 'face' : 'voice');
        if (!skipped.ok) return this.note(skipped.message);
        return this.maybeTrain();
      }
      case 'cancel':
        return this.flow.cancel();
    }
  }

  /** Starts the voice-channel loop if the person is in a voice channel Attune may use (idempotent). */
  startVoice(): void {
    if (this.voiceLoop || !this.flow.wants('voice')) return;
    const channelId = this.guild.members.cache.get(this.personId)?.voice.channelId;
    if (!channelId) return;
    let gaveUp = false;
    const routeBefore = this.voice.route;
    if (this.voice.route === 'messages' && !this.voice.note) this.voice.route = 'joining';
    // The server's settings come from the (asynchronous) store; the loop slot is taken at once so a
    // second call meanwhile does not start a second loop.
    this.voiceLoop = this.services.store
      .getGuildSettings(this.guildId)
      .then(async (settings) => {
        const access = voiceAccess(settings, channelId);
        if (!access.ok) {
          gaveUp = true;
          this.voice.route = routeBefore;
          this.voice.note = `${access.reason ?? "I can't listen in your voice channel."} Please use voice messages instead.`;
          return this.message.refresh();
        }
        return this.runVoiceLoop(access.channelId);
      })
      .then(
        (outcome) => {
          gaveUp ||= outcome === 'gave_up';
        },
        (error: unknown) => {
          // Nothing may reject unobserved here: Node ends the process on an unhandled rejection.
          gaveUp = true;
          this.services.logger.error('calibrate.voice_loop_failed', {
            guildId: this.guildId,
            user: hashUserId(this.personId),
            error,
          });
        },
      )
      .finally(() => {
        this.voiceLoop = null;
        this.services.voice.release(this.guildId, this.personId);
        // Clips may have become wanted again between the loop's last check and now.
        if (!gaveUp && this.voice.route === 'channel' && this.flow.wants('voice')) this.startVoice();
      });
  }

  /** Records clips while the current emotion wants them; 'gave_up' when the channel is unusable. */
  private async runVoiceLoop(channelId: string): Promise<'paused' | 'gave_up'> {
    const acquired = await this.services.voice.acquire(this.guild, channelId, this.personId);
    if (!acquired.ok) {
      this.giveUpVoice(acquired.message);
      return 'gave_up';
    }
    const voice: GuildVoice = acquired.value;
    // "Say it in the voice channel" only once speech there can be decrypted (DAVE session ready).
    if (!(await voice.whenReceiveReady())) this.log('calibrate.voice_not_ready');
    voice.onLost(() => {
      if (this.flow.active)
        this.giveUpVoice(
          'I lost the voice connection. Your clips so far are saved; please send the rest as voice messages.',
        );
    });
    // Collecting owns the recordings: leaving it (training, any end) aborts the one under way.
    const { state } = this.flow;
    if (state.status !== 'collecting') return 'paused';
    const stop = state.stop.signal;
    this.voice.route = 'channel';
    this.voice.note = undefined;
    this.message.refresh();
    let failures = 0;
    while (this.flow.wants('voice') && !voice.destroyed && !stop.aborted) {
      const utterance = await voice.record(this.personId, {
        ...CLIP,
        signal: stop,
        onStart: () => this.setHearing(true),
      });
      this.setHearing(false);
      if (!utterance.ok) {
        if (utterance.code === 'silence') continue; // still waiting; the flow's idle timer ends an abandoned flow
        if (utterance.code !== 'corrupt') return 'paused';
        failures++;
        this.log('calibrate.receive_stream_error', { failures });
        if (failures >= MAX_STREAM_FAILURES) {
          this.giveUpVoice(
            "I can hear you talking but can't decrypt your audio in this voice channel. Your clips so far are saved; please send the rest as voice messages.",
          );
          return 'gave_up';
        }
        continue;
      }
      failures = 0;
      const { pcm } = utterance.value;
      const result = await this.flow.submitVoice(pcm, {
        source: 'voice_channel',
        durationSec: pcm.samples.length / pcm.sampleRate,
      });
      this.note(result.ok ? `✅ Got your ${result.value.emotion} clip.` : `❌ ${result.message}`);
      if (result.ok) await this.maybeTrain();
    }
    if (voice.destroyed) {
      this.voice.route = 'messages';
      return 'gave_up';
    }
    return 'paused';
  }

  /** Clips go by message from now on, and the person is told why. */
  private giveUpVoice(why: string): void {
    this.voice.route = 'messages';
    this.voice.note = why;
    this.message.refresh();
  }

  /** A message with attachments arrived from this person in the flow's channel. */
  async takeMessageMedia(items: readonly MessageMedia[]): Promise<void> {
    for (const item of items) {
      const bytes = await item.bytes();
      if (!bytes.ok) {
        this.lastResult = `❌ ${item.name}: ${bytes.message}`;
        continue;
      }
      const meta = {
        source: item.voiceMessage ? ('voice_message' as const) : ('attachment' as const),
        mimeType: item.contentType ?? undefined,
        fileName: item.voiceMessage ? undefined : item.name,
      };
      const result =
        item.kind === 'image'
          ? await this.flow.submitFace(bytes.value, meta)
          : await this.flow.submitVoice(bytes.value, meta);
      this.lastResult = result.ok
        ? `✅ Got your ${result.value.emotion} ${result.value.signal === 'face' ? 'photo' : 'clip'}.`
        : `❌ ${result.message}`;
    }
    this.message.refresh();
    await this.maybeTrain();
  }

  /** Trains once everything is collected (the flow enters training at once, so only one caller does). */
  private async maybeTrain(): Promise<void> {
    if (!this.flow.isComplete()) return;
    const told = this.message
      .replace({ content: '⏳ Training your personal model… (this takes a few seconds)', components: [] })
      .catch(() => undefined);
    const started = Date.now();
    const [, model] = await Promise.all([told, this.flow.train()]);
    this.log('calibrate.trained', { ok: model.ok, ms: Date.now() - started });
    if (!model.ok) return;
    const png = await confusionPng(model.value.report.confusion);
    await this.message.replace({
      content: formatReport(model.value.report),
      components: [],
      files: [
        new AttachmentBuilder(png, {
          name: 'confusion-matrix.png',
          description: 'Confusion matrix of your calibration',
        }),
      ],
    });
  }

  /** Shows or clears "hearing you"; rate-limited, since a person may start and stop often. */
  private setHearing(hearing: boolean): void {
    if (this.voice.hearing === hearing) return;
    this.voice.hearing = hearing;
    this.message.refreshThrottled();
  }

  /** The progress message as it should read now; null once the flow is no longer collecting. */
  private progressView(): InteractionEditReplyOptions | null {
    if (this.flow.state.status !== 'collecting') return null;
    const content = [formatProgress(this.flow.progress(), this.voice), this.lastResult ?? '']
      .filter(Boolean)
      .join('\n');
    return { content, components: this.collectingButtons() };
  }

  private note(text: string): void {
    this.lastResult = text;
    this.message.refresh();
  }

  private collectingButtons(): ActionRowBuilder<ButtonBuilder>[] {
    const p = this.flow.progress();
    const buttons: Array<[CalibrateAction, string, ButtonStyle]> = [['retake', 'Retake last', ButtonStyle.Secondary]];
    if (!p.skipped.includes('face') && !p.skipped.includes('voice')) {
      buttons.push(
        ['skip-face', 'Skip photos', ButtonStyle.Secondary],
        ['skip-voice', 'Skip voice', ButtonStyle.Secondary],
      );
    }
    buttons.push(['cancel', 'Cancel', ButtonStyle.Danger]);
    return [this.row(...buttons)];
  }

  private row(...buttons: Array<[CalibrateAction, string, ButtonStyle]>): ActionRowBuilder<ButtonBuilder> {
    return new ActionRowBuilder<ButtonBuilder>().addComponents(
      buttons.map(([action, label, style]) =>
        new ButtonBuilder()
          .setCustomId(`${CALIBRATE_PREFIX}:${action}:${this.personId}`)
          .setLabel(label)
          .setStyle(style),
      ),
    );
  }

  private ended(reason: FlowEnd): void {
    this.log('calibrate.ended', { reason });
    if (reason !== 'done')
      this.endEdit = this.message.replace({ content: ENDED_TEXT[reason], components: [] }).catch(() => undefined);
    else this.message.stop();
    this.onEnded(this);
  }

  /** Attune is stopping: end the flow and resolve once the person has been told. */
  async shutDown(): Promise<void> {
    this.flow.shutDown();
    await this.endEdit;
  }

  /** /forget: stop without touching the store (it is being emptied). */
  forget(): void {
    this.flow.forget();
  }
}
