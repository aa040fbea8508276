import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('config', () => {
  it('has working defaults with an empty environment', () => {
    expect(loadConfig({})).toMatchObject({ PORT: 8080, TENET_DATA_DIR: '.data', TENET_PII_REVEAL_RETENTION_DAYS: 365 });
  });
  it('names every bad variable, and never echoes a value', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', TENET_BOOTSTRAP_TOKEN: 'short-secret-value', TENET_PII_REVEAL_RETENTION_DAYS: '30' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const msg = (error as Error).message;
      for (const v of ['PORT', 'DATABASE_URL', 'TENET_BOOTSTRAP_TOKEN', 'TENET_PII_REVEAL_RETENTION_DAYS']) expect(msg).toContain(v);
      expect(msg).not.toContain('short-secret-value');
      expect(msg).toMatch(/365 days/);
    }
  });
  it('OIDC: issuer and client id together, https (http only on loopback), role claim and cookie defaults', () => {
    expect(loadConfig({})).toMatchObject({ TENET_OIDC_ROLE_CLAIM: 'tenet_role', TENET_COOKIE_SECURE: 'auto' });
    expect(loadConfig({}).TENET_OIDC_ISSUER).toBeUndefined();
    const ok = loadConfig({ TENET_OIDC_ISSUER: 'https://idp.example/realm', TENET_OIDC_CLIENT_ID: 'tenet-console', TENET_OIDC_ROLE_CLAIM: 'cognito:groups' });
    expect(ok).toMatchObject({
      TENET_OIDC_ISSUER: 'https://idp.example/realm',
      TENET_OIDC_CLIENT_ID: 'tenet-console',
      TENET_OIDC_ROLE_CLAIM: 'cognito:groups',
    });
    expect(loadConfig({ TENET_OIDC_ISSUER: 'http://127.0.0.1:9000', TENET_OIDC_CLIENT_ID: 'c' }).TENET_OIDC_ISSUER).toBe('http://127.0.0.1:9000');
    const bad: Array<[Record<string, string>, string]> = [
      [{ TENET_OIDC_ISSUER: 'https://idp.example' }, 'TENET_OIDC_CLIENT_ID'],
      [{ TENET_OIDC_CLIENT_ID: 'tenet-console' }, 'TENET_OIDC_ISSUER'],
      [{ TENET_OIDC_ISSUER: 'http://idp.example', TENET_OIDC_CLIENT_ID: 'c' }, 'TENET_OIDC_ISSUER'],
      [{ TENET_OIDC_JWKS_URL: 'https://idp.example/jwks' }, 'TENET_OIDC_JWKS_URL'],
      [{ TENET_COOKIE_SECURE: 'sometimes' }, 'TENET_COOKIE_SECURE'],
    ];
    for (const [env, variable] of bad) expect(() => loadConfig(env), variable).toThrow(new RegExp(`${variable}:`));
  });
  it('the CLI stops with exit 2 and names the variable', async () => {
    const { main } = await import('../main/cli.ts');
    const prev = process.env.PORT;
    process.env.PORT = 'not-a-port';
    const errors: string[] = [];
    const orig = console.error;
    console.error = (m: string) => errors.push(String(m));
    try {
      expect(await main(['migrate'])).toBe(2);
    } finally {
      console.error = orig;
      if (prev === undefined) delete process.env.PORT;
      else process.env.PORT = prev;
    }
    expect(errors.join('\n')).toMatch(/PORT/);
  });
});
