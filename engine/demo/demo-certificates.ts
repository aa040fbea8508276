import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * X.509 certificates for the demo's loopback TLS endpoint and the TLS probe's tests, made in-process (ECDSA P-256,
 * SHA-256): no openssl binary and no private key in the repository. Any validity period can be asked for, so an
 * expired or nearly expired certificate is as easy to make as a good one.
 */
export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
  /** the signing key, to issue certificates under this one when it is a CA */
  key: KeyObject;
  subject: string;
}

// ---- DER, just what a certificate needs ---------------------------------------------------------------------------

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, ...content: Buffer[]) => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
const explicit = (n: number, ...c: Buffer[]) => tlv(0xa0 | n, ...c);
const octets = (b: Buffer) => tlv(0x04, b);
const bits = (b: Buffer) => tlv(0x03, Buffer.from([0]), b);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
function oid(text: string): Buffer {
  const [a, b, ...rest] = text.split('.').map(Number);
  const out = [40 * a + b];
  for (const n of rest) {
    const parts: number[] = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) parts.unshift((v & 0x7f) | 0x80);
    out.push(...parts);
  }
  return tlv(0x06, Buffer.from(out));
}
/**
 * The DER INTEGER of the unsigned big-endian number in `b`: its shortest form (DER allows no leading zero byte but the
 * one that keeps a number whose first bit is set positive; OpenSSL refuses the rest as "illegal padding").
 */
export function integer(b: Buffer): Buffer {
  let k = 0;
  while (k < b.length - 1 && b[k] === 0) k++;
  const v = b.subarray(k);
  return tlv(0x02, v[0] & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}
/** UTCTime until 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}
const name = (cn: string) => seq(set(seq(oid('2.5.4.3'), utf8(cn))));
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const extension = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

function sanEntry(s: string): Buffer {
  if (isIP(s) === 4) return tlv(0x87, Buffer.from(s.split('.').map(Number)));
  return tlv(0x82, Buffer.from(s, 'ascii'));
}

const pem = (label: string, der: Buffer) =>
  `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END ${label}-----\n`;

/**
 * A certificate for `subject` (CN) with `sans` (DNS names, IPv4 addresses), valid from `notBefore` to `notAfter`,
 * signed by `issuer` (self-signed without one). `ca` marks it a CA (basicConstraints CA:TRUE).
 */
export function issueCertificate(props: {
  subject: string;
  sans?: string[];
  notBefore?: Date;
  notAfter: Date;
  issuer?: IssuedCertificate;
  ca?: boolean;
  /** the serial number's bytes (default: 12 random bytes) */
  serial?: Buffer;
}): IssuedCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const serial = props.serial ?? randomBytes(12);
  const extensions = [extension('2.5.29.19', true, props.ca ? seq(bool(true)) : seq())];
  if (props.sans?.length) extensions.push(extension('2.5.29.17', false, seq(...props.sans.map(sanEntry))));
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ECDSA_SHA256,
    name(props.issuer?.subject ?? props.subject),
    seq(time(props.notBefore ?? new Date(Date.now() - 86_400_000)), time(props.notAfter)),
    name(props.subject),
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...extensions)),
  );
  const signature = sign('sha256', tbs, { key: props.issuer?.key ?? privateKey, dsaEncoding: 'der' });
  const der = seq(tbs, ECDSA_SHA256, bits(signature));
  return {
    certPem: pem('CERTIFICATE', der),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    key: privateKey,
    subject: props.subject,
  };
}
