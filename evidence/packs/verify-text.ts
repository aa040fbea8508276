/**
 * VERIFY.txt and SHA256SUMS: how a reviewer checks a pack with stock tools (OpenSSL 3, GNU coreutils) rather than
 * `tenet verify`, which needs Tenet. The commands are the lines starting with "$ "; the stock-tools test runs exactly
 * those lines, so the text cannot drift from what works.
 */
import type { SignatureAlgorithm } from '../ledger/signing.ts';
import type { ManifestFile } from './pack-writer.ts';

/** The checksum list, in `sha256sum` format (hash, two spaces, path), one line per file listed so far. */
export function sha256Sums(files: readonly ManifestFile[]): string {
  return files.map((f) => `${f.sha256}  ${f.path}\n`).join('');
}

/** The commands that check manifest.sig over manifest.json, for the pack's key algorithm. */
function signatureCommands(algorithm: SignatureAlgorithm): { commands: string[]; note: string } {
  if (algorithm === 'Ed25519')
    return {
      commands: [
        '$ openssl base64 -d -A -in manifest.sig -out sig.bin',
        '$ openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile sig.bin',
      ],
      note: 'The key is Ed25519 (pure Ed25519 over the bytes of manifest.json; -rawin needs OpenSSL 3.0 or later). Expected output: "Signature Verified Successfully".',
    };
  return {
    commands: ['$ openssl base64 -d -A -in manifest.sig -out sig.bin', '$ openssl dgst -sha256 -verify public-key.pem -signature sig.bin manifest.json'],
    note: 'The key is ECDSA P-256 (an AWS KMS key; ECDSA with SHA-256 over the bytes of manifest.json, the signature DER-encoded). Expected output: "Verified OK".',
  };
}

/** The text of VERIFY.txt for a pack signed with this key. */
export function verifyText(props: { algorithm: SignatureAlgorithm; keyId: string; organisation: string; title: string }): string {
  const sig = signatureCommands(props.algorithm);
  return [
    `How to verify this pack with stock tools`,
    `========================================`,
    ``,
    `${props.title}, for ${props.organisation}. Signed with key ${props.keyId} (${props.algorithm === 'Ed25519' ? 'Ed25519' : 'ECDSA P-256, SHA-256'}).`,
    ``,
    `Unzip the pack into an empty directory and run the commands below in it (the lines starting with "$"; type them`,
    `without the "$"). They need OpenSSL 3.0 or later and GNU coreutils (sha256sum, cut), nothing from Tenet. Every`,
    `command must succeed; any error or "FAILED" means the pack was changed after it was signed.`,
    ``,
    `1. Is public-key.pem the organisation's key?`,
    ``,
    `   A key inside the pack proves nothing on its own: whoever edits a pack can replace the key and sign again.`,
    `   Compare it with the key the organisation publishes: its Tenet server answers GET /v1/packs/public-key (the`,
    `   current key) and GET /v1/packs/public-keys (every key, retired ones included, with their ids), or ask the`,
    `   organisation for the key id through another channel. The key id is the first 16 hex digits of the sha256 of`,
    `   the key's DER encoding; this command prints it, and it must be ${props.keyId}:`,
    ``,
    `$ openssl pkey -pubin -in public-key.pem -outform DER | sha256sum | cut -c1-16`,
    ``,
    `2. Does manifest.sig sign manifest.json?`,
    ``,
    ...sig.commands,
    ``,
    `   ${sig.note}`,
    ``,
    `3. Is SHA256SUMS the checksum list the signed manifest names?`,
    ``,
    `   manifest.json lists every file of the pack with its sha256 and size, SHA256SUMS and this file included. This`,
    `   prints the manifest's line for SHA256SUMS's hash, and fails (prints nothing, exit status 1) when it is not there:`,
    ``,
    `$ grep "\\"sha256\\": \\"$(sha256sum SHA256SUMS | cut -d ' ' -f 1)\\"" manifest.json`,
    ``,
    `4. Is every file what the manifest lists?`,
    ``,
    `$ sha256sum -c SHA256SUMS`,
    ``,
    `   Every line must end in "OK". SHA256SUMS lists every file of the manifest written before it (manifest.json and`,
    `   manifest.sig are checked by step 2, SHA256SUMS by step 3).`,
    ``,
    `What this does not check: that the ZIP holds nothing besides these files, nor the ZIP structure itself. With Tenet,`,
    `"tenet verify PACK.zip --public-key KEYS" checks all of this and that too, and "--chain CHECKPOINTS" checks the`,
    `pack's evidence against the organisation's later signed checkpoints.`,
    ``,
  ].join('\n');
}
