import { describe, expect, it } from 'vitest';
import { createScanner } from '../../engine/scanner/scanner.ts';
import { packScanner, person } from './pack-people.ts';

const scanner = createScanner({ secret: 'pack-people-test-secret-0123456789abcdef' });
const found = (s: { scan: (t: string) => Array<{ detector: string; masked: string }> }, text: string) => s.scan(text).map((f) => `${f.detector} ${f.masked}`);

describe("a pack's scanner", () => {
  const actors = ['Priya Sharma', 'John Oliver (user 00u2efgh)', 'ci-deployer (key k-12)', 'meera.iyer@astrix.example (user 00u3)'];
  const pack = packScanner(scanner, { people: actors, hosts: ['52.95.110.1:443', 'api.astrix.example'] });

  it('lets the people the records name as acting through, written as the records write them or by name alone', () => {
    const text = [
      'approved by Priya Sharma until 2026-12-01',
      'requested by John Oliver (user 00u2efgh)',
      '{"certifiedBy":"John Oliver"}',
      'signed by meera.iyer@astrix.example (user 00u3)',
    ].join('\n');
    expect(found(scanner, text).length).toBeGreaterThanOrEqual(4); // each of them is personal data to the scanner
    expect(found(pack, text)).toEqual([]);
  });

  it('still refuses every other name, address, phone or secret, next to an actor or alone', () => {
    const detectors = (text: string) => pack.scan(text).map((f) => f.detector);
    expect(found(pack, 'approved by Priya Sharma for buyer Gaurav Kumar')).toEqual(['person_name Ga********ar']);
    expect(detectors('ship to Meera Iyer, call +91 98450 12345')).toEqual(['person_name', 'in_phone']);
    // another address of the same name is not the actor's
    expect(detectors('contact john.oliver@astrix.example')).toEqual(['email']);
    expect(detectors('Priya Sharma used AKIAIOSFODNN7QWERTYU')).toEqual(['aws_access_key']);
    expect(detectors('login from 52.95.110.2 by Priya Sharma')).toEqual(['ip_address']);
  });

  it('lets an actor through where only a key makes the scanner see a name', () => {
    const text = '{"buyer":{"name":"Sam Security"}}';
    expect(found(scanner, text)).toEqual(['person_name Sa********ty']);
    expect(found(packScanner(scanner, { people: ['Sam Security (user demo-security_officer)'], hosts: [] }), text)).toEqual([]);
  });

  it('lets the hosts Tenet probes through, by their public IP address', () => {
    const text = 'network.tls-versions: 52.95.110.1:443 accepts TLSv1.1; api.astrix.example:443 ok';
    expect(found(scanner, text)).toEqual(['ip_address 52*******.1']);
    expect(found(pack, text)).toEqual([]);
  });

  it('is the scanner itself when the records name nobody', () => {
    expect(packScanner(scanner, { people: [], hosts: [] })).toBe(scanner);
    const keysOnly = packScanner(scanner, { people: ['ci-deployer (key k-12)', 'shipped files'], hosts: ['api.astrix.example'] });
    const text = 'ci-deployer (key k-12) shipped files for Gaurav Kumar, meera.iyer@astrix.example';
    expect(keysOnly.scan(text)).toEqual(scanner.scan(text));
  });
});

describe('person', () => {
  it("masks an e-mail address's local part and leaves any other name as it is", () => {
    expect(person('meera.iyer@astrix.example (user 00u3)')).toBe('me******er at astrix.example (user 00u3)');
    expect(person('Priya Sharma')).toBe('Priya Sharma');
    expect(person(null)).toBe('not recorded');
  });
});
