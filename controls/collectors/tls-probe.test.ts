import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCertificate, type IssuedCertificate } from '../../engine/demo/demo-certificates.ts';
import networkTlsVersions from '../catalogue/network-tls-versions.ts';
import { runControl } from '../runner.ts';
import { parseControlSettings } from '../settings.ts';
import { createEvidenceSources } from './sources.ts';
import { classifyHandshakeError, probeTls } from './tls-probe.ts';

const DAY = 86_400_000;
const dir = mkdtempSync(path.join(tmpdir(), 'tenet-tls-probe-'));
const servers: tls.Server[] = [];

/** A real TLS server on loopback with this certificate, accepting these versions. */
async function serve(cert: IssuedCertificate, minVersion: tls.SecureVersion, extra: tls.TlsOptions = {}): Promise<number> {
  const server = tls.createServer({ key: cert.keyPem, cert: cert.certPem, minVersion, ...extra }, (s) => s.end());
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

const ca = issueCertificate({ subject: 'Tenet Test CA', ca: true, notAfter: new Date(Date.now() + 3650 * DAY) });
const caFile = path.join(dir, 'ca.pem');
writeFileSync(caFile, ca.certPem);
const leaf = (days: number, notBefore?: Date) =>
  issueCertificate({ subject: 'localhost', sans: ['localhost', '127.0.0.1'], issuer: ca, notAfter: new Date(Date.now() + days * DAY), notBefore });

let modern: number;
let legacy: number;
let expired: number;
let soon: number;
let legacyServerWorks = true;

beforeAll(async () => {
  modern = await serve(leaf(200), 'TLSv1.2');
  // TLS 1.0 on the server side needs OpenSSL's security level 0 too.
  try {
    legacy = await serve(leaf(200), 'TLSv1', { ciphers: 'DEFAULT:@SECLEVEL=0' });
  } catch {
    legacyServerWorks = false;
  }
  expired = await serve(leaf(-30, new Date(Date.now() - 400 * DAY)), 'TLSv1.2');
  soon = await serve(leaf(5), 'TLSv1.2');
});

afterAll(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

const settingsFor = (ports: number[], opts: { ca?: boolean; allowed?: boolean } = {}) =>
  parseControlSettings({
    probes: {
      allowedHosts: opts.allowed === false ? [] : ports.map((p) => `localhost:${p}`),
      timeoutMs: 2000,
      tls: ports.map((p) => ({ name: `svc-${p}`, url: `https://localhost:${p}/`, ...(opts.ca === false ? {} : { ca: caFile }) })),
    },
  });

const run = (ports: number[], opts: { ca?: boolean; allowed?: boolean } = {}) => {
  const settings = settingsFor(ports, opts);
  const sources = createEvidenceSources({ settings, inventory: [], live: true, authorize: async () => ({ decision: 'deny', reasons: [], errors: [] }) });
  return runControl(networkTlsVersions, sources, settings);
};

describe('the TLS probe against real loopback servers', () => {
  it('a TLS 1.2+ endpoint with a certificate from a trusted private CA passes, and the evidence shows each version and the certificate', async () => {
    const [r] = await probeTls(settingsFor([modern]).probes);
    expect(r.versions.map((v) => [v.version, v.result])).toEqual([
      ['TLSv1', 'refused'],
      ['TLSv1.1', 'refused'],
      ['TLSv1.2', 'accepted'],
      ['TLSv1.3', 'accepted'],
    ]);
    expect(r.certificate).toMatchObject({ subjectCN: 'localhost', issuer: 'Tenet Test CA', authorized: true, sans: ['DNS:localhost', 'IP Address:127.0.0.1'] });
    expect(r.certificate!.daysToExpiry).toBeGreaterThanOrEqual(199);
    const result = await run([modern]);
    expect(result.status).toBe('pass');
    expect(result.summary).toMatch(/1 endpoint\(s\) accept only TLS 1.2 or newer/);
  });

  it('the same endpoint without its private CA: the certificate does not verify, and the control fails saying why', async () => {
    const result = await run([modern], { ca: false });
    expect(result.status).toBe('fail');
    expect(result.findings.map((f) => f.message).join('\n')).toMatch(/certificate localhost does not verify: UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
  });

  it('an endpoint that still accepts TLS 1.0 and 1.1 fails', async () => {
    if (!legacyServerWorks) {
      // This OpenSSL cannot serve TLS 1.0 at all: the evaluation of such evidence is covered by the catalogue's case table.
      expect(legacyServerWorks).toBe(false);
      return;
    }
    const [r] = await probeTls(settingsFor([legacy]).probes);
    expect(r.versions.filter((v) => v.result === 'accepted').map((v) => v.version)).toEqual(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
    const result = await run([legacy]);
    expect(result.status).toBe('fail');
    expect(result.findings[0]).toMatchObject({ resourceId: `localhost:${legacy}`, message: `svc-${legacy} accepts TLSv1 and TLSv1.1 (older than TLS 1.2)` });
  });

  it('an expired certificate fails, and one expiring within 14 days fails', async () => {
    const result = await run([expired, soon]);
    expect(result.status).toBe('fail');
    const text = result.findings.map((f) => f.message).join('\n');
    expect(text).toMatch(new RegExp(`svc-${expired}: certificate localhost expired on \\d{4}-\\d\\d-\\d\\d`));
    expect(text).toMatch(new RegExp(`svc-${expired}: certificate localhost does not verify: CERT_HAS_EXPIRED`));
    expect(text).toMatch(new RegExp(`svc-${soon}: certificate localhost expires on .*, within 14 days`));
  });

  it('an unreachable endpoint is error, never pass', async () => {
    const cert = leaf(200);
    const closed = tls.createServer({ key: cert.keyPem, cert: cert.certPem });
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const result = await run([port]);
    expect(result.status).toBe('error');
    expect(result.findings[0].message).toMatch(/no TLS handshake succeeded: TLSv1 error \(ECONNREFUSED\)/);
  });

  it('a host outside probes.allowedHosts is never contacted', async () => {
    const [r] = await probeTls(settingsFor([modern], { allowed: false }).probes);
    expect(r.versions).toEqual([]);
    expect(r.error).toMatch(/refused: host localhost:\d+ is not in probes.allowedHosts/);
    expect((await run([modern], { allowed: false })).status).toBe('error');
  });

  it('a server that never answers the handshake is bounded by probes.timeoutMs', async () => {
    const net = await import('node:net');
    const silent = net.createServer(() => {});
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const port = (silent.address() as AddressInfo).port;
    const settings = parseControlSettings({ probes: { allowedHosts: [`localhost:${port}`], timeoutMs: 300, tls: [`localhost:${port}`] } });
    const started = Date.now();
    const [r] = await probeTls(settings.probes);
    silent.close();
    expect(Date.now() - started).toBeLessThan(4 * 300 + 1000);
    expect(r.versions.map((v) => v.detail)).toEqual(['timed out', 'timed out', 'timed out', 'timed out']);
    expect(r.name).toBe(`localhost:${port}`);
  });

  it('not configured: not_applicable', async () => {
    const settings = parseControlSettings({});
    const sources = createEvidenceSources({ settings, inventory: [], live: true, authorize: async () => ({ decision: 'deny', reasons: [], errors: [] }) });
    expect((await runControl(networkTlsVersions, sources, settings)).status).toBe('not_applicable');
  });
});

describe('what a failed handshake says', () => {
  it('a version this client cannot offer is not_tested, never refused', () => {
    expect(classifyHandshakeError({ code: 'ERR_SSL_NO_PROTOCOLS_AVAILABLE', message: 'no protocols available' })).toBe('not_tested');
    expect(classifyHandshakeError({ code: 'ERR_TLS_INVALID_PROTOCOL_VERSION' })).toBe('not_tested');
  });
  it("the endpoint's protocol-version alert or a reset during the handshake is refused; no answer is error", () => {
    expect(classifyHandshakeError({ code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' })).toBe('refused');
    expect(classifyHandshakeError({ code: 'ECONNRESET' })).toBe('refused');
    expect(classifyHandshakeError({ code: 'ECONNREFUSED' })).toBe('error');
    expect(classifyHandshakeError({ code: 'ENOTFOUND' })).toBe('error');
  });
});

describe('network.tls-versions on recorded evidence', () => {
  const settings = parseControlSettings({});
  const endpoint = (versions: Array<[string, string]>) => ({
    name: 'api',
    host: 'api.example.com',
    port: 443,
    servername: 'api.example.com',
    versions: versions.map(([version, result]) => ({ version, result, ...(result === 'not_tested' ? { detail: 'ERR_SSL_NO_PROTOCOLS_AVAILABLE' } : {}) })),
    certificate: {
      subjectCN: 'api.example.com',
      sans: [],
      validFrom: '2026-01-01T00:00:00.000Z',
      validTo: new Date(Date.now() + 90 * DAY).toISOString(),
      daysToExpiry: 90,
      fingerprint256: 'AB',
      authorized: true,
    },
  });
  it('versions this client could not offer are named in the findings and the summary, not counted as refused', () => {
    const e = networkTlsVersions.evidence.parse([
      endpoint([
        ['TLSv1', 'not_tested'],
        ['TLSv1.1', 'not_tested'],
        ['TLSv1.2', 'accepted'],
        ['TLSv1.3', 'accepted'],
      ]),
    ]);
    const r = networkTlsVersions.evaluate(e, settings);
    expect(r.status).toBe('pass');
    expect(r.summary).toMatch(/; TLSv1, TLSv1.1 not tested \(this client cannot offer them\)/);
    expect(r.findings.map((f) => [f.severity, f.message])).toEqual([
      ['info', 'api: TLSv1 not tested: this client cannot offer it (ERR_SSL_NO_PROTOCOLS_AVAILABLE)'],
      ['info', 'api: TLSv1.1 not tested: this client cannot offer it (ERR_SSL_NO_PROTOCOLS_AVAILABLE)'],
    ]);
  });
  it('one version without an answer makes an otherwise good endpoint error, not pass', () => {
    const e = networkTlsVersions.evidence.parse([
      endpoint([
        ['TLSv1', 'error'],
        ['TLSv1.1', 'refused'],
        ['TLSv1.2', 'accepted'],
        ['TLSv1.3', 'accepted'],
      ]),
    ]);
    expect(networkTlsVersions.evaluate(e, settings).status).toBe('error');
  });
});

describe('GET /v1/settings shows the TLS endpoints', () => {
  it('names each endpoint, its URL without query, its SNI name and whether a private CA is trusted; never the CA file path', async () => {
    const { describeSettings, settingsViewSchema } = await import('../../engine/http/routes/settings-view.ts');
    const settings = parseControlSettings({
      probes: {
        tls: [
          'api.example.com:443',
          { name: 'partner', url: 'https://partner.example.com:8443/x?token=1', ca: '/etc/tenet/private-ca.pem', servername: 'p.example.com' },
        ],
      },
    });
    const view = await describeSettings({
      settings,
      origin: { source: 'test', demo: false },
      retention: { decisionDays: 1, revealDays: 1, evidenceDays: 1 },
      env: {},
      inProcessPlatformDb: false,
      controlIds: [],
      schedule: () => '* * * * *',
    });
    expect(settingsViewSchema.parse(view).tlsEndpoints).toEqual([
      { name: 'api.example.com:443', url: 'https://api.example.com/', servername: null, privateCa: false },
      { name: 'partner', url: 'https://partner.example.com:8443/x?…', servername: 'p.example.com', privateCa: true },
    ]);
    expect(JSON.stringify(view)).not.toContain('private-ca.pem');
  });
});
