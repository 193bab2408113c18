import {
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  ActionRowBuilder,
  type Client,
  type Interaction,
  MessageFlags,
} from 'discord.js';
import { CallbackType, type Standin } from './index';
import { TEST_IDS, loginClient, startTestStandin } from './fixtures';

/** Runs an async interaction handler; a failure fails loudly instead of being an unhandled rejection. */
function onInteraction(client: Client, handle: (interaction: Interaction) => Promise<void>): void {
  client.on('interactionCreate', (interaction) => {
    handle(interaction).catch((error: unknown) => {
      console.error('interaction handler failed', error);
    });
  });
}

describe('discord.js client against the stand-in: gateway, slash commands, buttons, messages', () => {
  let standin: Standin;
  let client: Client<true>;
  let readyMs = 0;

  beforeAll(async () => {
    standin = await startTestStandin();
    const started = Date.now();
    client = await loginClient(standin);
    readyMs = Date.now() - started;
  });

  afterAll(async () => {
    await client?.destroy();
    await standin?.close();
  });

  afterEach(() => client.removeAllListeners('interactionCreate'));

  test('logs in and is ready quickly with the guild, channels and members cached', () => {
    expect(readyMs).toBeLessThan(2000);
    expect(client.user.id).toBe(standin.botUser.id);
    const guild = client.guilds.cache.get(TEST_IDS.guild);
    expect(guild?.name).toBe('Test Guild');
    expect(guild?.channels.cache.get(TEST_IDS.voice)?.isVoiceBased()).toBe(true);
    expect(guild?.members.cache.get(TEST_IDS.alice)?.user.username).toBe('alice');
    expect(client.application.id).toBe(standin.applicationId);
  });

  test('registers guild commands by bulk overwrite and keeps ids stable on re-deploy', async () => {
    const body = [
      {
        name: 'ask',
        description: 'Ask',
        options: [
          { type: 3, name: 'question', description: 'q', required: true },
          { type: 11, name: 'photo', description: 'p' },
        ],
      },
      { name: 'profile', description: 'Profile' },
    ];
    const first = await client.application.commands.set(body, TEST_IDS.guild);
    const second = await client.application.commands.set(body, TEST_IDS.guild);
    expect(first.map((c) => c.name).sort()).toEqual(['ask', 'profile']);
    expect(second.get(first.first()!.id)?.name).toBe(first.first()!.name);
    expect(standin.commands(TEST_IDS.guild)).toHaveLength(2);
  });

  test('slash command with a string and an attachment option: reply arrives with the options read', async () => {
    onInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      const photo = interaction.options.getAttachment('photo');
      await interaction.reply({
        content: `q=${interaction.options.getString('question')} photo=${photo?.name}:${photo?.size}`,
        flags: MessageFlags.Ephemeral,
      });
    });
    const photo = standin.addAttachment(Buffer.from('not really a png'), {
      filename: 'me.png',
      contentType: 'image/png',
    });
    const handle = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: 'alice',
      name: 'ask',
      options: { question: 'how?', photo },
    });
    await handle.waitForAck();
    expect(handle.callbackType).toBe(CallbackType.ChannelMessageWithSource);
    expect(handle.originalJson?.['content']).toBe('q=how? photo=me.png:16');
    expect(handle.ephemeral).toBe(true);
    expect(handle.ackLatencyMs).toBeLessThan(1000);
  });

  test('attachment URLs point at the CDN, which serves the bytes', async () => {
    const bytes = Buffer.from([1, 2, 3, 4, 5]);
    const attachment = standin.addAttachment(bytes, {
      filename: 'clip.ogg',
      contentType: 'audio/ogg',
      durationSecs: 1.5,
      waveform: 'AAAA',
    });
    const response = await fetch(String(attachment['url']));
    expect(response.headers.get('content-type')).toBe('audio/ogg');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
    expect((await fetch(`${standin.cdnUrl}/attachments/uploads/1/none.ogg`)).status).toBe(404);
  });

  test('defer, edit @original, then a follow-up with a file', async () => {
    onInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply();
      await interaction.editReply('working on it');
      await interaction.followUp({
        files: [new AttachmentBuilder(Buffer.from('PNGDATA'), { name: 'matrix.png' })],
        content: 'here',
      });
    });
    const handle = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'profile',
    });
    const followUp = await handle.waitForFollowUp(1);
    expect(handle.callbackType).toBe(CallbackType.DeferredChannelMessageWithSource);
    expect(handle.originalJson?.['content']).toBe('working on it');
    expect(handle.loading).toBe(false);
    expect(followUp.json['content']).toBe('here');
    expect(followUp.files[0]?.filename).toBe('matrix.png');
    expect(followUp.files[0]?.data.toString()).toBe('PNGDATA');
    expect(handle.responses.map((r) => r.kind)).toEqual(['callback', 'editOriginal', 'followUp']);
  });

  test('a voice message reply (flag 8192, duration and waveform) keeps its metadata', async () => {
    onInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      const file = new AttachmentBuilder(Buffer.from('OggS-fake'), { name: 'reply.ogg' })
        .setDuration(2.5)
        .setWaveform('AAEC');
      await interaction.reply({ files: [file], flags: MessageFlags.IsVoiceMessage });
    });
    const handle = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'profile',
    });
    const original = await handle.waitForOriginal((json) => (json['attachments'] as unknown[]).length === 1);
    const attachment = (original['attachments'] as Record<string, unknown>[])[0];
    expect(attachment?.['duration_secs']).toBe(2.5);
    expect(attachment?.['waveform']).toBe('AAEC');
    expect(Number(original['flags']) & 8192).toBe(8192);
  });

  test('button click: deferUpdate then the message is edited; unknown custom ids are refused', async () => {
    onInteraction(client, async (interaction) => {
      if (interaction.isChatInputCommand()) {
        const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
          new ButtonBuilder().setCustomId('consent:yes').setLabel('Yes').setStyle(ButtonStyle.Success),
        );
        await interaction.reply({ content: 'Consent?', components: [row] });
      } else if (interaction.isButton()) {
        await interaction.update({
          content: `clicked ${interaction.customId} by ${interaction.user.username}`,
          components: [],
        });
      }
    });
    const command = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'profile',
    });
    await command.waitForOriginal();
    expect(() => standin.clickButton({ message: command.original!, customId: 'nope', userId: TEST_IDS.alice })).toThrow(
      /has no component "nope".*consent:yes/,
    );
    const click = standin.clickButton({ message: command.original!, customId: 'consent:yes', userId: TEST_IDS.alice });
    await click.waitForAck();
    expect(click.callbackType).toBe(CallbackType.UpdateMessage);
    expect(command.originalJson?.['content']).toBe('clicked consent:yes by alice');
    expect(command.originalJson?.['components']).toEqual([]);
  });

  test('modal: the bot opens one, the user submits it, the bot reads the field', async () => {
    onInteraction(client, async (interaction) => {
      if (interaction.isChatInputCommand()) {
        await interaction.showModal({
          customId: 'rename',
          title: 'Rename',
          components: [{ type: 1, components: [{ type: 4, customId: 'name', label: 'Name', style: 1 }] }],
        });
      } else if (interaction.isModalSubmit()) {
        await interaction.reply(`name=${interaction.fields.getTextInputValue('name')}`);
      }
    });
    const command = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'profile',
    });
    await command.waitFor((h) => h.modal !== undefined);
    const submit = standin.submitModal({ interaction: command, values: { name: 'Ada' } });
    expect(await submit.waitForOriginal()).toMatchObject({ content: 'name=Ada' });
  });

  test('a user message arrives as MESSAGE_CREATE; a voice message carries flag, duration and waveform', async () => {
    // The bot's own replies also arrive as MESSAGE_CREATE (as on Discord): wait for bob's.
    const received = new Promise<import('discord.js').Message>((resolve) => {
      const listener = (m: import('discord.js').Message): void => {
        if (m.author.id !== TEST_IDS.bob) return;
        client.off('messageCreate', listener);
        resolve(m);
      };
      client.on('messageCreate', listener);
    });
    standin.sendVoiceMessage({
      channelId: TEST_IDS.text,
      userId: TEST_IDS.bob,
      ogg: Buffer.from('OggS'),
      durationSecs: 3.25,
    });
    const message = await received;
    expect(message.author.id).toBe(TEST_IDS.bob);
    expect(message.flags.has(MessageFlags.IsVoiceMessage)).toBe(true);
    const attachment = message.attachments.first();
    expect(attachment?.duration).toBe(3.25);
    expect(attachment?.contentType).toBe('audio/ogg');
    const bytes = Buffer.from(await (await fetch(attachment!.url)).arrayBuffer());
    expect(bytes.toString()).toBe('OggS');
  });

  test('channel messages the bot posts are recorded; empty messages are refused like Discord', async () => {
    const channel = await client.channels.fetch(TEST_IDS.text);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    const sent = await channel.send('hello from the bot');
    expect(standin.botMessages(TEST_IDS.text).at(-1)?.json['content']).toBe('hello from the bot');
    await sent.edit('edited');
    expect(standin.botMessages(TEST_IDS.text).at(-1)?.json['content']).toBe('edited');
    await expect(channel.send({ content: '' })).rejects.toThrow(/empty message/);
  });

  test('a second acknowledgement is refused (40060)', async () => {
    const errors: string[] = [];
    onInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.reply('one');
      // Bypass discord.js's own "already replied" guard to hit the server's rule.
      await client.rest
        .post(`/interactions/${interaction.id}/${interaction.token}/callback`, {
          body: { type: 4, data: { content: 'two' } },
          auth: false,
        })
        .catch((e: Error) => errors.push(e.message));
    });
    const handle = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'profile',
    });
    await handle.waitFor(() => errors.length > 0);
    expect(errors[0]).toMatch(/already been acknowledged/);
    expect(handle.originalJson?.['content']).toBe('one');
  });

  test('unknown REST routes answer 404 JSON and are recorded', async () => {
    await expect(client.rest.get('/guilds/1/nonsense')).rejects.toThrow(
      /stand-in has no route GET \/guilds\/1\/nonsense/,
    );
    expect(standin.unknownRoutes.at(-1)).toMatchObject({ method: 'GET', path: '/api/v10/guilds/1/nonsense' });
  });

  test('wrong bot token is refused with 401', async () => {
    const response = await fetch(`${standin.apiUrl}/v10/users/@me`, { headers: { authorization: 'Bot wrong' } });
    expect(response.status).toBe(401);
  });

  test('gateway reconnect: op 7 resumes, a close resumes, events sent meanwhile are not lost', async () => {
    expect(await standin.forceGatewayReconnect('op7')).toBe('resumed');
    expect(await standin.forceGatewayReconnect('close')).toBe('resumed');
    expect(standin.gateway.stats.resumes).toBe(2);
    const received = new Promise<string>((resolve) =>
      client.on('messageCreate', (m) => m.author.id === TEST_IDS.alice && resolve(m.content)),
    );
    standin.sendMessage({ channelId: TEST_IDS.text, userId: TEST_IDS.alice, content: 'still here?' });
    expect(await received).toBe('still here?');
  });

  test('invalid session: the client identifies again (after its identify throttle) and gets a fresh READY', async () => {
    const identifies = standin.gateway.stats.identifies;
    expect(await standin.forceGatewayReconnect('invalidSession', 15_000)).toBe('ready');
    expect(standin.gateway.stats.identifies).toBe(identifies + 1);
    client.on('interactionCreate', (interaction) => {
      if (interaction.isChatInputCommand()) void interaction.reply('back');
    });
    const handle = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'profile',
    });
    expect(await handle.waitForOriginal()).toMatchObject({ content: 'back' });
  });
});

describe('Discord rules the stand-in enforces on a slow bot', () => {
  test('an acknowledgement after the deadline gets Unknown interaction (10062); a follow-up before any ack gets 10015', async () => {
    const { startStandin } = await import('./index');
    const standin = await startStandin({
      logger: false,
      ackDeadlineMs: 100,
      guilds: [
        {
          id: TEST_IDS.guild,
          name: 'G',
          channels: [{ id: TEST_IDS.text, name: 'general' }],
          members: [{ user: { id: TEST_IDS.alice, username: 'alice' } }],
        },
      ],
    });
    const client = await loginClient(standin);
    const errors: string[] = [];
    onInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await client.rest
        .post(`/webhooks/${interaction.applicationId}/${interaction.token}`, {
          body: { content: 'too early' },
          auth: false,
        })
        .catch((e: Error) => errors.push(e.message));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await interaction.reply('too late').catch((e: Error) => errors.push(e.message));
    });
    try {
      const handle = standin.runSlashCommand({
        guildId: TEST_IDS.guild,
        channelId: TEST_IDS.text,
        userId: TEST_IDS.alice,
        name: 'slow',
      });
      await handle.waitFor(() => errors.length === 2, 3000, 'both errors');
      expect(errors[0]).toMatch(/Unknown Webhook/);
      expect(errors[1]).toMatch(/Unknown interaction/);
      expect(handle.acknowledged).toBe(false);
    } finally {
      await client.destroy();
      await standin.close();
    }
  });
});
