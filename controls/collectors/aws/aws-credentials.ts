import type { ConfigServiceClientConfig } from '@aws-sdk/client-config-service';

/** Credentials as every AWS SDK client takes them: an identity, or a function that resolves one. */
export type CredentialsOption = NonNullable<ConfigServiceClientConfig['credentials']>;
export type Identity = { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date };

/** Shares one pending credential fetch between callers; fetches anew after a failure or near expiry. */
export function memoiseCredentials(provider: () => Promise<Identity>): () => Promise<Identity> {
  let current: { promise: Promise<Identity>; settled: boolean; failed: boolean; value?: Identity } | undefined;
  const stale = () =>
    !current || (current.settled && (current.failed || (!!current.value?.expiration && current.value.expiration.getTime() - Date.now() < 5 * 60_000)));
  return () => {
    if (stale()) {
      const entry: NonNullable<typeof current> = { promise: provider(), settled: false, failed: false };
      entry.promise.then(
        (v) => Object.assign(entry, { settled: true, value: v }),
        () => Object.assign(entry, { settled: true, failed: true }),
      );
      current = entry;
    }
    return current!.promise;
  };
}
