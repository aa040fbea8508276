/** A short message naming the error: never a credential, never a long dump of the response. */
export function describeError(err: unknown): string {
  const e = err as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number; attempts?: number } } | undefined;
  const name = typeof e?.name === 'string' && e.name !== 'Error' ? e.name : '';
  let message = (typeof e?.message === 'string' ? e.message : String(err)).replace(/^@smithy\/[\w-]+ - \[\w+\] /, '');
  // Deserialisation failures: the SDK's message points at a hidden field; say what happened instead.
  if (/Deserialization error|Unexpected token|Unexpected end of JSON|is not valid JSON/i.test(message) || name === 'SyntaxError') {
    message = 'the service answered a body that does not parse';
  }
  const status = e?.$metadata?.httpStatusCode;
  const attempts = e?.$metadata?.attempts;
  const suffix = [status ? `HTTP ${status}` : '', attempts && attempts > 1 ? `${attempts} attempts` : ''].filter(Boolean).join(', ');
  const text = `${name ? `${name}: ` : ''}${message}${suffix ? ` (${suffix})` : ''}`
    .replace(/\b(AKIA|ASIA)[A-Z0-9]{8,}\b/g, '[access key]')
    .replace(/(Credential|Signature|SessionToken|X-Amz-Security-Token)=[^\s,&]+/gi, '$1=[redacted]')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
