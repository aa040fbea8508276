/**
 * The key names that mark a personal field (a buyer's name, a shipping address, a date of birth, a phone number, a bank
 * account number), as a reversed trie over lower-cased names without '_' and '-', walked from a key's last
 * character back (like the secret key trie). A name is matched in full ("buyer_name", "BuyerName") or, for the
 * kinds marked as suffixes, as the end of a longer key ("shipping_phone", "customer_dob"). Some names are personal
 * only inside a personal object: `name` or `city` inside `ShippingAddress`, `BuyerInfo`, `customer`...
 */
import { FOLD } from './secret-key-trie.ts';

/** a person's name (the value) */
export const K_NAME = 1;
/** a postal address or a part of one */
export const K_ADDRESS = 2;
/** a date of birth; also a word that announces one in free text ("dob", "date of birth", "born") */
export const K_DOB = 3;
/** a name only inside a personal object (`ShippingAddress.Name`, `buyer.name`) or after a personal word ("buyer name:") */
export const K_CTX_NAME = 4;
/** an address part only inside a personal or address object (`ShippingAddress.City`, `address.postal_code`) */
export const K_CTX_ADDRESS = 5;
/** a phone number */
export const K_PHONE = 6;
/** a bank account number */
export const K_ACCOUNT = 7;
/** an IFSC: the branch of a bank account, part of the account's details when a key names it (`ifsc`, `ifsc_code`) */
export const K_IFSC = 8;
/** "number": a phone's only after a possessive ("my number is ...", "my US number: ..."), never as a key of its own */
export const K_NUMBER = 9;
/** an e-mail address: a contact field, which makes a `name` beside it a person's (`{"name":...,"email":...}`) */
export const K_EMAIL = 10;
/** `system` and `value`: a FHIR `ContactPoint` (`{"system":"phone","value":"..."}`) holds a phone number in `value` */
export const K_SYSTEM = 11;
export const K_VALUE = 12;

type Entry = [name: string, kind: number, suffix?: boolean];

const ENTRIES: Entry[] = [
  ...['buyername', 'recipientname', 'customername', 'shiptoname', 'shippingname', 'billingname', 'consigneename', 'fullname', 'recipient'].map((n): Entry => [
    n,
    K_NAME,
  ]),
  ...['cardholdername', 'accountholdername', 'beneficiaryname', 'buyerfullname', 'contactname', 'contactperson'].map((n): Entry => [n, K_NAME]),
  ...[
    'shippingaddress',
    'billingaddress',
    'deliveryaddress',
    'buyeraddress',
    'customeraddress',
    'recipientaddress',
    'shipto',
    'addressline1',
    'addressline2',
    'addressline3',
    'streetaddress',
    'fulladdress',
    'street',
    'street1',
    'street2',
  ].map((n): Entry => [n, K_ADDRESS]),
  ...['dob', 'birth', 'birthdate', 'birthday', 'bday', 'born'].map((n): Entry => [n, K_DOB, true]),
  ...['name', 'firstname', 'lastname', 'givenname', 'familyname', 'middlename', 'surname'].map((n): Entry => [n, K_CTX_NAME]),
  ...[
    'city',
    'postalcode',
    'pincode',
    'zipcode',
    'zip',
    'postcode',
    'district',
    'county',
    'address',
    'address1',
    'address2',
    'line1',
    'line2',
    'landmark',
    'locality',
  ].map((n): Entry => [n, K_CTX_ADDRESS]),
  ...['phone', 'phonenumber', 'phoneno', 'mobile', 'mobilenumber', 'mobileno', 'telephone', 'msisdn', 'contactnumber'].map((n): Entry => [n, K_PHONE, true]),
  // a list of numbers ("these phones 052 5552606 074-7111234", `"phones": "..."`)
  ...['phones', 'mobiles', 'telephones', 'phonenumbers', 'mobilenumbers'].map((n): Entry => [n, K_PHONE, true]),
  ['tel', K_PHONE],
  ...['accountnumber', 'accountno', 'acctno', 'accno', 'accountnum', 'bankaccount', 'bankaccountnumber', 'beneficiaryaccount'].map((n): Entry => [
    n,
    K_ACCOUNT,
    true,
  ]),
  ['account', K_ACCOUNT], // in free text after "bank" only ("bank account no 1234...")
  ...['ifsc', 'ifsccode'].map((n): Entry => [n, K_IFSC, true]),
  ['number', K_NUMBER],
  ...['email', 'emailaddress', 'emailid'].map((n): Entry => [n, K_EMAIL]),
  ['system', K_SYSTEM],
  ['value', K_VALUE],
];

/**
 * Objects whose `name`, `city`, `postal_code`... are a person's (normalised; a plural names an array of them). The
 * Amazon SP-API Orders API's `ShippingAddress` and `BuyerInfo`, and the usual spellings elsewhere.
 */
const PERSONAL_PARENTS: ReadonlySet<string> = new Set([
  'buyer',
  'buyerinfo',
  'shipping',
  'shippingaddress',
  'shipto',
  'customer',
  'recipient',
  'billing',
  'billingaddress',
  'billingdetails',
  'deliveryaddress',
  'consignee',
  'address',
  'bankaccount',
  'beneficiary',
  'contact',
]);

/** Words before "name"/"address" in free text that make it personal ("buyer name: ...", "shipping address: ..."). */
export const PERSONAL_WORDS: ReadonlySet<string> = new Set(['buyer', 'customer', 'recipient', 'shipping', 'billing', 'delivery', 'consignee', 'full']);

/** A reversed trie: NEXT[node * 128 + char] (0: none); EXACT[node] the kind of a whole key ending there, SUFFIX[node] of a suffix. */
export interface KeyTrie {
  next: Int32Array;
  exact: Uint8Array;
  suffix: Uint8Array;
}

const normaliseKey = (key: string) => key.toLowerCase().replace(/[_\-\s]+/g, '');

/** The trie of the built-in names plus `extra` (exact names). */
export function buildKeyTrie(extra: ReadonlyArray<[string, number]> = []): KeyTrie {
  return buildTrie([...ENTRIES, ...extra.map(([name, kind]): Entry => [normaliseKey(name), kind])]);
}

/** The personal parents as a trie (kind 1), plurals included. */
export const PARENT_TRIE: KeyTrie = buildTrie(
  [...PERSONAL_PARENTS].flatMap((n): Entry[] => [
    [n, 1],
    [n + 's', 1],
    [n + 'es', 1],
  ]),
);

function buildTrie(entries: Entry[]): KeyTrie {
  const next: number[] = [];
  const exact: number[] = [0, 0];
  const suffix: number[] = [0, 0];
  let nodes = 2;
  for (const [name, kind, isSuffix] of entries) {
    let node = 1;
    let ok = true;
    for (let i = name.length - 1; i >= 0 && ok; i--) {
      const c = FOLD[name.charCodeAt(i)];
      if (c === 0) ok = false; // a non-ASCII key name cannot be matched
      let nx = next[node * 128 + c] ?? 0;
      if (nx === 0) {
        nx = nodes++;
        exact[nx] = 0;
        suffix[nx] = 0;
        next[node * 128 + c] = nx;
      }
      node = nx;
    }
    if (!ok) continue;
    if (isSuffix) suffix[node] = kind;
    else exact[node] = kind;
  }
  const table = new Int32Array(nodes * 128);
  next.forEach((v, i) => (table[i] = v));
  return { next: table, exact: Uint8Array.from(exact), suffix: Uint8Array.from(suffix) };
}

/** The kind of the key t[s, e) (0: not a personal key): the whole key's, else its longest personal suffix's. */
export function keyKind(trie: KeyTrie, t: string, s: number, e: number): number {
  const next = trie.next;
  let node = 1;
  let kind = 0;
  for (let k = e - 1; k >= s; k--) {
    const c = t.charCodeAt(k);
    if (c === 95 || c === 45) continue;
    node = next[node * 128 + FOLD[c]];
    if (node === 0) return kind;
    if (trie.suffix[node] !== 0) kind = trie.suffix[node];
  }
  return trie.exact[node] !== 0 ? trie.exact[node] : kind;
}
