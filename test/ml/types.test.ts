import { fail, ok } from '../../src/ml/types';

describe('Result helpers', () => {
  it('builds successes and typed failures', () => {
    expect(ok(3)).toEqual({ ok: true, value: 3 });
    expect(fail('no_face', 'No face found.')).toEqual({ ok: false, code: 'no_face', message: 'No face found.' });
  });
});

describe('runtime', () => {
  it('runs on the Node.js the project carries (>= 22.12, for @discordjs/voice DAVE)', () => {
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    expect(major > 22 || (major === 22 && minor >= 12)).toBe(true);
  });
});
