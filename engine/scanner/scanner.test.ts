import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { luhnCheckDigit, verhoeffCheckDigit, verhoeffValid, luhnValid, gstinCheckChar } from './checksums.ts';
import { CORPUS_DETECTORS, sampleSnippets } from '../../test/scanner/corpus.ts';
import { createScanner } from './scanner.ts';
import { maskValue } from './masking.ts';
import { type DetectorId, type PiiFinding } from './types.ts';

const SECRET = 'unit-test-install-secret';
/** the detectors of the one-pass engine (scan-engine.ts): the personal-data detectors have their own tests */
const scanner = createScanner({ secret: SECRET, detectors: [...CORPUS_DETECTORS] });

/** [detector, value] of every finding */
function found(text: string): Array<[DetectorId, string]> {
  return scanner.scan(text).map((f) => [f.detector, valueAt(text, f)]);
}

function offsetOf(text: string, f: PiiFinding): number {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < f.line - 1; i++) offset += lines[i].length + 1;
  return offset + f.column - 1;
}

function valueAt(text: string, f: PiiFinding): string {
  const o = offsetOf(text, f);
  return text.slice(o, o + f.length);
}

function expectOne(text: string, detector: DetectorId, value: string): void {
  expect(found(text)).toEqual([[detector, value]]);
}

function expectNone(text: string): void {
  expect(found(text)).toEqual([]);
}

const aadhaarOf = (payload11: string) => payload11 + verhoeffCheckDigit(payload11);
const luhnOf = (payload: string) => payload + luhnCheckDigit(payload);
/** a 12-digit number starting 2-9 that fails Verhoeff */
const notAadhaar = (payload11: string) => payload11 + ((verhoeffCheckDigit(payload11) + 1) % 10);

describe('checksums', () => {
  it('Verhoeff, Luhn and the GSTIN check character agree with published examples', () => {
    expect(verhoeffValid([...'234123412346'].map(Number))).toBe(true);
    expect(verhoeffValid([...'234123412347'].map(Number))).toBe(false);
    expect(luhnValid([...'4111111111111111'].map(Number))).toBe(true);
    expect(luhnValid([...'4111111111111112'].map(Number))).toBe(false);
    expect(gstinCheckChar('27AAPFU0939F1ZV')).toBe('V');
    expect(gstinCheckChar('29AAGCB7383J1Z4')).toBe('4');
  });
});

describe('detectors: positives and formats', () => {
  it('aadhaar: 12 digits from 2-9 with a Verhoeff check digit, plain or grouped by space or dash', () => {
    expectOne('aadhaar 234123412346 verified', 'aadhaar', '234123412346');
    expectOne('aadhaar 2341 2341 2346 verified', 'aadhaar', '2341 2341 2346');
    expectOne('{"aadhaarNumber":"2341-2341-2346"}', 'aadhaar', '2341-2341-2346');
    const a = aadhaarOf('98765432109');
    expectOne(`uid=${a}`, 'aadhaar', a);
  });

  it('aadhaar: wrong check digit, leading 0/1, wrong length or grouping are not Aadhaar', () => {
    expectNone('aadhaar 234123412347');
    expectNone(`aadhaar ${aadhaarOf('12345678901')} ${aadhaarOf('02345678901')}`);
    expectNone('aadhaar 2341234123461 23412341234');
    // under a key that names an identifier, it is one; unless the key says Aadhaar
    expectNone('{"user_id":"234123412346"} {"adGroupId":"234123412346"} ref id 234123412346');
    expectOne('{"aadhaar_id":"234123412346"}', 'aadhaar', '234123412346');
    // in a URL or a host name that is not AWS's, it is still reported
    expectOne('GET https://kyc.example.in/v1/aadhaar/234123412346/status', 'aadhaar', '234123412346');
    expectOne('aadhaar 234123412346.verified', 'aadhaar', '234123412346');
    expectOne('https://api.example.in/sqs.amazonaws.com.x/234123412346/q', 'aadhaar', '234123412346');
    expectNone('aadhaar 234 1234 12346 23412 3412346');
  });

  it('pan: AAAAA9999A with a holder type 4th letter', () => {
    for (const t of 'PCHFATBLJGK') expectOne(`PAN: ABC${t}D1234F.`, 'pan', `ABC${t}D1234F`);
    expectNone('PAN: ABCXD1234F ABCQD1234F abcpd1234f ABCPD1234 ABCPD12345F');
  });

  it('gstin: state code, embedded PAN, entity, Z, mod-36 check; wins over the PAN inside it', () => {
    expectOne('gstin 27AAPFU0939F1ZV', 'gstin', '27AAPFU0939F1ZV');
    expectOne('{"gstin":"29AAGCB7383J1Z4"}', 'gstin', '29AAGCB7383J1Z4');
    expectNone('gstin 27AAPFU0939F1ZW'); // check character
    expectNone('gstin 45AAPFU0939F1ZV'); // state code
    expectNone('gstin 27AAXFU0939F1ZV'); // holder type
    const body = '97AAACI1681G1Z';
    expectOne(`gstin ${body}${gstinCheckChar(body)}`, 'gstin', body + gstinCheckChar(body));
  });

  it('in_phone: Indian mobiles with +91 / 91 / 0 prefixes, spaces and dashes, and WhatsApp wa_ids', () => {
    for (const p of [
      '9876543210',
      '+91 98765 43210',
      '+91-9876543210',
      '+91 9876543210',
      '+919876543210',
      '09876543210',
      '98765 43210',
      '98765-43210',
      '987-654-3210',
      '91 98765 43210',
    ]) {
      expectOne(`call ${p} now`, 'in_phone', p);
    }
    expectOne('{"wa_id":"919876543210"}', 'in_phone', '919876543210');
    expectOne('{"from":"917012345678","id":"wamid.x"}', 'in_phone', '917012345678');
    // 3-3-4 under a phone key, and a mobile used as an id: phones; a Google Ads customer id of that shape is not
    expectOne('{"customerPhone":"987-654-3210"}', 'in_phone', '987-654-3210');
    expectOne('{"user_id":"9876543210"}', 'in_phone', '9876543210');
    expectNone('{"customerId":"987-654-3210"}');
    // 91 + mobile without '+' under an object's id is that id, unless a phone word is there too
    expectNone('{"id":"919876543210"} {"adGroupId":"917012345678"}');
    expectOne('{"phone_id":"919876543210"}', 'in_phone', '919876543210');
  });

  it('in_phone: landlines, short numbers and numbers glued to words are not mobiles', () => {
    expectNone('call 5876543210 or 987654321 or x9876543210 or 9876543210x or 1234567890');
  });

  it('in_phone vs aadhaar: a 91-prefixed wa_id passing Verhoeff is a phone next to wa_id/from, an Aadhaar otherwise', () => {
    // find a 91 + mobile number that also passes Verhoeff
    let n = '';
    for (let i = 0; !n; i++) {
      const p = '917' + String(100000000 + i).slice(1);
      const c = p + verhoeffCheckDigit(p);
      if (c.length === 12) n = c;
    }
    expect(verhoeffValid([...n].map(Number))).toBe(true);
    expectOne(`{"wa_id":"${n}"}`, 'in_phone', n);
    expectOne(`aadhaar ${n}`, 'aadhaar', n);
  });

  it('email: addresses, lower-cased in the fingerprint', () => {
    expectOne('invite sent to Rahul.Sharma+orders@Example.co.in (admin)', 'email', 'Rahul.Sharma+orders@Example.co.in');
    expectOne('"buyerEmail":"x7k2lq9@marketplace.amazon.in"', 'email', 'x7k2lq9@marketplace.amazon.in');
    expectOne('mailto:a@b.com.', 'email', 'a@b.com');
    const [a, b] = [scanner.scan('Priya@Gmail.com')[0], scanner.scan('priya@gmail.com')[0]];
    expect(a.fingerprint).toBe(b.fingerprint);
  });

  it('email: package specs, image digests, hosts without a TLD are not addresses', () => {
    expectNone('"@aws-sdk/client-dynamodb@3.583.0" nodejs@sha256:abcd user@localhost ec2-user@ip-10-0-1-23 @here a@b');
  });

  it('card: Luhn, 13-19 digits, grouped or not, known IIN prefixes', () => {
    const cards = [
      '4111111111111111', // Visa
      '4111 1111 1111 1111',
      '4111-1111-1111-1111',
      '4222222222222', // Visa 13
      '5555555555554444', // Mastercard
      '2223003122003222', // Mastercard 2-series
      '378282246310005', // Amex
      '3782 822463 10005',
      '6011111111111117', // Discover
      '36227206271667', // Diners
      '3530111333300000', // JCB
      luhnOf('652100000000000'), // RuPay 65
      luhnOf('508500000000000'), // RuPay 508
      luhnOf('607000000000000'), // RuPay 60
      luhnOf('817000000000000'), // RuPay 81
    ];
    for (const c of cards) expectOne(`card ${c} charged`, 'card', c);
  });

  it('card: Luhn failures, unknown prefixes and wrong groupings are not cards', () => {
    expectNone('card 4111111111111112 4111 1111 1111 1112');
    // under a key naming an identifier, a plain number is an id; a card key or word still makes it a card
    expectNone('{"profileId":4111111111111111} {"order_item_id":"4111111111111111"}');
    expectOne('{"card_id":"4111111111111111"}', 'card', '4111111111111111');
    expectNone(`card ${luhnOf('999999999999999')} ${luhnOf('123456789012345')}`);
    expectNone('card 41111 11111 111111 4111111 111111111');
    // a failing 4-4-4-4 number hides no Aadhaar in its last three groups
    for (let i = 0; i < 50; i++) {
      const tail = aadhaarOf(String(23456789012 + i * 7919).slice(0, 11));
      const full = `1234${tail}`;
      if (luhnValid([...full].map(Number))) continue;
      expectNone(`voucher ${full.replace(/(\d{4})(?=\d)/g, '$1 ')}`);
    }
  });

  it('upi: VPAs with a known PSP handle, a mobile number, or UPI context; e-mails are not VPAs', () => {
    expectOne('paid to rahul.sharma@okaxis, thanks', 'upi', 'rahul.sharma@okaxis');
    expectOne('payout 9876543210@ybl', 'upi', '9876543210@ybl');
    expectOne('upi://pay?pa=kirana-store@icici&pn=Kirana&am=499.00', 'upi', 'kirana-store@icici');
    expectOne('refund to 9876543210@newbank', 'upi', '9876543210@newbank');
    expectOne('UPI ID: priya99@newbank', 'upi', 'priya99@newbank');
    expectNone('build by jenkins@ci running');
    expectOne('mail a.b@okaxis.com', 'email', 'a.b@okaxis.com');
    expectOne('mail a@b.com', 'email', 'a@b.com');
  });

  it('in_passport and voter_id: only with their context words', () => {
    expectOne('"passportNumber":"K1234567"', 'in_passport', 'K1234567');
    expectOne('Passport No. Z7654321 expires 2031', 'in_passport', 'Z7654321');
    expectNone('"lotNumber":"K1234567"');
    expectOne('voter id ABC1234567', 'voter_id', 'ABC1234567');
    expectOne('{"epicNumber":"XYZ7654321"}', 'voter_id', 'XYZ7654321');
    expectNone('"batchRef":"ABC1234567"');
  });

  it('aws_access_key: AKIA / ASIA + 16 base32 upper-case characters', () => {
    expectOne('"accessKeyId":"AKIAQ3EGRUDFWZ4LXK7P"', 'aws_access_key', 'AKIAQ3EGRUDFWZ4LXK7P');
    expectOne('ASIAQWERTYUIOPASDFGH', 'aws_access_key', 'ASIAQWERTYUIOPASDFGH');
    expectNone('AKIAQ3EGRUDFWZ4LXK7 AKIAQ3EGRUDFWZ4LXK7PX AIDAQ3EGRUDFWZ4LXK7P AKIAq3egrudfwz4lxk7p AKIAQ3EGRUDFWZ4LXK0P');
  });

  it('aws_secret_key: 40 base64 characters only after an AWS secret key name', () => {
    const s = 'k7Qb2Lr9/VfXp4Tz8NwYc1Hm+Jd6Sg3Ae5Ru0KoP';
    expectOne(`aws_secret_access_key=${s}`, 'aws_secret_key', s);
    expectOne(`{"secretAccessKey":"${s}"}`, 'aws_secret_key', s);
    expectOne(`AWS_SECRET_ACCESS_KEY: "${s}"`, 'aws_secret_key', s);
    expectNone(`value ${s} here`);
    // a sha1 is not base64 of random bytes: not the AWS secret, only a high-entropy value under a secret's name
    expect(found('aws_secret_access_key=da39a3ee5e6b4b0d3255bfef95601890afd80709')).toEqual([['generic_secret', 'da39a3ee5e6b4b0d3255bfef95601890afd80709']]);
  });

  it('stripe_key: sk_live_ / rk_live_ / sk_test_ + ≥ 24 alphanumerics, whsec_; not publishable or masked keys', () => {
    for (const k of [
      'sk_live_51H8abcdefghijklmnopqrstuvwx',
      'rk_live_51H8abcdefghijklmnopqrstuvwx',
      'sk_test_4eC39HqLyjWDarjtT1zdp7dc',
      'whsec_abcdefghijklmnopqrstuvwxyz012345',
    ]) {
      expectOne(`key ${k}`, 'stripe_key', k);
    }
    expectNone('pk_live_51H8abcdefghijklmnopqrstuvwx sk_live_short Invalid API Key provided: sk_live_********************1234');
  });

  it('razorpay_key: rzp_live_ / rzp_test_ + 14 alphanumerics, and the key_secret', () => {
    expectOne('RAZORPAY_KEY_ID=rzp_live_ILgsfZCZoFIKMb', 'razorpay_key', 'rzp_live_ILgsfZCZoFIKMb');
    expectOne('{"key_secret":"EnLs21M47BllR3X8PSFtjtbd"}', 'razorpay_key', 'EnLs21M47BllR3X8PSFtjtbd');
    expectOne('RAZORPAY_KEY_SECRET=EnLs21M47BllR3X8PSFtjtbd', 'razorpay_key', 'EnLs21M47BllR3X8PSFtjtbd');
    expectNone('rzp_live_ILgsfZCZoFIK rzp_live_ILgsfZCZoFIKMbXY');
  });

  it('google_api_key: AIza + 35 characters', () => {
    expectOne('"x-api-key":"AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI"', 'google_api_key', 'AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI');
    expectNone('AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsH');
  });

  it('jwt: three base64url parts whose header is JSON with "alg"', () => {
    const h = Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url');
    const p = Buffer.from('{"sub":"usr_1","iat":1715500000}').toString('base64url');
    const jwt = `${h}.${p}.c2lnbmF0dXJlLWJ5dGVz`;
    expectOne(`Authorization: Bearer ${jwt}`, 'jwt', jwt);
    const noAlg = Buffer.from('{"typ":"JWT","kid":"x"}').toString('base64url');
    expectNone(`${noAlg}.${p}.c2ln`);
    expectNone(`cursor ${p}.${p}`);
    expectNone(`{"cursor":"${Buffer.from('{"offset":100}').toString('base64url')}"}`);
  });

  it('private_key: PEM blocks, JSON-escaped or on their own lines; not certificates or public keys', () => {
    const escaped = '-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\\n-----END PRIVATE KEY-----';
    expectOne(`{"private_key":"${escaped}\\n"}`, 'private_key', escaped);
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfnHk2w9qLm7TzPx4vRb\n-----END RSA PRIVATE KEY-----';
    const fs = scanner.scan(`key:\n${pem}\nnext line`);
    expect(fs.map((f) => [f.detector, f.line, f.column, f.length])).toEqual([['private_key', 2, 1, pem.length]]);
    expect(fs[0].masked.split('\n').length).toBe(3); // line breaks kept
    expectOne('-----BEGIN OPENSSH PRIVATE KEY-----', 'private_key', '-----BEGIN OPENSSH PRIVATE KEY-----');
    expectNone('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE----- -----BEGIN PUBLIC KEY-----');
  });

  it('meta_token: EAA + ≥ 100 base64-ish characters', () => {
    const t = 'EAAG' + 'm0PX4ZCpsBAKZCsZBZAsZDZD'.repeat(5);
    expectOne(`"Authorization":"Bearer ${t}"`, 'meta_token', t);
    expectNone('EAAGm0PX4ZCpsBAKZCsZBZAsZDZD');
  });

  it('generic_secret: a secret-named key, = or :, a value of ≥ 16 characters with entropy ≥ 3.5', () => {
    expectOne('DB_PASSWORD=Xk9#mP2vL5qR8wZt', 'generic_secret', 'Xk9#mP2vL5qR8wZt');
    expectOne('{"client_secret": "amzn1.oa2-cs.v1.3f9a0c7e1b2d4f6a8c0e"}', 'generic_secret', 'amzn1.oa2-cs.v1.3f9a0c7e1b2d4f6a8c0e');
    expectOne('"body":"{\\"password\\":\\"Xk9#mP2vL5qR8wZt\\"}"', 'generic_secret', 'Xk9#mP2vL5qR8wZt');
    expectOne('"refresh_token":"Atzr|IwEBIA7kq2LmN9pQ4rT"', 'generic_secret', 'Atzr|IwEBIA7kq2LmN9pQ4rT');
    expectOne('"authorization":"Bearer q8Lm2Zx7Vt4Rk1Pw9Ns3"', 'generic_secret', 'q8Lm2Zx7Vt4Rk1Pw9Ns3');
    expectOne('apiKey: 7fQ2mL9xVb4Tz8Kc1Rw6', 'generic_secret', '7fQ2mL9xVb4Tz8Kc1Rw6');
  });

  it('generic_secret: low entropy, short values, placeholders, ARNs, pagination tokens, no assignment', () => {
    expectNone('password=aaaaaaaaaaaaaaaaaaaa token=test-token-test-token password=Xk9#mP2v');
    expectNone('{"password":"********","token":"<redacted>","secret":"${DB_SECRET}"}');
    expectNone('{"secret":"arn:aws:secretsmanager:ap-south-1:123456789012:secret:prod/db-AbCdEf"}');
    expectNone('{"NextToken":"AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/=","nextPageToken":"Zx9Yw8Vu7Ts6Rq5Po4"}');
    expectNone('password reset mail sent for Xk9#mP2vL5qR8wZt');
    expectNone('"grant_type":"refresh_token","token_type":"bearer"');
  });

  it('one value, one detector: the specific detector wins over generic_secret, the e-mail over its digits', () => {
    const h = Buffer.from('{"alg":"HS256"}').toString('base64url');
    const jwt = `${h}.${Buffer.from('{"sub":"1"}').toString('base64url')}.abcDEF123`;
    expectOne(`{"id_token":"${jwt}"}`, 'jwt', jwt);
    expectOne('STRIPE_SECRET_KEY=sk_live_51H8abcdefghijklmnopqrstuvwx', 'stripe_key', 'sk_live_51H8abcdefghijklmnopqrstuvwx');
    expectOne('"access_token":"EAAG' + 'x1'.repeat(60) + '"', 'meta_token', 'EAAG' + 'x1'.repeat(60));
    expectOne('"apiKey":"AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI"', 'google_api_key', 'AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI');
    expectOne('9876543210@gmail.com', 'email', '9876543210@gmail.com');
  });
});

describe("field data: context from the value's own key or words", () => {
  const a = aadhaarOf('23456789012');

  it('a log prefix ([order-sync], [report-api]) does not suppress an Aadhaar or a phone on the same line', () => {
    expectOne(`[report-api] ${a}`, 'aadhaar', a);
    expectOne(`2024-05-12T10:11:12.123Z [order-sync] INFO customer ${a} verified`, 'aadhaar', a);
    expectOne(`[order-sync] delivered to 9876543210`, 'in_phone', '9876543210');
    expectOne(`[report-api] {"msg":"contact updated","value":"9876543210"}`, 'in_phone', '9876543210');
  });

  it('a sibling field ("service":"order-sync") does not suppress an Aadhaar or a phone', () => {
    expectOne(`{"service":"order-sync","msg":"document checked","value":"${a}"}`, 'aadhaar', a);
    expectOne(`{"service":"report-api","buyer":"9876543210"}`, 'in_phone', '9876543210');
    expectOne(`service=order-sync report=daily value=${a}`, 'aadhaar', a);
    expectOne(`service=order-sync 9876543210`, 'in_phone', '9876543210');
  });

  it('the value\'s own key or words still decide (order_id, awb=, "awb", invoice ...)', () => {
    expectNone(`{"service":"kyc-api","order_id":"${a}"}`);
    expectNone(`order_id=${a} synced`);
    expectNone(`{"awb":"9876543210","orderRef":"9876543210"}`);
    expectNone(`[kyc-sync] awb=9876543210 invoice ${a}`);
    expectOne(`{"order":"402-1234567-1234567","aadhaar_number":"${a}"}`, 'aadhaar', a);
    expectOne(`Passport No: K1234567`, 'in_passport', 'K1234567');
    expectOne(`[billing] UPI ID: priya99@newbank`, 'upi', 'priya99@newbank');
  });
});

describe('field data: misses', () => {
  const a = aadhaarOf('34567890123');

  it('pan: holder type K', () => {
    expectOne('{"pan":"ABCKD1234F"}', 'pan', 'ABCKD1234F');
    expectOne('2024-05-12 INFO pan ABCKD1234F verified', 'pan', 'ABCKD1234F');
  });

  it('aadhaar: colon separated 1234:5678:9012; not an IPv6 address or a longer colon path', () => {
    const c = `${a.slice(0, 4)}:${a.slice(4, 8)}:${a.slice(8)}`;
    expectOne(`{"aadhaar":"${c}"}`, 'aadhaar', c);
    expectOne(`kyc ok for ${c} at 10:11:12`, 'aadhaar', c);
    expectNone(`fe80::${c} ${c}:1234 ${a.slice(0, 4)}:${a.slice(4, 8)}:${notAadhaar('34567890123').slice(8)}`);
  });

  it('voter_id: a bare EPIC needs its own key or words (no published check digit); a prefix or sibling is not context', () => {
    expectOne('{"epic_no":"ABC1234567"}', 'voter_id', 'ABC1234567');
    expectOne('[kyc] voter id ABC1234567 attached', 'voter_id', 'ABC1234567');
    expectNone('[voter-sync] ABC1234567 queued');
    expectNone('{"service":"voter-sync","batchRef":"ABC1234567"}');
  });

  it('card: Maestro 6759, Diners 14-digit (300-305), Dankort 5019, UATP (1, 15 digits)', () => {
    const maestro = luhnOf('675900000000001');
    const diners = luhnOf('3056930902590');
    const dankort = luhnOf('501971701010374');
    const uatp = luhnOf('12345678901234');
    for (const c of [maestro, diners, dankort, uatp]) {
      expectOne(`{"card_number":"${c}"}`, 'card', c);
      expectOne(`card ${c} charged`, 'card', c);
    }
    const grouped = `${uatp.slice(0, 4)} ${uatp.slice(4, 10)} ${uatp.slice(10)}`;
    expectOne(`{"number":"${grouped}"}`, 'card', grouped);
    // a plain 15-digit id from 1 is not a card without "card"
    expectNone(`{"id":"${uatp}","phone_number_id":"${uatp}"}`);
  });

  it('aws_access_key: ABIA, ACCA and A3T prefixes; a value under aws_access_key_id', () => {
    for (const k of ['ABIAQ3EGRUDFWZ4LXK7P', 'ACCAQ3EGRUDFWZ4LXK7P', 'A3T7Q3EGRUDFWZ4LXK7P', 'A3TXQ3EGRUDFWZ4LXK7P']) {
      expectOne(`{"accessKeyId":"${k}"}`, 'aws_access_key', k);
      expectOne(`key ${k} rotated`, 'aws_access_key', k);
    }
    expectOne('{"aws_access_key_id":"AIPAQ3EGRUDFWZ4LXK7P"}', 'aws_access_key', 'AIPAQ3EGRUDFWZ4LXK7P');
    expectOne('aws_access_key_id = AIPAQ3EGRUDFWZ4LXK7P', 'aws_access_key', 'AIPAQ3EGRUDFWZ4LXK7P');
  });

  it('aws_secret_key: after "secret", in <SecretAccessKey> XML elements, under aws_access_key', () => {
    const k = 'k7Qb2Lr9/VfXp4Tz8NwYc1Hm+Jd6Sg3Ae5Ru0KoP';
    expectOne(`{"secret":"${k}"}`, 'aws_secret_key', k);
    expectOne(`secret=${k}`, 'aws_secret_key', k);
    expectOne(`<Credentials><SecretAccessKey>${k}</SecretAccessKey></Credentials>`, 'aws_secret_key', k);
    expectOne(`aws_access_key = "${k}"`, 'aws_secret_key', k);
    expectOne(`{"aws_access_key":"${k}"}`, 'aws_secret_key', k);
    // other XML elements named like a secret are secrets too; closing tags are not keys
    expectOne('<Password>Xk9#mP2vL5qR8wZt</Password>', 'generic_secret', 'Xk9#mP2vL5qR8wZt');
  });

  it('jwt: pretty-printed headers (ewog, ew0K) and unsigned two-part tokens with alg none', () => {
    const p = Buffer.from('{"sub":"usr_1","iat":1715500000}').toString('base64url');
    for (const header of ['{\n  "alg": "RS256",\n  "typ": "JWT"\n}', '{\r\n  "alg": "RS256"\r\n}', '{ "alg": "HS256" }']) {
      const jwt = `${Buffer.from(header).toString('base64url')}.${p}.c2lnbmF0dXJlLWJ5dGVz`;
      expectOne(`{"id_token":"${jwt}"}`, 'jwt', jwt);
      expectOne(`Authorization: Bearer ${jwt}`, 'jwt', jwt);
    }
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}`;
    expectOne(`{"id_token":"${none}"}`, 'jwt', none);
    expectOne(`token ${none} accepted`, 'jwt', none);
    // a two-part token whose header is signed by an algorithm lacks its signature: not taken for a token
    expectNone(`cursor ${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${p} next`);
  });

  it('meta_token: a Meta app secret (32 hex under app_secret next to meta/facebook) and appid|secret app tokens', () => {
    const hex = '3f9a0c7e1b2d4f6a8c0e5d7b9a1c3e5f';
    expectOne(`{"fb_app_secret":"${hex}"}`, 'meta_token', hex);
    expectOne(`META_APP_SECRET=${hex}`, 'meta_token', hex);
    expectOne(`facebook client_secret: ${hex}`, 'meta_token', hex);
    // without a Meta word it stays a generic secret
    expectOne(`{"app_secret":"${hex}"}`, 'generic_secret', hex);
    const appToken = `123456789012345|${hex}`;
    expectOne(`{"access_token":"${appToken}"}`, 'meta_token', appToken);
    expectOne(`graph call with ${appToken} failed`, 'meta_token', appToken);
    const clientToken = '1234567890123456|Zk3Qm9Lx2Vb7Tn4Rw8Yp1Hc6Jd5';
    expectOne(`access_token=${clientToken}`, 'meta_token', clientToken);
  });

  it('email: IDN (punycode) domains and URL-encoded %40', () => {
    expectOne('{"buyerEmail":"priya@dukaan.xn--h2brj9c"}', 'email', 'priya@dukaan.xn--h2brj9c');
    expectOne('mail to priya@xn--i1b6b1a6a2e.com sent', 'email', 'priya@xn--i1b6b1a6a2e.com');
    expectOne('{"path":"/v1/buyers/search?email=rahul.sharma%40example.co.in&limit=20"}', 'email', 'rahul.sharma%40example.co.in');
    expectOne('GET /v1/buyers/search?email=rahul%40example.com 200', 'email', 'rahul%40example.com');
    expectOne('next=https%3A%2F%2Fapp.example.in%3Femail%3Drahul%40example.com', 'email', 'rahul%40example.com');
  });
});

describe('field data: false alarms', () => {
  it("aws: AWS's documentation keys (…EXAMPLE, …EXAMPLEKEY) and AKIAXXXXXXXXXXXXXXXX placeholders", () => {
    expectNone('{"accessKeyId":"AKIAIOSFODNN7EXAMPLE","secretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}');
    expectNone('aws_access_key_id=AKIAIOSFODNN7EXAMPLE aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    expectNone('{"accessKeyId":"AKIAXXXXXXXXXXXXXXXX","aws_access_key_id":"ASIAAAAAAAAAAAAAAAAA"}');
    expectNone('export AWS_ACCESS_KEY_ID=AKIAXXXXXXXXXXXXXXXX');
  });

  it('private_key: placeholder blocks (..., xxx, <key>, one character, too short)', () => {
    for (const body of ['...', 'xxx', '<key>', 'A'.repeat(64), 'MIIB', 'x'.repeat(80), 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC...']) {
      expectNone(`{"private_key":"-----BEGIN PRIVATE KEY-----\\n${body}\\n-----END PRIVATE KEY-----\\n"}`);
      expectNone(`key:\n-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----\nnext`);
    }
  });

  it('google_api_key: low-entropy placeholders (one repeated character)', () => {
    expectNone('{"apiKey":"AIzaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}');
    expectNone('maps key AIzaSyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX');
  });

  it('aadhaar: a 12-digit AWB passing Verhoeff under its own awb / tracking key', () => {
    const awb = aadhaarOf('45678901234');
    expectNone(`{"kyc":"done","awb":"${awb}"}`);
    expectNone(`{"uid":"u_81","tracking_number":"${awb}"}`);
    expectNone(`[kyc-sync] awb=${awb}`);
    expectNone(`kyc done, awb ${awb} picked up`);
  });

  it('in_phone vs aadhaar: 91-prefixed WhatsApp ids passing Verhoeff under waId / wa-id / sender are phones', () => {
    let n = '';
    for (let i = 0; !n; i++) {
      const p = '918' + String(100000000 + i).slice(1);
      const c = p + verhoeffCheckDigit(p);
      if (c.length === 12) n = c;
    }
    expectOne(`{"contacts":[{"waId":"${n}"}]}`, 'in_phone', n);
    expectOne(`{"sender":"${n}","service":"kyc-api"}`, 'in_phone', n);
    expectOne(`[kyc-sync] wa-id ${n}`, 'in_phone', n);
    expectOne(`[report-api] message from ${n}`, 'in_phone', n);
  });
});

describe("forms from other projects' tests (gitleaks, detect-secrets, Presidio, libphonenumber)", () => {
  const v = 'Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB';

  it('generic_secret: the assignment operators := ::= :::= ?= .= => and a declared type', () => {
    for (const op of [':=', '::=', ':::=', '?=', '.=', '=>']) {
      expectOne(`api_token ${op} "${v}"`, 'generic_secret', v);
      expectOne(JSON.stringify({ msg: `api_token ${op} "${v}"` }), 'generic_secret', v);
    }
    expectOne(`"apiToken" => "${v}"`, 'generic_secret', v);
    expectOne(`var apiToken string = "${v}"`, 'generic_secret', v);
    // a scope operator, a comparison or a key with no operator is no assignment
    expectNone(`api_token::${v} api_token != "${v}" api_token ${v}`);
  });

  it('generic_secret: a quoted key, "," and a quoted value (arguments, header arrays); not a list of names', () => {
    expectOne(`System.setProperty("API_TOKEN", "${v}")`, 'generic_secret', v);
    expectOne(`GetEnvOrDefault("api_token", "dafa7817-e246-48f3-91a7-e87653d587b8")`, 'generic_secret', 'dafa7817-e246-48f3-91a7-e87653d587b8');
    expectNone('"fields":["access_token","refreshTokenExpiresIn"]');
    expectNone(`setProperty(API_TOKEN, "${v}")`);
    // the string after "," may be the next key: the secret under it is still found
    expectOne(`{"grant_type":"refresh_token","refresh_token":"${v}"}`, 'generic_secret', v);
  });

  it('generic_secret: a key, spaces and a quoted value with no operator; the quote must close the value', () => {
    expectOne(`private_key '${v}';`, 'generic_secret', v);
    expectOne(JSON.stringify({ msg: `using password "${v}" for the import` }), 'generic_secret', v);
    expectOne("private_key 'm{{h}o)p${e]nob(ody[finds>-_$#thisone}}';", 'generic_secret', 'm{{h}o)p${e]nob(ody[finds>-_$#thisone}}');
    expectNone(`api_token ${v}`); // not quoted
    expectNone(`api_token "${v} and more"`); // the quote does not close the value
    expectNone(`"api_token" "${v}"`); // a quoted key with no operator
    expectNone('password "reset-link-sent-again"'); // low entropy
    expectNone('failed to fetch secret "prod/payments/stripe-webhook"'); // a secret's name: a path
    expectNone('token "order-sync-worker-token-value"'); // one kind of character
  });

  it('generic_secret: a subscript key and a C# verbatim string', () => {
    expectOne(`some_dict["secret"] = "${v}"`, 'generic_secret', v);
    expectOne(`apikey = @"${v}"`, 'generic_secret', v);
    expectNone(`some_dict["secret"]("${v}")`);
  });

  it('generic_secret and aws_secret_key: an XML element whose value is on its own line', () => {
    expectOne(`<apiToken>\n    ${v}\n</apiToken>`, 'generic_secret', v);
    expectOne(`{"msg":"<apiToken>\\n    ${v}\\n</apiToken>"}`, 'generic_secret', v);
    const k = 'k7Qb2Lr9/VfXp4Tz8NwYc1Hm+Jd6Sg3Ae5Ru0KoP';
    expectOne(`<SecretAccessKey>\n  ${k}\n</SecretAccessKey>`, 'aws_secret_key', k);
    expectNone(`<apiToken>\n</apiToken>\n${v}`);
  });

  it('generic_secret: an unquoted value ends at a bracket that closes nothing opened in it', () => {
    const odd = 'm{{h}o)p${e]nob(ody[finds>-_$#thisone}}';
    expectOne(`apikey: ${odd}`, 'generic_secret', odd);
    expectOne(`my_password = ${odd}`, 'generic_secret', odd);
    expectOne('Config{password=Xk9#mP2vL5qR8wZt}', 'generic_secret', 'Xk9#mP2vL5qR8wZt');
    expectOne('[token=Xk9#mP2vL5qR8wZt] ok', 'generic_secret', 'Xk9#mP2vL5qR8wZt');
    // a subscript or a call with a string argument is an expression, not a value
    expectNone("my_password = request.json_body['password_field']");
    expectNone('db_password = os.environ.get("DB_PASSWORD_VALUE")');
  });

  it('generic_secret: keys ending in auth (user_auth, basic_auth); not author', () => {
    const b = 'am9obmRvZTpkMDY5NGIxYi1jMTcxLTQ4ODYt+TMyYS0wMmUwOWQ1/mIwNjc=';
    expectOne(`"user_auth": "${b}"`, 'generic_secret', b);
    expectNone(`"author": "${b}"`);
    expectNone('"auth":"jwt","oauth":"google"');
  });

  it('generic_secret: csrf/xsrf tokens and public tokens are not secrets', () => {
    const b = 'Mj2qykJO5rELyHgezQ69nzUX0i3OH67V7+V4eUrLfpuyOuxmiW9rhROG/Whikle15syazJOkrjJa3U2AbhIvUw==';
    expectNone(`csrf-token=${b}`);
    expectNone(`{"X-XSRF-TOKEN":"${b}"}`);
    expectNone(`publicToken = "${v}" public_api_key="${v}"`);
    expectOne(`access-token=${b}`, 'generic_secret', b);
    expectOne(`privateToken = "${v}"`, 'generic_secret', v);
  });

  it('generic_secret: a package and its version is not a secret', () => {
    expectNone('notes = "Maven - io.jsonwebtoken:jjwt-jackson-0.11.2"');
    expectNone('"api_token": "left-pad-service@1.3.12"');
    expectOne('api_token=v1.2.3-Xk9mP2vL5qR8wZt', 'generic_secret', 'v1.2.3-Xk9mP2vL5qR8wZt');
  });

  it('jwt: a header cut short is not one; two parts when the header says typ JWT', () => {
    const p = Buffer.from('{"sub":"1234567890","name":"John Doe"}').toString('base64url');
    const sig = 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
    const whole = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
    expectOne(`token ${whole}.${p}.${sig}`, 'jwt', `${whole}.${p}.${sig}`);
    expectNone(`token ${whole.slice(0, -1)}.${p}.${sig}`);
    expectOne(`token ${whole}.${p} ok`, 'jwt', `${whole}.${p}`);
    const crlf = Buffer.from('{"typ":"JWT",\r\n"alg":"HS256"}').toString('base64url');
    expectOne(`token ${crlf}.${p}`, 'jwt', `${crlf}.${p}`);
    // typ JWT over a payload that is no JSON object; no typ (the signature lacks, the token is incomplete)
    expectNone(`token ${whole}.${Buffer.from('not json at all').toString('base64url')} ok`);
    expectNone(`token ${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${p} ok`);
  });

  it('private_key: a header without an END line is reported unless prose follows it', () => {
    expectOne('-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7', 'private_key', '-----BEGIN PRIVATE KEY-----');
    expectOne('{"key":"-----BEGIN RSA PRIVATE KEY-----\\nProc-Type: 4,ENCRYPTED\\n"}', 'private_key', '-----BEGIN RSA PRIVATE KEY-----');
    expectNone('some text here\n-----BEGIN PRIVATE KEY-----\nyabba dabba doo');
    expectNone('{"msg":"-----BEGIN PRIVATE KEY-----\\nyabba dabba doo"}');
  });

  it('stripe_key: sk_prod_ / rk_prod_ (gitleaks takes prod_ with live_ and test_); not pk_prod_ or task_test_', () => {
    const k = 'rk_prod_51OuEMLAlTWGaDypquDn9aZigaJOsa9NR1w1BxZXs9JlYsVVkv5XDu6aLmAx';
    expectOne(`key ${k}`, 'stripe_key', k);
    expectNone('pk_prod_51OuEMLAlTWGaDypquDn9aZigaJOsa9NR1w1Bx task_test_51OuEMLAlTWGaDypquDn9aZigaJOsa9N sk_prod_short');
  });

  it('card: a dash-grouped card followed by space-grouped groups is two numbers', () => {
    expect(found('4012-8888-8888-1881 4012 8888 8888 1881')).toEqual([
      ['card', '4012-8888-8888-1881'],
      ['card', '4012 8888 8888 1881'],
    ]);
    expect(found('4012-8888-8888-1882 4012 8888 8888 1881')).toEqual([['card', '4012 8888 8888 1881']]);
    // a run of 4-digit groups in one style that fails as a whole is still one number
    expectNone('4012 8888 8888 1881 4012');
  });

  it('voter_id: the verb "vote" is a voter word; "devote" is not', () => {
    expectOne('You can vote with your CPJ4467918 number', 'voter_id', 'CPJ4467918');
    expectNone('devoted staff CPJ4467918 number');
  });

  it('in_phone: a landline (10 digits from 1-5, or 0 + those) only under a phone word that ends its key', () => {
    expectOne('{"phone":"1123456789"}', 'in_phone', '1123456789');
    expectOne('Landline No: 01123456789', 'in_phone', '01123456789');
    expectOne('{"buyerPhone":"2223456789"}', 'in_phone', '2223456789');
    expectNone('{"phone_verified_at":1723456789,"ts":1123456789}');
    expectNone('call 1123456789 from 01123456789');
  });
});

describe('hard negatives', () => {
  const awb12 = notAadhaar('73456789012');
  const awb13 = (() => {
    const p = '412345678901';
    return p + ((luhnCheckDigit(p) + 1) % 10);
  })();
  const cases: Array<[string, string]> = [
    ['Amazon order ids', '{"amazonOrderId":"402-1234567-1234567","other":"171-9876543-2109876"}'],
    ['12-digit AWB failing Verhoeff', `{"awb":"${awb12}"}`],
    ['13-digit AWB failing Luhn (Visa prefix)', `{"trackingNumber":"${awb13}"}`],
    ['AWB that looks like a phone, next to awb', '"awb":"919876543210","trackingNumber":"9876543210"'],
    ['epoch milliseconds and seconds', '{"time":1715512345678,"created":1715512345,"checkpoint":1799999999999}'],
    [
      'UUIDs, one ending in a Verhoeff-valid 12-digit group',
      '{"requestId":"c56a4180-65aa-42ec-a945-5fd21dec0538","id":"123e4567-e89b-12d3-a456-234123412346"}',
    ],
    [
      'request and trace ids',
      '"extendedRequestId":"ZqL2cHwDoAMF-Kg=" XRAY TraceId: 1-5759e988-bd862e3fe1be46a994272793 req_9Xy2ZzAbCdEf12 evt_1PqAbcDEF123456789012345',
    ],
    ['SKUs and ASINs', '{"sellerSKU":"SKU-TSHIRT-BLK-XL","asin":"B07XJ8C8F5","sku":"KRT-COT-0042-M"}'],
    ['amounts', '{"amount":"1299.00","amountPaise":129900,"total":9876543210.50,"fee":0.9876543210}'],
    ['PIN codes', '{"postalCode":"560001","pincode":"110001"}'],
    ['IPv4 and IPv6', '"ip":"103.21.244.15" "sourceIp":"2405:201:c00a:e0b1:5d6:8c2f:1b3e:9a7f" 10.0.0.1'],
    ['ISO dates and times', '2024-05-12T10:11:12.123Z "requestTime":"12/May/2024:10:11:12 +0000" 2024-05-12'],
    [
      'hex hashes',
      '"md5":"5d41402abc4b2a76b9719d911017c592","sha1":"DA39A3EE5E6B4B0D3255BFEF95601890AFD80709","sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"',
    ],
    ['AWS account ids and ARNs', `arn:aws:iam::${aadhaarOf('23456789012')}:role/x "accountId":"${aadhaarOf('34567890123')}"`],
    [
      'AWS account ids in host names and queue URLs',
      [
        `pulled ${aadhaarOf('23456789012')}.dkr.ecr.ap-south-1.amazonaws.com/orders:1.4.2`,
        `"image":"${aadhaarOf('34567890123')}.dkr.ecr.us-east-1.amazonaws.com/app@sha256:e3b0c442"`,
        `sign in at https://${aadhaarOf('45678901234')}.signin.aws.amazon.com/console`,
        `"QueueUrl":"https://sqs.ap-south-1.amazonaws.com/${aadhaarOf('56789012345')}/orders-sync"`,
        `https://sqs.cn-north-1.amazonaws.com.cn/${aadhaarOf('67890123456')}/q https://sqs.ap-south-1.amazonaws.com/919876543210/q`,
      ].join(' '),
    ],
    [
      "the ad platforms' ids (Google Ads customers and ad groups, Amazon Ads profiles, campaigns and portfolios)",
      [
        `POST https://googleads.googleapis.com/v17/customers/8056547812/googleAds:searchStream login-customer-id: 9540720955`,
        `{"customerId":"823-312-8944","adGroup":{"id":"${aadhaarOf('78294047132')}"},"adGroupId":"${aadhaarOf('73358430398')}"}`,
        `customers/9334643858/adGroups/${aadhaarOf('58321270569')} campaign_id=${aadhaarOf('59802042997')}`,
        `{"profileId":${luhnOf('358166792105151')},"campaignId":${luhnOf('58802713016360')},"portfolioId":${luhnOf('82940471325453')}}`,
        `Amazon-Advertising-API-Scope: ${luhnOf('354537159486367')} synced campaign ${luhnOf('43576829404713')}`,
      ].join(' '),
    ],
    [
      'waybills, tickets and fingerprints in free text',
      `waybill ${luhnOf('402142944939')} status Delivered; consignment ${aadhaarOf('23456789012')} ticket #8077713420 closed "fingerprint":"${luhnOf('978345339104428')}"`,
    ],
    ['UPI UTR numbers', `{"utr":"${aadhaarOf('45678901234')}","rrn":"917012345678"}`],
    ['a failing Aadhaar and GSTIN', `{"field":"aadhaar","value":"${notAadhaar('23456789012')}"} {"gstin":"27AAPFU0939F1ZW"}`],
    ['masked values', '"phone":"+91 98XXX XXX10","email":"p***@gmail.com","card":"**** **** **** 4242"'],
  ];
  for (const [name, text] of cases) {
    it(name, () => expectNone(text));
  }
});

describe('masking, fingerprints, redaction, positions', () => {
  it('masks: at most the first two and last two characters, all * under 8 characters', () => {
    expect(maskValue('1234567')).toBe('*******');
    expect(maskValue('12345678')).toBe('12****78');
    expect(maskValue('rahul@okaxis')).toBe('ra********is');
    const [f] = scanner.scan('call +91 98765 43210');
    expect(f.masked).toBe('+9***********10');
    expect(f.masked.length).toBe(f.length);
  });

  it('no finding and no masked string contains the raw value', () => {
    const snippets = sampleSnippets(1, 4);
    const text = snippets.map((s) => s.text).join('\n');
    const fs = scanner.scan(text);
    expect(new Set(fs.map((f) => f.detector))).toEqual(new Set(CORPUS_DETECTORS));
    const json = JSON.stringify(fs);
    for (const f of fs) {
      const raw = valueAt(text, f);
      expect(json.includes(raw)).toBe(false);
      expect(f.masked.includes(raw)).toBe(false);
      expect(f.masked).toMatch(/^[^*]{0,2}\**[^*]{0,2}$/s);
    }
  });

  it('fingerprints: HMAC-SHA256 of the normalised value, 32 hex, stable, dependent on the secret', () => {
    const [f] = scanner.scan('aadhaar 2341 2341 2346');
    expect(f.fingerprint).toBe(createHmac('sha256', SECRET).update('234123412346').digest('hex').slice(0, 32));
    expect(f.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(scanner.scan('uid 234123412346')[0].fingerprint).toBe(f.fingerprint);
    expect(createScanner({ secret: SECRET }).scan('aadhaar 2341-2341-2346')[0].fingerprint).toBe(f.fingerprint);
    expect(createScanner({ secret: 'another-install' }).scan('aadhaar 2341 2341 2346')[0].fingerprint).not.toBe(f.fingerprint);
    expect(createScanner({ secret: new Uint8Array(Buffer.from(SECRET)) }).scan('aadhaar 2341 2341 2346')[0].fingerprint).toBe(f.fingerprint);
    const phones = ['+91 98765 43210', '9876543210', '09876543210', '919876543210'].map((p) => scanner.scan(`phone ${p}`)[0].fingerprint);
    expect(new Set(phones).size).toBe(1);
    expect(() => createScanner({ secret: '' })).toThrow();
  });

  it('redact: each finding replaced by its masked form, same length', () => {
    const text = 'pan ABCPD1234F mail a.b@c.in\r\ncall 9876543210 ok';
    const r = scanner.redact(text);
    expect(r).toBe('pan AB******4F mail a.****in\r\ncall 98******10 ok');
    expect(r.length).toBe(text.length);
    expect(scanner.redact('nothing here')).toBe('nothing here');
  });

  it('an address inside a secret value that loses to a longer value is still found in the same scan', () => {
    // The token's value runs into the key block; the key wins the overlap, and the address the value held must not
    // go with it (it used to surface only after the key was masked).
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n';
    const text = `"token":"&iyerm-5@pthdfc&${key}`;
    expect(scanner.scan(text).map((f) => [f.detector, f.column, f.length])).toEqual([
      ['upi', 11, 14],
      ['private_key', 26, 106],
    ]);
    // Alone, the value is one secret that holds the address: one finding, the longer.
    expect(scanner.scan('"token":"&iyerm-5@pthdfc&').map((f) => f.detector)).toEqual(['generic_secret']);
  });

  it('line and column: 1-based, \\n-separated (a trailing \\r is not part of the line), firstLine', () => {
    const text = 'first line\r\n  x ABCPD1234F\n\n\t9876543210 and a@b.co\nend';
    const fs = scanner.scan(text);
    expect(fs.map((f) => [f.detector, f.line, f.column, f.length])).toEqual([
      ['pan', 2, 5, 10],
      ['in_phone', 4, 2, 10],
      ['email', 4, 17, 6],
    ]);
    expect(scanner.scan(text, { firstLine: 101 }).map((f) => f.line)).toEqual([102, 104, 104]);
  });

  it('detectors option: only the chosen detectors run; unknown ids are refused', () => {
    const only = createScanner({ secret: SECRET, detectors: ['email', 'pan'] });
    expect(only.scan('a@b.co 9876543210 ABCPD1234F').map((f) => f.detector)).toEqual(['email', 'pan']);
    expect(() => createScanner({ secret: SECRET, detectors: ['ssn' as DetectorId] })).toThrow(/unknown detector/);
  });

  it('reads long texts in chunks without losing values cut by a chunk boundary or longer than a chunk', () => {
    const values: Array<[DetectorId, string]> = [
      ['pan', 'ABCPD1234F'],
      ['in_phone', '+91 98765 43210'],
      ['email', 'rahul.sharma@example.co.in'],
      ['meta_token', 'EAAG' + 'x9'.repeat(60)],
    ];
    for (const boundary of [32768, 65536]) {
      for (let shift = -30; shift <= 2; shift += 4) {
        for (const [det, v] of values) {
          const pad = boundary + shift;
          const text = 'x'.repeat(pad - 1) + ' ' + v + ' tail';
          const fs = scanner.scan(text);
          expect(
            fs.map((f) => [f.detector, f.column, f.length]),
            `${det} at ${pad}`,
          ).toEqual([[det, pad + 1, v.length]]);
        }
      }
    }
    const blob = 'A'.repeat(100_000);
    expect(found(`${blob} ABCPD1234F ${blob}@x 9876543210`)).toEqual([
      ['pan', 'ABCPD1234F'],
      ['in_phone', '9876543210'],
    ]);
  });

  it('finds every planted sample value in its own line', () => {
    for (const s of sampleSnippets(7, 20)) {
      const fs = scanner.scan(s.text);
      expect(
        fs.map((f) => f.detector),
        s.text,
      ).toEqual([s.detector]);
    }
  });
});

describe('properties', () => {
  const snippets = sampleSnippets(42, 10).map((s) => s.text);
  const noise = [
    ' ',
    '\n',
    '\r\n',
    '\t',
    '"',
    '":"',
    ',',
    ':',
    '=',
    '@',
    '-',
    '+',
    '.',
    '/',
    '\\',
    '\\n',
    '{',
    '}',
    'password=',
    '"token":"',
    'aadhaar ',
    'passport ',
    'voter ',
    'wa_id',
    '402-1234567-1234567',
    '1715512345678',
    'c56a4180-65aa-42ec-a945-5fd21dec0538',
    '560001',
    '10.0.0.1',
    '2024-05-12T10:11:12Z',
    'da39a3ee5e6b4b0d3255bfef95601890afd80709',
    '-----BEGIN ',
    'PRIVATE KEY-----',
    'eyJ',
    'sk_live_',
    'EAA',
    '91',
    '0',
    '%40',
    '|',
    '2345:',
    'xn--',
    '<SecretAccessKey>',
    '</SecretAccessKey>',
    '-----END PRIVATE KEY-----',
    'ewog',
    '[order-sync] ',
    '"service":"report-api",',
    'awb=',
    '123456789012345',
  ];
  const piece = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...snippets) },
    { weight: 4, arbitrary: fc.constantFrom(...noise) },
    { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 1, arbitrary: fc.stringMatching(/^[0-9 -]{1,24}$/) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_]{1,24}$/) },
  );
  const logText = fc.array(piece, { maxLength: 40 }).map((xs) => xs.join(''));

  it('random text never throws, findings are in bounds, ordered and do not overlap', () => {
    fc.assert(
      fc.property(fc.oneof(logText, fc.string({ unit: 'binary', maxLength: 300 })), (text) => {
        const fs = scanner.scan(text);
        const lines = text.split('\n');
        let prevEnd = 0;
        for (const f of fs) {
          expect(f.line).toBeGreaterThanOrEqual(1);
          expect(f.line).toBeLessThanOrEqual(lines.length);
          expect(f.column).toBeGreaterThanOrEqual(1);
          expect(f.length).toBe(f.masked.length);
          const start = offsetOf(text, f);
          expect(start).toBeGreaterThanOrEqual(prevEnd);
          expect(start + f.length).toBeLessThanOrEqual(text.length);
          prevEnd = start + f.length;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('redact(text) keeps the length and contains no finding when rescanned', () => {
    fc.assert(
      fc.property(logText, (text) => {
        const r = scanner.redact(text);
        expect(r.length).toBe(text.length);
        expect(scanner.scan(r)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('on text whose values are delimited, masking the findings of one scan leaves nothing to find', () => {
    const separators = fc.constantFrom(' ', '\n', '", "', '":"', ',', ' = ', '\t', '; ', '&');
    const delimited = fc.array(fc.tuple(piece, separators), { maxLength: 30 }).map((xs) => xs.map(([p, sep]) => p + sep).join(''));
    fc.assert(
      fc.property(delimited, (text) => {
        let masked = text;
        for (const f of scanner.scan(text)) {
          const o = offsetOf(text, f);
          masked = masked.slice(0, o) + f.masked + masked.slice(o + f.length);
        }
        expect(masked).toBe(scanner.redact(text));
        expect(scanner.scan(masked)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('no masked string or fingerprint reveals the value', () => {
    fc.assert(
      fc.property(logText, (text) => {
        for (const f of scanner.scan(text)) {
          const raw = valueAt(text, f);
          if (raw.length >= 8) expect(f.masked).not.toContain(raw);
          expect(f.fingerprint).not.toContain(raw);
        }
      }),
      { numRuns: 300 },
    );
  });
});
