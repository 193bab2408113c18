import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * Jest gives each test file its own `process` object, so the filter can only be observed in a real
 * Node process: run a tiny script on the project's Node and read its stderr.
 */
describe('loadSqlite', () => {
  it('drops only the SQLite ExperimentalWarning; other warnings still print', () => {
    const script = [
      "const { loadSqlite } = require('./src/storage/loadSqlite');",
      'const sqlite = loadSqlite();',
      "if (loadSqlite() !== sqlite) throw new Error('not cached');",
      'console.log(typeof sqlite.DatabaseSync);',
      "process.emitWarning('another experiment', 'ExperimentalWarning');",
    ].join('\n');
    // Without npm test's NODE_OPTIONS (which silences experimental warnings in jest's own output).
    const env = { ...process.env };
    delete env['NODE_OPTIONS'];
    const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: path.resolve(__dirname, '../..'),
      encoding: 'utf8',
      env,
    });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('function');
    expect(result.stderr).not.toContain('SQLite is an experimental feature');
    expect(result.stderr).toContain('ExperimentalWarning: another experiment');
  });
});
