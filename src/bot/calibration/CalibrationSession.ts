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
import { formatProgress } from '../format/progress';
import { confusionPng, formatReport } from '../format/report';
import type { ReplyServices } from '../../reply';
import { hashUserId, type Logger } from '../util/log';
import type { VoiceManager } from '../voice/VoiceManager';
import { CalibrationFlow, type FlowEnd, type FlowEvent } from './CalibrationFlow';
import { ChannelRecorder } from './ChannelRecorder';
import { consentText, consentTextVersion } from './consent';
import { ProgressMessage, type MessageEditor } from './ProgressMessage';

/** One attachment of a message sent during a calibration. */
export interface MessageMedia {
  kind: 'image' | 'audio';
  /** Downloads it (lazily, so a refused flow downloads nothing). */
  bytes: () => Promise<Result<Uint8Array, string>>;
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

/**
 * The Discord side of one person's calibration: renders the flow's consent screen and progress into
 * an ephemeral message, feeds it media from the voice channel and from messages, and runs training.
 * Where the calibration is lives in the flow's state; this reacts to its changes.
 */
export class CalibrationSession {
  readonly flow: CalibrationFlow;
  private readonly message: ProgressMessage;
  private readonly recorder: ChannelRecorder;
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
    this.recorder = new ChannelRecorder(this.flow, guild, services, {
      changed: () => this.message.refresh(),
      hearingChanged: () => this.message.refreshThrottled(),
      tookClip: async (line, accepted) => {
        this.note(line);
        if (accepted) await this.maybeTrain();
      },
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
    this.recorder.start();
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

  /** The person joined a voice channel: record clips there if the flow wants them (idempotent). */
  startVoice(): void {
    this.recorder.start();
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

  /** The progress message as it should read now; null once the flow is no longer collecting. */
  private progressView(): InteractionEditReplyOptions | null {
    if (this.flow.state.status !== 'collecting') return null;
    const content = [formatProgress(this.flow.progress(), this.recorder.view), this.lastResult ?? '']
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
