import { defineControl, type Finding } from '../define-control.ts';
import { collectInventory, finding, get, inventoryEvidence, label, ofType, isProduction, verdict, type Item } from './inventory-evidence.ts';

/**
 * One lifecycle rule as AWS Config records it (supplementaryConfiguration.BucketLifecycleConfiguration.rules[]):
 * `expirationInDays` and `noncurrentVersionExpirationInDays` are -1 when the rule has no such action (an
 * abort-incomplete-uploads rule records `expirationInDays: -1`), and the scope is `filter.predicate`
 * (LifecyclePrefixPredicate / LifecycleTagPredicate / LifecycleAndOperator with `operands`) or the legacy `prefix`.
 * The S3 API's own spelling (`filter.prefix`, `filter.tag`, `filter.and`) is read too.
 */
type Rule = Record<string, unknown>;

/** A day count that really expires something: AWS Config's -1 (no action), 0 and non-numbers do not. */
const realDays = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);

/**
 * Whether the rule applies to every object under `prefix` ('' = the whole bucket). A tag or object-size condition
 * limits a rule to some objects, so it never covers a location; a prefix covers what starts with it.
 */
function covers(rule: Rule, prefix: string): boolean {
  const underPrefix = (p: unknown) => typeof p === 'string' && prefix.startsWith(p);
  const filter = get(rule, 'filter') as Record<string, unknown> | undefined | null;
  if (filter === undefined || filter === null) return rule.prefix === undefined || rule.prefix === null || underPrefix(rule.prefix);
  const predicate = (filter.predicate ?? null) as Record<string, unknown> | null;
  if (predicate) return predicateCovers(predicate, underPrefix);
  // S3 API spelling: {prefix} | {tag} | {and: {prefix, tags}} | {objectSizeGreaterThan}
  if (filter.tag !== undefined || filter.and !== undefined || filter.objectSizeGreaterThan !== undefined || filter.objectSizeLessThan !== undefined)
    return false;
  if (filter.prefix !== undefined) return underPrefix(filter.prefix);
  // An empty filter is the whole bucket.
  return Object.keys(filter).length === 0;
}

function predicateCovers(p: Record<string, unknown>, underPrefix: (p: unknown) => boolean): boolean {
  switch (p.type) {
    case 'LifecyclePrefixPredicate':
      return underPrefix(p.prefix ?? '');
    case 'LifecycleAndOperator': {
      const operands = Array.isArray(p.operands) ? (p.operands as Array<Record<string, unknown>>) : [];
      return operands.length > 0 && operands.every((o) => o && typeof o === 'object' && predicateCovers(o, underPrefix));
    }
    // LifecycleTagPredicate, LifecycleObjectSize*Predicate and anything unknown: only some objects
    default:
      return false;
  }
}

const rulesOf = (b: Item): Rule[] => {
  const rules = get(b.supplementaryConfiguration, 'BucketLifecycleConfiguration.rules');
  return (Array.isArray(rules) ? rules : []).filter((r): r is Rule => !!r && typeof r === 'object' && get(r, 'status') === 'Enabled');
};
const versioned = (b: Item): boolean => {
  const s = get(b.supplementaryConfiguration, 'BucketVersioningConfiguration.status');
  return s === 'Enabled' || s === 'Suspended';
};
const shortest = (rules: Rule[], field: string): number | undefined => {
  const days = rules.map((r) => realDays(r[field])).filter((d): d is number => d !== undefined);
  return days.length ? Math.min(...days) : undefined;
};

export default defineControl({
  id: 'storage.s3-lifecycle',
  title: 'S3 lifecycle rules enforce retention',
  commitment:
    'S3 … lifecycle verified (Addendum §28); temporary chat attachments, shipping labels and generated files kept 14 days where stored under the configured temporary location (§22).',
  severity: 'medium',
  schedule: '15 * * * *',
  freshFor: '26h',
  evidence: inventoryEvidence,
  collect: collectInventory(['AWS::S3::Bucket']),
  evaluate(e, settings) {
    const max = settings.requirements.temporaryMaxExpireDays;
    const tmpPrefix = settings.requirements.temporaryPrefix;
    const buckets = ofType(e, 'AWS::S3::Bucket');
    const temporary = (b: Item) => b.tags['data-class'] === 'temporary';
    const inScope = buckets.filter((b) => isProduction(b) || temporary(b));
    const findings: Finding[] = [];
    for (const b of inScope) {
      const enabled = rulesOf(b);
      const whole = enabled.filter((r) => covers(r, ''));
      if (isProduction(b)) {
        // A rule that only aborts uploads, or only touches a prefix or tagged objects, retains nothing for the bucket.
        const acting = whole.filter(
          (r) => realDays(r.expirationInDays) || realDays(r.noncurrentVersionExpirationInDays) || (Array.isArray(r.transitions) && r.transitions.length),
        );
        if (acting.length === 0) {
          findings.push(
            finding(
              b,
              `production bucket ${label(b)} has no enabled lifecycle rule that expires or transitions objects across the whole bucket${enabled.length ? ` (${enabled.length} enabled rule(s) limited to a prefix or tag, or without a day-based action)` : ''}`,
            ),
          );
        } else if (versioned(b) && shortest(whole, 'noncurrentVersionExpirationInDays') === undefined) {
          findings.push(
            finding(
              b,
              `production bucket ${label(b)} is versioned but no enabled whole-bucket rule expires non-current versions (deleted objects stay as old versions)`,
            ),
          );
        }
      }
      if (temporary(b)) {
        const where = tmpPrefix ? `under ${tmpPrefix}` : 'across the whole bucket';
        const scoped = enabled.filter((r) => covers(r, tmpPrefix));
        const days = shortest(scoped, 'expirationInDays');
        if (days === undefined || days > max) {
          findings.push(
            finding(
              b,
              `bucket ${label(b)} is tagged data-class=temporary but no enabled rule expires objects ${where} within ${max} days (${days !== undefined ? `shortest ${days}` : 'no day-based expiration'})`,
            ),
          );
        }
        if (versioned(b)) {
          const nc = shortest(scoped, 'noncurrentVersionExpirationInDays');
          if (nc === undefined || nc > max)
            findings.push(
              finding(
                b,
                `temporary bucket ${label(b)} is versioned and its non-current versions are not expired ${where} within ${max} days (${nc !== undefined ? `shortest ${nc}` : 'never'})`,
              ),
            );
        }
      }
    }
    return verdict(e, { inScope: inScope.length, findings, what: 'production or temporary buckets' });
  },
  remediation:
    'Add an enabled lifecycle rule without a prefix or tag filter to each production bucket (aws s3api put-bucket-lifecycle-configuration), expiring non-current versions on versioned buckets; buckets tagged data-class=temporary need an expiration (and a non-current version expiration) of at most 14 days over the temporary location (§22). An abort-incomplete-multipart-upload rule alone expires nothing.',
});
