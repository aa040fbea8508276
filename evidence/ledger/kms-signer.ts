import { createHash, createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { algorithmOf, keyId, type SignatureAlgorithm, type Signer } from './signing.ts';

/**
 * Signs with an asymmetric AWS KMS key: the private key never leaves KMS, Tenet only holds the right to call Sign.
 *
 * Key spec ECC_NIST_P256 (key usage SIGN_VERIFY), algorithm ECDSA_SHA_256. KMS signs at most 4,096 bytes of raw
 * message, and a pack manifest is larger, so Tenet sends the SHA-256 digest (MessageType DIGEST): the signature is
 * the same ECDSA signature over the message, and anyone verifies it with the public key and SHA-256
 * (`verifySignature`). KMS also offers Ed25519 keys (ECC_NIST_EDWARDS25519), but only over raw messages up to 4,096
 * bytes or in the pre-hashed Ed25519ph variant, which Node cannot verify; they are refused here.
 */
export async function createKmsSigner(props: { keyId: string; client?: KMSClient }): Promise<Signer> {
  const client = props.client ?? new KMSClient({});
  const pub = await client.send(new GetPublicKeyCommand({ KeyId: props.keyId }));
  if (pub.KeyUsage && pub.KeyUsage !== 'SIGN_VERIFY') throw new Error(`KMS key ${props.keyId} is for ${pub.KeyUsage}, not SIGN_VERIFY`);
  if (pub.KeySpec !== 'ECC_NIST_P256') throw new Error(`KMS key ${props.keyId} is ${pub.KeySpec}: Tenet signs with ECC_NIST_P256 keys (ECDSA_SHA_256)`);
  if (pub.SigningAlgorithms && !pub.SigningAlgorithms.includes('ECDSA_SHA_256')) throw new Error(`KMS key ${props.keyId} does not offer ECDSA_SHA_256`);
  if (!pub.PublicKey) throw new Error(`KMS returned no public key for ${props.keyId}`);
  const publicKey = createPublicKey({ key: Buffer.from(pub.PublicKey), format: 'der', type: 'spki' });
  const algorithm: SignatureAlgorithm = algorithmOf(publicKey);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    keyId: keyId(publicKeyPem),
    publicKeyPem,
    algorithm,
    async sign(data: Uint8Array): Promise<string> {
      const r = await client.send(
        new SignCommand({ KeyId: props.keyId, Message: createHash('sha256').update(data).digest(), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }),
      );
      if (!r.Signature) throw new Error(`KMS returned no signature for ${props.keyId}`);
      return Buffer.from(r.Signature).toString('base64');
    },
  };
}
