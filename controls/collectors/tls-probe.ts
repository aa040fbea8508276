import { readFile } from 'node:fs/promises';
import tls, { type PeerCertificate, type TLSSocket } from 'node:tls';
import type { TlsProbeResult, TlsVersion } from '../define-control.ts';
import type { ControlSettings } from '../settings.ts';
import { assertAllowed } from './http-probe.ts';

type Probes = ControlSettings['probes'];
type Endpoint = Probes['tls'][number];

const TLS_VERSIONS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/**
 * Errors OpenSSL raises on this side before anything reaches the endpoint: the client cannot offer the version
 * (a build or a configuration without it). Nothing is then known about the endpoint, so the version is recorded as
 * `not_tested`, never as refused.
 */
const CLIENT_CANNOT_OFFER = new Set(['ERR_SSL_NO_PROTOCOLS_AVAILABLE', 'ERR_SSL_NO_CIPHERS_AVAILABLE', 'ERR_TLS_INVALID_PROTOCOL_VERSION']);

/** Answers that mean the endpoint itself spoke TLS and would not agree on this version. */
const REFUSED =
  /^ERR_SSL_(TLSV1_ALERT_PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|WRONG_VERSION_NUMBER|SSLV3_ALERT_HANDSHAKE_FAILURE|TLSV1_ALERT_INSUFFICIENT_SECURITY|NO_SHARED_CIPHER|VERSION_TOO_LOW|VERSION_TOO_HIGH)$/;

type Attempt = TlsProbeResult['versions'][number];

/** What one failed handshake says about the endpoint (exported for its tests: some errors cannot be provoked here). */
export function classifyHandshakeError(error: { code?: string; message?: string }): Attempt['result'] {
  const code = error.code ?? '';
  if (CLIENT_CANNOT_OFFER.has(code) || /no protocols available|unsupported protocol version/i.test(error.message ?? '')) return 'not_tested';
  if (REFUSED.test(code)) return 'refused';
  // The endpoint closed the connection during the handshake (many servers do this rather than send an alert).
  if (code === 'ECONNRESET' || /socket disconnected before secure TLS connection/i.test(error.message ?? '')) return 'refused';
  return 'error';
}

function describeError(error: { code?: string; message?: string }): string {
  return error.code ?? (error.message ?? 'unknown error').slice(0, 200);
}

function certificateOf(socket: TLSSocket, now: number): TlsProbeResult['certificate'] {
  const c: PeerCertificate = socket.getPeerCertificate();
  if (!c || !c.valid_to) return undefined;
  const validTo = new Date(c.valid_to);
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const issuer = [first(c.issuer?.CN), first(c.issuer?.O)].filter(Boolean).join(', ');
  return {
    ...(first(c.subject?.CN) ? { subjectCN: first(c.subject.CN) } : {}),
    sans: c.subjectaltname ? c.subjectaltname.split(', ').filter(Boolean) : [],
    ...(issuer ? { issuer } : {}),
    validFrom: new Date(c.valid_from).toISOString(),
    validTo: validTo.toISOString(),
    daysToExpiry: Math.floor((validTo.getTime() - now) / 86_400_000),
    fingerprint256: c.fingerprint256,
    authorized: socket.authorized,
    ...(socket.authorizationError ? { authorizationError: String(socket.authorizationError) } : {}),
  };
}

/**
 * One handshake pinned to `version`. The certificate is read, not trusted (rejectUnauthorized false), so an
 * expired or unverifiable one can be reported; whether it verified (system CAs plus `ca`, and the name) is recorded.
 * TLS 1.0 and 1.1 need OpenSSL's security level 0 on this side to be offered at all.
 */
function handshake(props: { host: string; port: number; servername: string; version: TlsVersion; ca?: string[]; timeoutMs: number }) {
  return new Promise<{ attempt: Attempt; certificate?: TlsProbeResult['certificate'] }>((resolve) => {
    let done = false;
    let socket: TLSSocket | undefined;
    const finish = (r: { attempt: Attempt; certificate?: TlsProbeResult['certificate'] }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket?.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ attempt: { version: props.version, result: 'error', detail: 'timed out' } }), props.timeoutMs);
    const legacy = props.version === 'TLSv1' || props.version === 'TLSv1.1';
    try {
      socket = tls.connect({
        host: props.host,
        port: props.port,
        // SNI must be a host name, never an IP address (RFC 6066 §3).
        servername: /^[\d.]+$|:/.test(props.servername) ? undefined : props.servername,
        minVersion: props.version,
        maxVersion: props.version,
        rejectUnauthorized: false,
        ...(props.ca ? { ca: props.ca } : {}),
        ...(legacy ? { ciphers: 'DEFAULT:@SECLEVEL=0' } : {}),
        checkServerIdentity: (_host, cert) => tls.checkServerIdentity(props.servername, cert),
      });
    } catch (error) {
      // Thrown before a socket exists: this client cannot offer the version (or the options are refused).
      const e = error as { code?: string; message?: string };
      const result = classifyHandshakeError(e);
      finish({ attempt: { version: props.version, result: result === 'error' ? 'not_tested' : result, detail: describeError(e) } });
      return;
    }
    socket.once('secureConnect', () => {
      const s = socket!;
      const negotiated = s.getProtocol();
      if (negotiated !== props.version) {
        finish({ attempt: { version: props.version, result: 'refused', detail: `negotiated ${negotiated ?? 'nothing'}` } });
        return;
      }
      finish({ attempt: { version: props.version, result: 'accepted' }, certificate: certificateOf(s, Date.now()) });
    });
    socket.once('error', (error: Error & { code?: string }) => {
      finish({ attempt: { version: props.version, result: classifyHandshakeError(error), detail: describeError(error) } });
    });
  });
}

function target(endpoint: Endpoint): { host: string; port: number; servername: string } {
  const u = new URL(endpoint.url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return { host, port: u.port ? Number(u.port) : 443, servername: ('servername' in endpoint && endpoint.servername) || host };
}

/**
 * network.tls-versions: every endpoint in `probes.tls` is handshaken once per TLS version (1.0 to 1.3), each
 * attempt bounded by `probes.timeoutMs`; only hosts in `probes.allowedHosts` are contacted. Endpoints are probed
 * one after another, their versions too, so a probe never opens more than one connection at a time.
 */
export async function probeTls(probes: Probes): Promise<TlsProbeResult[]> {
  const out: TlsProbeResult[] = [];
  for (const endpoint of probes.tls) {
    let t: { host: string; port: number; servername: string };
    try {
      t = target(endpoint);
    } catch {
      out.push({ name: endpoint.name, host: endpoint.url, port: 0, servername: '', versions: [], error: `${endpoint.url} is not a URL` });
      continue;
    }
    const base = { name: endpoint.name, host: t.host, port: t.port, servername: t.servername };
    try {
      assertAllowed(`https://${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}/`, probes.allowedHosts);
    } catch (error) {
      out.push({ ...base, versions: [], error: `refused: ${(error as Error).message}` });
      continue;
    }
    let ca: string[] | undefined;
    if ('ca' in endpoint && endpoint.ca) {
      try {
        // Node's `ca` replaces the system's roots: keep them, and add the private CA.
        ca = [...tls.rootCertificates, await readFile(endpoint.ca, 'utf8')];
      } catch (error) {
        out.push({
          ...base,
          versions: [],
          error: `cannot read the CA file ${endpoint.ca} (probes.tls[].ca): ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
        });
        continue;
      }
    }
    const versions: Attempt[] = [];
    let certificate: TlsProbeResult['certificate'];
    for (const version of TLS_VERSIONS) {
      const r = await handshake({ ...t, version, ca, timeoutMs: probes.timeoutMs });
      versions.push(r.attempt);
      if (r.certificate) certificate = r.certificate;
    }
    out.push({ ...base, versions, ...(certificate ? { certificate } : {}) });
  }
  return out;
}
