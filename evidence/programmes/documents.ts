/**
 * The documents a programme may ask to see attested (a signed statement, POST /v1/attestations, that the document
 * with this digest is in force): document id → what it is. An attestation of any other id answers no requirement.
 */
export const ATTESTABLE_DOCUMENTS: Readonly<Record<string, string>> = {
  'runbook.secrets-rotation': 'Secrets rotation runbook',
  'runbook.data-deletion-export': 'Data deletion and export runbook',
  'runbook.incident-response': 'Incident response runbook (24-hour notice to Amazon)',
};
