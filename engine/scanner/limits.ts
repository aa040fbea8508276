/**
 * What a scan cannot see: said with every scan report (`tenet scan-logs`, the CloudWatch log-scan control's evidence),
 * so that a clean report is read for what it proves.
 */
export const SCAN_LIMITS: readonly string[] = [
  'Names are detected under personal-field keys (buyer_name, recipient, Name inside ShippingAddress, BuyerInfo, buyer, customer or recipient objects, and configured keys), beside an e-mail or phone field, after a name word in free text ("buyer name: ...", "my name is ...") and after Mr, Mrs, Ms or Smt; elsewhere in free text only as a full name from a names lexicon of English and Indian names (a first name and a last name, "Gaurav Kumar"; a given name and a word that may be a surname, "Dan Tailor"): a single name, a first name before a word the lexicon does not know and names the lexicon does not know are not detected.',
  'Addresses are detected under address keys, in address objects and in objects with a city and a postal code, and in free text only as an Indian address: a 6-digit PIN code after an address word (road, nagar, street, marg, sector, colony, lane, apartment, floor, near, district...) on the same line; other free-text addresses are not detected.',
  'Dates of birth are detected only under a date-of-birth key or after a DOB word (dob, date of birth, born).',
  "Phone numbers: Indian mobiles anywhere; other countries' numbers in international form (+country code) anywhere, in national form only under a phone key or after a phone word (phone, mobile, my number); Indian landlines only under a phone or landline key or word.",
  'IP addresses: public IPv4 and IPv6 only (private, loopback, link-local, CGNAT, documentation and multicast addresses are not personal data); a dotted quad after a version word is taken for a version.',
  'Bank accounts: Indian account numbers next to an IFSC on the same line or under an account-number key only (the IFSC is reported with them, and alone under an IFSC key).',
  'Vehicle registrations: Indian plates only (state and union territory series, BH series).',
  'Encoded values are decoded one level (base64 that holds text, URL encoding); deeper nesting, compressed and encrypted values are not looked into.',
  'A value split across lines or log events is not seen; tenet scan-logs reads a line longer than 16 MiB in pieces of 16 MiB, and a value across two pieces is not seen either.',
];
