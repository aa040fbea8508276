import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { integer, issueCertificate } from './demo-certificates.ts';

const hex = (b: Buffer) => b.toString('hex');

describe('demo certificates', () => {
  it('encode integers in their shortest DER form, positive', () => {
    expect(hex(integer(Buffer.from([0x12])))).toBe('020112');
    expect(hex(integer(Buffer.from([0x00, 0x12])))).toBe('020112');
    expect(hex(integer(Buffer.from([0x00, 0x00, 0x80])))).toBe('02020080');
    expect(hex(integer(Buffer.from([0x80])))).toBe('02020080');
    expect(hex(integer(Buffer.from([0x00])))).toBe('020100');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 20 }), (bytes) => {
        const der = integer(Buffer.from(bytes));
        const body = der.subarray(2);
        expect(der[1]).toBe(body.length);
        // the same number, positive, and no byte that could be dropped
        expect(BigInt('0x' + (hex(body) || '0'))).toBe(BigInt('0x' + hex(Buffer.from(bytes))));
        expect(body[0] & 0x80).toBe(0);
        if (body.length > 1) expect(body[0] !== 0 || (body[1] & 0x80) !== 0).toBe(true);
      }),
    );
  });

  // The random serial's first byte was masked to clear its sign bit, so one serial in 128 started with a zero byte, and
  // half of those (a second byte under 0x80) were written with a leading zero DER does not allow: OpenSSL refused the
  // certificate ("illegal padding"), which failed the demo's start-up and the TLS probe's tests now and then.
  it.each([
    ['a zero first byte', '00' + '11'.repeat(11), '11'.repeat(11)],
    ['zero first bytes before a set first bit', '0000' + 'f0'.repeat(10), 'F0'.repeat(10)],
    ['a set first bit', 'ff' + '01'.repeat(11), 'FF' + '01'.repeat(11)],
  ])('are accepted by OpenSSL whatever the serial: %s', (_, serial, shown) => {
    const cert = issueCertificate({
      subject: 'localhost',
      sans: ['localhost'],
      notAfter: new Date(Date.now() + 86_400_000),
      serial: Buffer.from(serial, 'hex'),
    });
    expect(new X509Certificate(cert.certPem).serialNumber.toUpperCase()).toBe(shown.toUpperCase());
    expect(() => tls.createSecureContext({ key: cert.keyPem, cert: cert.certPem })).not.toThrow();
  });
});
