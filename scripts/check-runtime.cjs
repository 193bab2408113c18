// Fails fast, with a clear message, when npm scripts are not running on the project's own Node.js.
// The project carries Node >= 22.12 as the `node` npm package (needed by @discordjs/voice 0.19 for DAVE);
// npm puts node_modules/.bin first on PATH, so every npm script should run under it.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `Attune needs Node.js >= 22.12 but this is ${process.version}. Run \`npm ci\` (it installs Node 22 from npm) and start everything through npm scripts.`,
  );
  process.exit(1);
}
