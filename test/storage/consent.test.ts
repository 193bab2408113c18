import { isStoreError, type AttuneStore } from '../../src/storage';
import { BACKENDS } from './helpers/backends';
import { faceSample, fixedClock, personModel, voiceSample } from './helpers/fixtures';

/** Runs `fn` and returns the StoreError code it threw (or 'no error'). */
async function codeOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (e) {
    return isStoreError(e) ? e.code : `not a StoreError: ${String(e)}`;
  }
  return 'no error';
}

describe.each(BACKENDS)('consent enforcement ($name)', (backend) => {
  let store: AttuneStore;
  beforeEach(async () => (store = await backend.open({ now: fixedClock })));
  afterEach(() => store.close());

  it('refuses every personal write without consent and stores nothing', async () => {
    expect(await store.getConsent('p1')).toBeNull();
    expect(await store.hasConsent('p1')).toBe(false);
    expect(await codeOf(() => store.addSample(faceSample('p1', 'happy')))).toBe('no_consent');
    expect(await codeOf(() => store.addSamples([voiceSample('p1', 'sad')]))).toBe('no_consent');
    expect(await codeOf(() => store.saveModel('p1', personModel('a')))).toBe('no_consent');
    expect(await codeOf(() => store.updatePersonSettings('p1', { speakReplies: false }))).toBe('no_consent');
    expect(await store.describePerson('p1')).toBeNull();
    expect(await store.listSamples('p1')).toEqual([]);
    expect(await store.loadModel('p1')).toBeNull();
  });

  it('records a grant with sorted, de-duplicated scope and the current time', async () => {
    const record = await store.grantConsent('p1', { textVersion: 'consent-v1', scope: ['voice', 'face', 'voice'] });
    const expected = {
      personId: 'p1',
      textVersion: 'consent-v1',
      scope: ['face', 'voice'],
      grantedAt: '2025-01-02T03:04:05.000Z',
      revokedAt: null,
    };
    expect(record).toEqual(expected);
    expect(await store.getConsent('p1')).toEqual(expected);
    expect(await store.hasConsent('p1', 'face')).toBe(true);
    expect(await store.hasConsent('p1', 'voice')).toBe(true);
  });

  it('only allows the signals in scope', async () => {
    await store.grantConsent('p1', { textVersion: 'v1', scope: ['face'] });
    expect(await store.hasConsent('p1', 'voice')).toBe(false);
    expect(await codeOf(() => store.addSample(voiceSample('p1', 'happy')))).toBe('consent_scope');
    expect(await codeOf(() => store.addSample(faceSample('p1', 'happy')))).toBe('no error');
    expect(await store.countSamples('p1')).toEqual({ happy: { face: 1, voice: 0 } });
  });

  it('stops writes after revocation but keeps data until forgotten; a new grant reopens', async () => {
    await store.grantConsent('p1', { textVersion: 'v1', scope: ['face', 'voice'] });
    await store.addSample(faceSample('p1', 'happy'));
    const revoked = await store.revokeConsent('p1');
    expect(revoked?.revokedAt).toBe('2025-01-02T03:04:05.000Z');
    expect(await store.hasConsent('p1')).toBe(false);
    expect(await codeOf(() => store.addSample(faceSample('p1', 'sad')))).toBe('no_consent');
    expect(await codeOf(() => store.saveModel('p1', personModel('x')))).toBe('no_consent');
    expect(await store.countSamples('p1')).toEqual({ happy: { face: 1, voice: 0 } });
    // Revoking twice is harmless and returns the same record.
    expect(await store.revokeConsent('p1')).toEqual(revoked);

    await store.grantConsent('p1', { textVersion: 'v2', scope: ['voice'] });
    expect(await store.getConsent('p1')).toMatchObject({ textVersion: 'v2', scope: ['voice'], revokedAt: null });
    expect(await codeOf(() => store.addSample(voiceSample('p1', 'sad')))).toBe('no error');
  });

  it('revoking for an unknown person returns null', async () => {
    expect(await store.revokeConsent('nobody')).toBeNull();
  });

  it('rejects malformed consent', async () => {
    expect(await codeOf(() => store.grantConsent('p1', { textVersion: 'v1', scope: [] }))).toBe('invalid');
    expect(await codeOf(() => store.grantConsent('p1', { textVersion: 'v1', scope: ['smell' as 'face'] }))).toBe(
      'invalid',
    );
    expect(await codeOf(() => store.grantConsent('p1', { textVersion: '', scope: ['face'] }))).toBe('invalid');
    expect(await codeOf(() => store.grantConsent('', { textVersion: 'v1', scope: ['face'] }))).toBe('invalid');
    expect(await codeOf(() => store.grantConsent('has space', { textVersion: 'v1', scope: ['face'] }))).toBe('invalid');
    expect(await codeOf(() => store.grantConsent('x'.repeat(65), { textVersion: 'v1', scope: ['face'] }))).toBe(
      'invalid',
    );
    expect(await store.describePerson('p1')).toBeNull();
  });
});
