import { Client, Events, GatewayIntentBits, Options } from 'discord.js';
import type { AttuneEngine } from '../ml/engine';
import type { AttuneStore } from '../storage';
import { PendingCorrections } from './ask/PendingCorrections';
import { PersonModels } from './personModels';
import { CalibrationSessions } from './calibration/CalibrationSessions';
import type { BotConfig } from './config';
import type { BotContext } from './context';
import { dispatchInteraction, type Command } from './dispatch';
import type { ReplyServices } from '../reply';
import { fetchAttachment } from './util/attachments';
import { hashUserId, type Logger } from './util/log';
import { VoiceManager } from './voice/VoiceManager';
import type { VoiceMessageEncoder } from './voice/voiceMessage';

/**
 * The intents Attune needs: guilds (commands, channels), voice states (who is in which voice
 * channel), guild messages + MessageContent (privileged: selfies and voice messages sent during a
 * calibration arrive as messages, and without it their attachments are empty).
 */
export const INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildVoiceStates,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
];

export interface AttuneBotOptions {
  config: BotConfig;
  store: AttuneStore;
  engine: AttuneEngine;
  reply: ReplyServices;
  /** Encodes spoken answers as voice messages for people not in a voice channel; null: none are sent. */
  voiceMessages: VoiceMessageEncoder | null;
  logger: Logger;
  /** The slash commands to route interactions to (src/commands `COMMANDS`, handed in by the entry point). */
  commands: readonly Command[];
}

/** The running bot: a discord.js client wired to the commands and the calibration sessions. */
export class AttuneBot {
  readonly client: Client;
  readonly ctx: BotContext;
  private readonly commands: readonly Command[];

  constructor(opts: AttuneBotOptions) {
    const { config, logger } = opts;
    this.commands = opts.commands;
    // No message Attune sends may ping anyone: answers quote questions and display names that any
    // member can fill with @everyone or role mentions. Set once here, for every send and edit.
    // Messages are handled as they arrive and never looked up again: caching them (discord.js keeps
    // 200 per channel by default) would only grow with traffic.
    this.client = new Client({
      intents: INTENTS,
      rest: { api: config.apiUrl },
      allowedMentions: { parse: [], repliedUser: false },
      makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0 }),
    });
    this.ctx = {
      config,
      store: opts.store,
      engine: opts.engine,
      logger,
      reply: opts.reply,
      voiceMessages: opts.voiceMessages,
      voice: new VoiceManager({ logger }),
      calibrations: new CalibrationSessions(),
      models: new PersonModels({ store: opts.store, engine: opts.engine, logger }),
      corrections: new PendingCorrections({ store: opts.store }),
      download: (info, kind) =>
        fetchAttachment(info, {
          allowedHosts: config.attachmentHosts,
          maxBytes: kind === 'image' ? config.maxImageBytes : config.maxAudioBytes,
        }),
    };
    this.wire();
  }

  private wire(): void {
    const { client, ctx } = this;
    client.once(Events.ClientReady, (c) => ctx.logger.info('bot.ready', { guilds: c.guilds.cache.size }));
    client.on(Events.InteractionCreate, (interaction) => void dispatchInteraction(interaction, ctx, this.commands));
    client.on(Events.MessageCreate, (message) => {
      ctx.calibrations.onMessage(message, ctx).catch((error) =>
        ctx.logger.error('calibrate.message_failed', {
          guildId: message.guildId,
          user: hashUserId(message.author.id),
          error,
        }),
      );
    });
    client.on(Events.VoiceStateUpdate, (before, after) => {
      if (after.channelId && after.channelId !== before.channelId && after.id !== client.user?.id)
        ctx.calibrations.onVoiceJoin(after.guild.id, after.id);
    });
    client.on(Events.GuildDelete, (guild) => ctx.voice.leave(guild.id));
    // Gateway drops and resumes are handled by discord.js; flows keep their state, so only log.
    client.on(Events.ShardDisconnect, (_e, shard) => ctx.logger.warn('gateway.disconnected', { shard }));
    client.on(Events.ShardResume, (shard) => ctx.logger.info('gateway.resumed', { shard }));
    client.on(Events.Error, (error) => ctx.logger.error('client.error', { error }));
  }

  /** Logs in; resolves when the client is ready. */
  async start(): Promise<void> {
    const ready = new Promise<void>((resolve) => this.client.once(Events.ClientReady, () => resolve()));
    await this.client.login(this.ctx.config.token);
    await ready;
  }

  /**
   * Ends flows (samples stay stored), leaves voice, disconnects, closes the engine, the reply services,
   * the voice-message encoder and the store.
   */
  async stop(): Promise<void> {
    await this.ctx.calibrations.shutDownAll();
    this.ctx.voice.destroyAll();
    await this.client.destroy();
    await this.ctx.engine.close();
    await this.ctx.reply.close();
    await this.ctx.voiceMessages?.close();
    await this.ctx.store.close();
  }
}
