import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScanner } from './scanner.ts';
import { SCAN_LIMITS } from './limits.ts';
import { DETECTOR_IDS, type DetectorId, type PiiFinding } from './types.ts';
import { generateCorpusText } from '../../test/scanner/corpus.ts';

// Made-up values only: names, addresses, numbers and plates invented for these tests.
const SECRET = 'personal-data-test-secret';
const scanner = createScanner({ secret: SECRET });

function offsetOf(text: string, f: PiiFinding): number {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < f.line - 1; i++) offset += lines[i].length + 1;
  return offset + f.column - 1;
}

/** [detector, value] of every finding */
function found(text: string, s = scanner): Array<[DetectorId, string]> {
  return s.scan(text).map((f) => {
    const o = offsetOf(text, f);
    return [f.detector, text.slice(o, o + f.length)];
  });
}

/** the values `detector` found in `text` */
const values = (text: string, detector: DetectorId, s = scanner) =>
  found(text, s)
    .filter(([d]) => d === detector)
    .map(([, v]) => v);

/** A JSON log line and a plain-text one around the same words. */
const json = (fields: Record<string, unknown>) => JSON.stringify({ level: 'info', service: 'order-sync', ...fields });
const text = (msg: string) => `2026-11-27T10:00:00.000Z [order-sync] INFO ${msg}`;

describe('person_name', () => {
  it('the SP-API shapes: BuyerInfo.BuyerName, ShippingAddress.Name, and buyer/customer/recipient objects', () => {
    const order = json({
      AmazonOrderId: '171-5550001-1234567',
      BuyerInfo: { BuyerEmail: 'q1w2e3r4t5@marketplace.amazon.in', BuyerName: 'Meera Kulkarni' },
      ShippingAddress: { Name: 'Rohan Deshpande', City: 'Pune', PostalCode: '411001', CountryCode: 'IN' },
    });
    expect(values(order, 'person_name')).toEqual(['Meera Kulkarni', 'Rohan Deshpande']);
    expect(values(json({ customer: { id: 'c_1', name: 'Ishaan Bhatt' } }), 'person_name')).toEqual(['Ishaan Bhatt']);
    expect(values(json({ recipients: [{ name: 'Kavya Iyer' }] }), 'person_name')).toEqual(['Kavya Iyer']);
    expect(values(json({ buyer_name: 'Tara Menon', recipient: 'Arjun Pillai' }), 'person_name')).toEqual(['Tara Menon', 'Arjun Pillai']);
    expect(values(json({ msg: 'forwarded', body: JSON.stringify({ buyerName: 'Nila Sen' }) }), 'person_name')).toEqual(['Nila Sen']);
  });

  it('free text: a name after a personal name word', () => {
    expect(values(text('buyer name: Asha Rao, order confirmed'), 'person_name')).toEqual(['Asha Rao']);
    expect(values(text('recipient=Vikram Joshi status=delivered'), 'person_name')).toEqual(['Vikram Joshi']);
  });

  it('configured keys', () => {
    const custom = createScanner({ secret: SECRET, personalKeys: { person_name: ['consignee_label'], postal_address: ['drop_point'] } });
    const line = json({ consignee_label: 'Zoya Qureshi', drop_point: 'Shop 4, Carter Road' });
    expect(values(line, 'person_name', custom)).toEqual(['Zoya Qureshi']);
    expect(values(line, 'postal_address', custom)).toEqual(['Shop 4, Carter Road']);
    expect(values(line, 'person_name')).toEqual([]);
    expect(() => createScanner({ secret: SECRET, personalKeys: { email: ['x'] } as never })).toThrow(/unknown detector email/);
  });

  it('hard negatives: a name key of a service, file, template or host; a top-level name; a value that is no name', () => {
    const line = json({
      name: 'order-service',
      file: { name: 'report-2026-11.csv' },
      template: { name: 'order_shipped' },
      function: { name: 'spapiOrderImport' },
      customer: { name: 'null' },
      buyer: { name: 'guest 42' },
    });
    expect(values(line, 'person_name')).toEqual([]);
    expect(values(json({ name: 'Meera Kulkarni', kind: 'stakeholder' }), 'person_name')).toEqual([]); // no personal parent
    expect(values(text('name: Deploy Bot finished'), 'person_name')).toEqual([]);
  });

  it('a name beside a contact field (an e-mail or phone key) in the same object, in either order', () => {
    expect(values(json({ stakeholder: { percentage: 10, name: 'Gaurav Kumar', email: 'g.k@example.com' } }), 'person_name')).toEqual(['Gaurav Kumar']);
    expect(values(json({ email: 'g.k@example.com', contact: '9123456780', name: 'Meera Kulkarni' }), 'person_name')).toEqual(['Meera Kulkarni']);
    expect(values(json({ phone: '+44 20 7946 0958', name: 'Rohan Deshpande' }), 'person_name')).toEqual(['Rohan Deshpande']);
    // not a person's: a lower-case name (a service, a list), a contact field in another object, a phone word in free text
    expect(values(json({ name: 'reports', email: 'ops@example.com' }), 'person_name')).toEqual([]);
    expect(values(json({ name: 'Daily Sales', owner: { email: 'ops@example.com' } }), 'person_name')).toEqual([]);
    expect(values(json({ name: 'Daily Sales', msg: 'phone number changed' }), 'person_name')).toEqual([]);
  });

  it('free text: "name is" after a possessive or a personal word', () => {
    expect(values(text('my name is Dan'), 'person_name')).toEqual(['Dan']);
    expect(values(json({ msg: 'caller said her name is Kavya Iyer' }), 'person_name')).toEqual(['Kavya Iyer']);
    expect(values(text('customer name is Asha Rao, ticket closed'), 'person_name')).toEqual(['Asha Rao']);
    // not a person's: no possessive or personal word, a lower-case word, "our" (a business)
    expect(values(text('the report name is Daily Sales'), 'person_name')).toEqual([]);
    expect(values(text('my name is required'), 'person_name')).toEqual([]);
    expect(values(text('our name is Acme Retail'), 'person_name')).toEqual([]);
    expect(values(text('enemy name is Zorg'), 'person_name')).toEqual([]);
  });

  it('free text: the capitalised words after a form of address (Mr, Mrs, Ms, Smt)', () => {
    expect(values(text('They call me Mr. Mayers'), 'person_name')).toEqual(['Mayers']);
    expect(values(json({ msg: 'parcel handed to Mrs Iyer at the gate' }), 'person_name')).toEqual(['Iyer']);
    expect(values(text('kyc done for Smt. Kavya Rao'), 'person_name')).toEqual(['Kavya Rao']);
    // "Shri", "Sri", "Dr" and "Mx" also start business, place and product names; upper-case "MR" is an abbreviation
    expect(values(text('seller Shri Balaji Traders, ships from Sri Lanka, supplier Dr. Reddy Labs, app Mx Player'), 'person_name')).toEqual([]);
    expect(values(text('MR 1234 merged, Mr. unknown, Mrs. 42, Mrdata Loader'), 'person_name')).toEqual([]);
  });
});

describe('postal_address', () => {
  it('address keys and address objects (ShippingAddress.AddressLine1, City, PostalCode)', () => {
    const line = json({
      ShippingAddress: { Name: 'Rohan Deshpande', AddressLine1: 'Flat 7, Sai Kripa Apartments', AddressLine2: 'FC Road', City: 'Pune', PostalCode: '411004' },
    });
    expect(values(line, 'postal_address')).toEqual(['Flat 7, Sai Kripa Apartments', 'FC Road', 'Pune', '411004']);
    expect(values(json({ shipping_address: '22 Park Street, Kolkata 700016' }), 'postal_address')).toEqual(['22 Park Street, Kolkata 700016']);
    expect(values(json({ addresses: { residential: { street: '506, Koramangala 4th Block', city: 'Bengaluru' } } }), 'postal_address')).toEqual([
      '506, Koramangala 4th Block',
      'Bengaluru',
    ]);
  });

  it('free text: an Indian address, a PIN code after an address word', () => {
    expect(values(text('deliver to 12 MG Road, Indiranagar, Bengaluru 560038 before noon'), 'postal_address')).toEqual([
      '12 MG Road, Indiranagar, Bengaluru 560038',
    ]);
    expect(values(json({ msg: 'address updated to Plot 9, Sector 21, Noida 201301' }), 'postal_address')).toEqual(['Plot 9, Sector 21, Noida 201301']);
    expect(values(text('shipping address: H.No 4-1-7, Abids Lane, Hyderabad 500001 | status=ok'), 'postal_address')).toEqual([
      'H.No 4-1-7, Abids Lane, Hyderabad 500001',
    ]);
  });

  it('a phone number inside an address stays a phone: the address keeps the rest', () => {
    expect(found(json({ shipping_address: '4 Hill Road, Bandra, call +44 20 7946 0958 after 6' })).map(([d, v]) => `${d}:${v}`)).toEqual([
      'postal_address:4 Hill Road, Bandra, call',
      'intl_phone:+44 20 7946 0958',
      'postal_address:after 6',
    ]);
    expect(found(json({ ShippingAddress: { AddressLine1: 'Flat 9, Rao Residency, near metro, call 9845012345' } })).map(([d, v]) => `${d}:${v}`)).toEqual([
      'postal_address:Flat 9, Rao Residency, near metro, call',
      'in_phone:9845012345',
    ]);
  });

  it('an object with a city and a postal code is an address, whatever its key (a FHIR Address, a bare address object)', () => {
    const fhir = '{"line": ["14 Hill View Road"], "city": "Nashik", "state": "Maharashtra", "postalCode": "422005", "country": "IN"}';
    expect(values(text(`patient ${fhir}`), 'postal_address')).toEqual(['Nashik', '422005']);
    expect(values(json({ msg: 'synced', body: fhir }), 'postal_address')).toEqual(['Nashik', '422005']);
    expect(values(json({ loc: { zip: '10115', city: 'Berlin', street: 'Hauptstr. 4' } }), 'postal_address')).toEqual(['10115', 'Berlin', 'Hauptstr. 4']);
    // a city alone, a postal code alone, or the two in different objects
    expect(values(json({ warehouse: { city: 'Pune', code: 'PNQ1' }, region: { postalCode: '411001' } }), 'postal_address')).toEqual([]);
    expect(values(json({ origin: { city: 'Pune' }, dest: { pincode: '110001' } }), 'postal_address')).toEqual([]);
  });

  it('hard negatives: a PIN-like number next to an order id, a top-level postal code, a remote address, no address word', () => {
    expect(values(text('order 560034 near sector hub'), 'postal_address')).toEqual([]);
    expect(values(text('order id: 411001 packed at Lane 3 warehouse'), 'postal_address')).toEqual([]);
    expect(values(json({ orderId: '560034', addressLine1: 'Flat 2, Lake View' }), 'postal_address')).toEqual(['Flat 2, Lake View']);
    expect(values(json({ postalCode: '560001', pincode: '110001' }), 'postal_address')).toEqual([]);
    expect(values(json({ address: '49.36.12.7', remoteAddress: '10.0.0.1' }), 'postal_address')).toEqual([]);
    expect(values(text('batch 560034 took 1200 ms on node 3'), 'postal_address')).toEqual([]);
  });
});

describe('ip_address', () => {
  it('public IPv4 and IPv6, in JSON and in text', () => {
    expect(values(json({ ip: '49.36.128.17', sourceIp: '2405:201:c00a:e0b1:5d6:8c2f:1b3e:9a7f' }), 'ip_address')).toEqual([
      '49.36.128.17',
      '2405:201:c00a:e0b1:5d6:8c2f:1b3e:9a7f',
    ]);
    expect(values(text('GET /v1/orders 200 ip=157.48.23.201 ua="okhttp"'), 'ip_address')).toEqual(['157.48.23.201']);
    expect(values(text('client [2a02:6b8::2:242]:443 connected'), 'ip_address')).toEqual(['2a02:6b8::2:242']);
    expect(values(text('peer ::ffff:103.48.22.9 closed'), 'ip_address')).toEqual(['103.48.22.9']);
  });

  it('hard negatives: private, loopback, link-local, CGNAT, documentation, multicast, unspecified; versions', () => {
    const privates = ['10.0.12.7', '172.16.4.2', '192.168.1.20', '127.0.0.1', '169.254.169.254', '100.64.3.9', '192.0.2.10', '198.51.100.7', '203.0.113.5'];
    const more = ['224.0.0.251', '0.0.0.0', '255.255.255.255', 'fe80::1', 'fd12:3456:789a::1', '::1', '2001:db8::7', 'ff02::1'];
    expect(values(text([...privates, ...more].join(' ')), 'ip_address')).toEqual([]);
    expect(values(text('version=1.2.3.4 v1.2.3.4 build 2.10.3.1 Chrome/120.0.6099.129 agent/49.36.12.7'), 'ip_address')).toEqual([]);
    expect(values(json({ version: '49.36.12.7', at: '2026-11-27T10:11:12.123Z', took: '12:30:45' }), 'ip_address')).toEqual([]);
    expect(values(text('amount 1.2.3 and 999.1.1.1 and 01.02.03.04'), 'ip_address')).toEqual([]);
  });
});

describe('intl_phone', () => {
  it('E.164 numbers anywhere, validated by libphonenumber-js', () => {
    expect(values(text('call +44 20 7946 0958 or +1-202-555-0143 today'), 'intl_phone')).toEqual(['+44 20 7946 0958', '+1-202-555-0143']);
    expect(values(json({ contact: '+971 50 123 4567' }), 'intl_phone')).toEqual(['+971 50 123 4567']);
  });

  it('national numbers under a phone key or after a phone word', () => {
    expect(values(json({ ShippingAddress: { Phone: '(415) 555-0132' } }), 'intl_phone')).toEqual(['(415) 555-0132']);
    expect(values(json({ buyer_phone: '020 7946 0958' }), 'intl_phone')).toEqual(['020 7946 0958']);
    expect(values(text('my phone number is (425) 882-9090'), 'intl_phone')).toEqual(['(425) 882-9090']);
  });

  it("ten digits that are no Indian number are read as another country's, without NANP grouping", () => {
    expect(values(text('my phone number is 4258829090'), 'intl_phone')).toEqual(['4258829090']);
    expect(values(json({ phone: '425 8829090' }), 'intl_phone')).toEqual(['425 8829090']);
    // a valid Indian landline as well (022 23456789, 011 23456789): not reported without NANP grouping
    expect(values(json({ phone: '2223456789', tel: '1123456789' }), 'intl_phone')).toEqual([]);
  });

  it('a list of numbers after a phone word: separated by ",", "/", "or", or by spaces after a plural word', () => {
    expect(values(text('try one of these phones 052 5552606 074-7111234'), 'intl_phone')).toEqual(['052 5552606', '074-7111234']);
    expect(values(text('phone: 020 7946 0958 or 020 7946 0959'), 'intl_phone')).toEqual(['020 7946 0958', '020 7946 0959']);
    // after a singular word, a number that follows with only a space is not in the list
    expect(values(text('phone 020 7946 0958 2079460959 bytes'), 'intl_phone')).toEqual(['020 7946 0958']);
  });

  it('"number" after a possessive, alone or with a word saying which phone', () => {
    expect(values(text('My US number is (415) 555-0132, and my international one is +1 415 555 0132'), 'intl_phone')).toEqual([
      '(415) 555-0132',
      '+1 415 555 0132',
    ]);
    expect(values(json({ msg: 'her work number is 020 7946 0958' }), 'intl_phone')).toEqual(['020 7946 0958']);
    // another number of hers, a number key, a number without a possessive
    expect(values(text('My Aadhaar number is 400123456787 with a lot of text'), 'intl_phone')).toEqual([]);
    expect(values(text('my order number is 4258829090'), 'intl_phone')).toEqual([]);
    expect(values(json({ number: '(415) 555-0132', invoice: { number: '020 7946 0958' } }), 'intl_phone')).toEqual([]);
    expect(values(text('the number is (415) 555-0132'), 'intl_phone')).toEqual([]);
  });

  it("a qualifier naming a country reads the number by that country's plan", () => {
    expect(values(text('My Israeli number is 09-7625400'), 'intl_phone')).toEqual(['09-7625400']);
    expect(values(text('her British number is 020 7946 0958'), 'intl_phone')).toEqual(['020 7946 0958']);
    // a country word is no phone word by itself, and "number" needs the possessive still
    expect(values(text('the Israeli order is 09-7625400'), 'intl_phone')).toEqual([]);
    expect(values(text('the Israeli number is 09-7625400'), 'intl_phone')).toEqual([]);
  });

  it("a FHIR ContactPoint: the value of an object whose system is 'phone', in either order", () => {
    expect(values('{"system": "phone", "value": "555-780-8673", "use": "home"}', 'intl_phone')).toEqual(['555-780-8673']);
    expect(values(json({ telecom: [{ value: '020 7946 0958', system: 'phone' }] }), 'intl_phone')).toEqual(['020 7946 0958']);
    expect(values(json({ telecom: [{ system: 'email', value: '020 7946 0958' }, { value: '020 7946 0959' }] }), 'intl_phone')).toEqual([]);
  });

  it('Indian numbers stay in_phone, reported once', () => {
    expect(found(text('call +91 98450 12345'))).toEqual([['in_phone', '+91 98450 12345']]);
    expect(found(json({ phone: '9845012345' }))).toEqual([['in_phone', '9845012345']]);
  });

  it('hard negatives: timezone offsets, arithmetic, too short or invalid, unformatted ten digits', () => {
    expect(values(text('at 10:00 +0530 and +05:30, x+1234567890, +1 0000, +44 12'), 'intl_phone')).toEqual([]);
    expect(values(json({ phone: '1123456789', mobile: 'unknown', tel: '12345' }), 'intl_phone')).toEqual([]);
  });
});

describe('bank_account', () => {
  it('an account number next to an IFSC, or under an account-number key', () => {
    // the IFSC with it: the branch is part of the account's details
    expect(values(json({ bank_account: { account_number: '50100123456789', ifsc: 'HDFC0001234' } }), 'bank_account')).toEqual([
      '50100123456789',
      'HDFC0001234',
    ]);
    expect(values(text('payout to IFSC SBIN0004321 a/c 32145678901 done'), 'bank_account')).toEqual(['SBIN0004321', '32145678901']);
    expect(values(json({ beneficiary_account_number: '001234567890123' }), 'bank_account')).toEqual(['001234567890123']);
    expect(values(text('refund to bank account no 912803456'), 'bank_account')).toEqual(['912803456']);
    expect(values(text('my banking account number is 912803456'), 'bank_account')).toEqual(['912803456']);
    expect(values(text('credited to savings account 912803456'), 'bank_account')).toEqual(['912803456']);
  });

  it('an IFSC under an IFSC key, alone', () => {
    expect(values(json({ ifsc: 'KKBK0000261' }), 'bank_account')).toEqual(['KKBK0000261']);
    expect(values(json({ beneficiary: { ifsc_code: 'SBIN0020001' } }), 'bank_account')).toEqual(['SBIN0020001']);
    expect(values(text('payout queued bankIfsc=BARB0ZOOTIN'), 'bank_account')).toEqual(['BARB0ZOOTIN']);
    // not an IFSC (fifth character not 0), a key that is not an IFSC's, the word in free text
    expect(values(json({ ifsc: 'HDFC1234567', ifscVerified: 'HDFC0001234' }), 'bank_account')).toEqual([]);
    expect(values(text('branch ifsc ICIC0006789 updated'), 'bank_account')).toEqual([]);
  });

  it('hard negatives: an IFSC alone, a phone next to an IFSC, an order number without an IFSC, an AWS account id', () => {
    expect(values(text('branch ifsc ICIC0006789 updated'), 'bank_account')).toEqual([]);
    expect(values(text('ifsc ICIC0006789 phone 9845012345'), 'bank_account')).toEqual([]);
    expect(values(text('order 123456789012 shipped'), 'bank_account')).toEqual([]);
    expect(values(json({ account: '123456789012', accountId: '210987654321' }), 'bank_account')).toEqual([]);
    expect(values(text('cloud account number is 912803456, aws account 123456789012'), 'bank_account')).toEqual([]);
  });
});

describe('vehicle_registration', () => {
  it('Indian plates with a valid state code, spaced or compact, and the BH series', () => {
    expect(values(text('vehicle MH 12 AB 1234 at gate'), 'vehicle_registration')).toEqual(['MH 12 AB 1234']);
    expect(values(json({ vehicleNumber: 'KA01AB1234', courier: { van: 'DL-3C-AB-1234' } }), 'vehicle_registration')).toEqual(['KA01AB1234']);
    expect(values(text('delivery van 22 BH 1234 AA arrived'), 'vehicle_registration')).toEqual(['22 BH 1234 AA']);
  });

  it('hard negatives: a plate-like SKU, an unknown state code, a plate glued to an identifier', () => {
    expect(values(json({ sellerSKU: 'KA01AB1234', sku: 'MH12AB1234' }), 'vehicle_registration')).toEqual([]);
    expect(values(text('item SKU-KA01AB1234-XL and model TN01AB1234 and XX 12 AB 1234'), 'vehicle_registration')).toEqual([]);
  });
});

describe('date_of_birth', () => {
  it('under a DOB key or after a DOB word, in the usual formats', () => {
    expect(values(json({ customer: { dob: '1988-03-12', dateOfBirth: '1990-01-02T00:00:00Z' } }), 'date_of_birth')).toEqual(['1988-03-12', '1990-01-02']);
    expect(values(text('kyc date of birth: 12 Mar 1988 verified'), 'date_of_birth')).toEqual(['12 Mar 1988']);
    expect(values(text('DOB 12/03/1988, born on March 4, 1990'), 'date_of_birth')).toEqual(['12/03/1988', 'March 4, 1990']);
  });

  it('hard negatives: dates without a DOB word, an invalid date', () => {
    expect(values(json({ purchaseDate: '2026-11-27', expiry: '2031-05-17' }), 'date_of_birth')).toEqual([]);
    expect(values(text('dob 1988-13-45 rejected'), 'date_of_birth')).toEqual([]);
  });
});

describe('encoded values', () => {
  it('base64 and URL-encoded values are decoded once and scanned by every detector; findings point at the encoded text', () => {
    const inner = JSON.stringify({ buyer_name: 'Asha Rao', pan: 'ABCPK1234Z' });
    const b64 = Buffer.from(inner).toString('base64');
    const line = json({ payload: b64 });
    const fs = scanner.scan(line);
    expect(fs.map((f) => f.detector)).toEqual(['person_name', 'pan']);
    const start = line.indexOf(b64);
    for (const f of fs) {
      expect(f.column - 1).toBeGreaterThanOrEqual(start);
      expect(f.column - 1 + f.length).toBeLessThanOrEqual(start + b64.length);
    }
    // the fingerprint is the decoded value's: the same value counts once however it was written
    expect(fs[1].fingerprint).toBe(scanner.scan('pan ABCPK1234Z')[0].fingerprint);

    const url = text('GET /v1/buyers?email=asha.rao%40example.in&phone=%2B44%2020%207946%200958&name=x');
    expect(found(url)).toEqual([
      ['email', 'asha.rao%40example.in'],
      ['intl_phone', '%2B44%2020%207946%200958'],
    ]);
  });

  it('JSON embedded in a string is read through its escaped quotes', () => {
    const line = json({ msg: 'webhook', body: JSON.stringify({ ShippingAddress: { Name: 'Dev Malhotra', City: 'Jaipur' } }) });
    expect(found(line)).toEqual([
      ['person_name', 'Dev Malhotra'],
      ['postal_address', 'Jaipur'],
    ]);
  });

  it('hard negatives: ids, hashes and cursors that decode to nothing personal', () => {
    const cursor = Buffer.from(JSON.stringify({ offset: 100, tenant: 't_42' })).toString('base64url');
    expect(found(json({ cursor, requestId: 'ZqL2cHwDoAMF-Kg=', etag: 'a1B2c3D4e5F6g7H8i9J0k1L2' }))).toEqual([]);
  });
});

describe('the scanner as a whole', () => {
  it('redacts what it finds, and the redacted text holds nothing more', () => {
    const line = json({ BuyerInfo: { BuyerName: 'Meera Kulkarni' }, ip: '49.36.128.17', dob: '1988-03-12', note: 'call +44 20 7946 0958' });
    const red = scanner.redact(line);
    expect(red.length).toBe(line.length);
    expect(red).not.toMatch(/Meera|49\.36\.128|1988-03|7946/);
    expect(scanner.scan(red)).toEqual([]);
  });

  it('the new detectors can be turned off, and the ids and limits are there', () => {
    const engineOnly = createScanner({ secret: SECRET, detectors: ['email'] });
    expect(found(json({ BuyerInfo: { BuyerName: 'Meera Kulkarni', BuyerEmail: 'meera.k@example.in' }, ip: '49.36.128.17' }), engineOnly)).toEqual([
      ['email', 'meera.k@example.in'],
    ]);
    expect(DETECTOR_IDS.slice(-7)).toEqual([
      'person_name',
      'postal_address',
      'ip_address',
      'intl_phone',
      'bank_account',
      'vehicle_registration',
      'date_of_birth',
    ]);
    expect(SCAN_LIMITS.join(' ')).toMatch(/names the lexicon does not know are not detected/);
  });

  it('on any mix of personal-data shapes: findings in bounds, in order, not overlapping; redaction leaves none', () => {
    const pieces = [
      '{"ShippingAddress":{"Name":"',
      '"BuyerName":"',
      'Asha Rao',
      '"}',
      '}',
      ' buyer name: ',
      ' 49.36.128.17 ',
      '10.0.0.1',
      '2405:201:c00a::9a7f',
      ' +44 20 7946 0958',
      '+1-202-555-0143',
      ' 12 MG Road, Bengaluru 560038',
      ' HDFC0001234 ',
      '50100123456789',
      ' MH 12 AB 1234 ',
      'dob=1988-03-12',
      Buffer.from('{"buyer_name":"Asha Rao"}').toString('base64'),
      'q=asha%40example.in&p=%2B44%2020%207946%200958',
      '\\"name\\":\\"',
      '\n',
      ' ',
      ':',
      '"',
      '{',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 30 }), (parts) => {
        const t = parts.join('');
        const fs = scanner.scan(t);
        let last = -1;
        for (const f of fs) {
          const o = offsetOf(t, f);
          expect(o).toBeGreaterThan(last - 1);
          expect(o + f.length).toBeLessThanOrEqual(t.length);
          expect(t.slice(o, o + f.length)).not.toContain('\n');
          last = o + f.length;
        }
        const red = scanner.redact(t);
        expect(red.length).toBe(t.length);
        expect(scanner.scan(red)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('stays linear: a long line of near-misses is scanned in time proportional to its length', () => {
    const unit = 'name: x 1.2.3 +0 %zz 560001 road KA01 HDFC0 ';
    const small = unit.repeat(2_000);
    const big = unit.repeat(20_000);
    scanner.scan(small);
    const t0 = performance.now();
    scanner.scan(small);
    const t1 = performance.now();
    scanner.scan(big);
    const t2 = performance.now();
    expect(t2 - t1).toBeLessThan(Math.max(40 * (t1 - t0), 200));
  });

  /** ms to scan `text` once, after a warm-up on its start; and platform log lines of n characters, to compare with */
  const scanMs = (text: string) => {
    scanner.scan(text.slice(0, 1 << 16));
    const t0 = performance.now();
    scanner.scan(text);
    return performance.now() - t0;
  };
  const logLines = (n: number, seed: number) => generateCorpusText({ seed, minBytes: n }).slice(0, n);
  /** `unit` repeated to `len` characters */
  const repeated = (unit: string, len: number) => unit.repeat(Math.ceil(len / unit.length)).slice(0, len);

  it('stays linear when overlapping candidates chain across a whole line (the overlaps are resolved span by span)', () => {
    // near-misses whose candidates overlap one another from the line's start to its end: one cluster of 95,000
    const unit = 'name: x 1.2.3 +0 %zz 560001 road KA01 HDFC0 ';
    const n = 1 << 22;
    const chain = repeated(unit, n);
    expect(scanner.scan(chain).length).toBeGreaterThan(30_000);
    // 0.25 s here; comparing each candidate with every chosen span took 4 s and more
    expect(scanMs(chain)).toBeLessThan(Math.max(8 * scanMs(logLines(n, 5)), 1000));
  });

  it('a line of 300,000 forms of address and names (one cluster of overlapping candidates) is scanned and redacted', () => {
    const line = 'Mr. Aa '.repeat(300_000);
    expect(scanner.scan(line).length).toBeGreaterThan(100_000);
    expect(scanner.redact(line)).not.toMatch(/Mr\. Aa /);
  });

  it('stays linear on a line of capitalised words and names (each word is looked up once)', () => {
    const n = 1 << 21;
    const linesMs = scanMs(logLines(n, 7));
    const long = 'b'.repeat(5000);
    for (const unit of ['John Oliver ', 'Richard M. Nixon ', 'Aa Bb ', 'Gaurav ', `A${long} Kumar `, 'Dan Tailor ', `A${long} Dan Bar `, `${long} Dan Bar `]) {
      // a line of names costs 3-6 times a log line here (every word is looked up); a search per word would be 100 times
      expect(scanMs(repeated(unit, n)), unit.slice(0, 12)).toBeLessThan(Math.max(12 * linesMs, 600));
    }
    expect(scanner.scan('John Oliver '.repeat(1000)).filter((f) => f.detector === 'person_name').length).toBeGreaterThan(400);
  });

  it("stays linear on secret-named keys before quoted values (a value is read at most 1 KiB, a key's spaces once)", () => {
    const n = 1 << 21;
    const linesMs = scanMs(logLines(n, 9));
    // eight times the text may take eight times as long, not sixty-four (a search to the text's end per key did)
    for (const unit of ["api_token '", `password "${'x'.repeat(3000)} `, "secret 'Ab1$Ab1$Ab1$Ab1$Ab1$' ", `token${' '.repeat(4000)}'`]) {
      const eighthMs = scanMs(repeated(unit, n / 8));
      expect(scanMs(repeated(unit, n)), unit.slice(0, 12)).toBeLessThan(Math.max(24 * eighthMs, 2 * linesMs, 200));
    }
  });

  it('stays linear on a long line of IFSCs (the account number next to each is looked for within 200 characters)', () => {
    const n = 1 << 21;
    const ifscs = repeated('acct 123456789012 HDFC0001234 ', n);
    expect(scanner.scan(ifscs).length).toBeGreaterThan(100_000);
    // 0.6 s here; looking for the line's ends from every IFSC took 40 s and more
    expect(scanMs(ifscs)).toBeLessThan(Math.max(12 * scanMs(logLines(n, 6)), 2000));
  });

  it('stays linear on one token far longer than the pass reads at a time (a run of letters, a long base64 value)', () => {
    // less time than platform log lines of the same length; a pass that read the token again from each 32 K chunk it
    // holds took 25 times as long and more
    const n = 1 << 23;
    const linesMs = scanMs(logLines(n, 3));
    for (const ch of ['a', 'Q']) expect(scanMs(ch.repeat(n))).toBeLessThan(Math.max(4 * linesMs, 300));
  });
});
