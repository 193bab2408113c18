/**
 * `npm run deploy-commands [-- --dry-run] [--guild ID]`: registers Attune's slash commands, in one
 * server (fast to update; `--guild` or DISCORD_DEV_GUILD_ID) or globally. `--dry-run` prints the JSON
 * definitions and touches neither the network nor the token.
 */
import { REST, Routes } from 'discord.js';
import { ConfigError, loadConfig } from '../bot/config';
import { commandDefinitions } from '../commands/definitions';

/** Parsed command line. */
export interface DeployArgs {
  dryRun: boolean;
  guildId: string | null;
}

/** Parses `--dry-run` and `--guild ID` / `--guild=ID`; throws on anything else. */
export function parseDeployArgs(argv: readonly string[]): DeployArgs {
  const out: DeployArgs = { dryRun: false, guildId: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!; // i < argv.length
    if (arg === '--dry-run') out.dryRun = true;
    else if (arg === '--guild') out.guildId = argv[++i] ?? '';
    else if (arg.startsWith('--guild=')) out.guildId = arg.slice('--guild='.length);
    else throw new Error(`Unknown argument ${arg}. Usage: deploy-commands [--dry-run] [--guild ID]`);
  }
  if (out.guildId !== null && !/^\d{17,20}$/.test(out.guildId))
    throw new Error('--guild needs a server id (17 to 20 digits).');
  return out;
}

async function main(): Promise<void> {
  const args = parseDeployArgs(process.argv.slice(2));
  const body = commandDefinitions();
  if (args.dryRun) {
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return;
  }
  const config = loadConfig();
  const guildId = args.guildId ?? config.devGuildId;
  const rest = new REST({ api: config.apiUrl }).setToken(config.token);
  const route = guildId
    ? Routes.applicationGuildCommands(config.applicationId, guildId)
    : Routes.applicationCommands(config.applicationId);
  const result = (await rest.put(route, { body })) as unknown[];
  process.stdout.write(
    `Registered ${result.length} commands ${guildId ? `in server ${guildId}` : 'globally (may take up to an hour to appear)'}.\n`,
  );
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(
      `${error instanceof ConfigError ? error.message : `deploy-commands failed: ${(error as Error).message}`}\n`,
    );
    process.exit(1);
  });
}
