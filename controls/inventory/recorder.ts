import type { InventoryItem } from '../define-control.ts';
import { CONFIG_RECORDER, isConfigRecorded } from './resource-types.ts';

/**
 * The AWS Config configuration recorder of one account × region, as Tenet judges it: from an
 * `AWS::Config::ConfigurationRecorder` item (snapshot files: the schema's PascalCase, read in lower camel case by
 * normaliseConfigurationItem) or from DescribeConfigurationRecorders (the AWS collector writes the same fields) with
 * DescribeConfigurationRecorderStatus in `supplementaryConfiguration.ConfigurationRecorderStatus`.
 */
export interface RecorderView {
  accountId: string;
  region: string;
  /** the configuration item's resource id */
  id: string;
  name: string;
  recording: boolean | undefined;
  allSupported: boolean;
  strategy: string | undefined;
  resourceTypes: string[];
  excluded: string[];
  lastStatus?: string;
  lastStatusChangeTime?: string;
  lastErrorCode?: string;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const bool = (v: unknown): boolean | undefined => (v === true || v === 'true' ? true : v === false || v === 'false' ? false : undefined);
const time = (v: unknown): string | undefined => {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'number') return new Date(v > 1e12 ? v : v * 1000).toISOString();
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return new Date(v).toISOString();
  return undefined;
};

export function recorderOf(
  item: Pick<InventoryItem, 'accountId' | 'awsRegion' | 'resourceId' | 'resourceName' | 'configuration' | 'supplementaryConfiguration'>,
): RecorderView {
  const c = item.configuration;
  const group = obj(c.recordingGroup);
  const status = obj(item.supplementaryConfiguration.ConfigurationRecorderStatus);
  return {
    accountId: item.accountId,
    region: item.awsRegion,
    id: item.resourceId,
    name: typeof c.name === 'string' ? c.name : (item.resourceName ?? item.resourceId),
    // The status (live) says whether it records now; the item's own `Recording` (snapshot files) otherwise.
    recording: bool(status.recording) ?? bool(c.recording),
    allSupported: bool(group.allSupported) === true,
    strategy: typeof obj(group.recordingStrategy).useOnly === 'string' ? (obj(group.recordingStrategy).useOnly as string) : undefined,
    resourceTypes: strings(group.resourceTypes),
    excluded: strings(obj(group.exclusionByResourceTypes).resourceTypes),
    lastStatus: typeof status.lastStatus === 'string' ? status.lastStatus : undefined,
    lastStatusChangeTime: time(status.lastStatusChangeTime),
    lastErrorCode: typeof status.lastErrorCode === 'string' ? status.lastErrorCode : undefined,
  };
}

/** Whether this recorder records `type` (recording group: all supported, an inclusion list, or an exclusion list). */
export function records(r: RecorderView, type: string): boolean {
  if (r.strategy === 'EXCLUSION_BY_RESOURCE_TYPES') return !r.excluded.includes(type);
  if (r.allSupported || r.strategy === 'ALL_SUPPORTED_RESOURCE_TYPES') return true;
  return r.resourceTypes.includes(type);
}

/**
 * Why `types` are not (known to be) recorded in each account × region read: no recorder, a stopped recorder, or a
 * recording group without the type. One message per region; types AWS Config never records are not asked about.
 */
export function recordingGaps(props: {
  recorders: RecorderView[];
  regions: Array<{ accountId: string; region: string }>;
  types: string[];
  /** names the source in each message (e.g. "the snapshot holds no ... item") */
  missing: (region: { accountId: string; region: string }) => string;
}): Array<{ source: string; message: string }> {
  const wanted = props.types.filter((t) => t !== CONFIG_RECORDER && isConfigRecorded(t));
  if (wanted.length === 0) return [];
  const out: Array<{ source: string; message: string }> = [];
  for (const where of props.regions) {
    const source = `config-recorder:${where.accountId}:${where.region}`;
    const here = props.recorders.filter((r) => r.accountId === where.accountId && r.region === where.region);
    if (here.length === 0) {
      out.push({ source, message: `${props.missing(where)}: cannot tell whether ${wanted.join(', ')} ${wanted.length > 1 ? 'are' : 'is'} recorded` });
      continue;
    }
    if (!here.some((r) => r.recording === true)) {
      out.push({
        source,
        message: `the AWS Config recorder ${here.map((r) => r.name).join(', ')} is not recording: ${wanted.join(', ')} may have changed unseen`,
      });
      continue;
    }
    const unrecorded = wanted.filter((t) => !here.some((r) => r.recording === true && records(r, t)));
    if (unrecorded.length) out.push({ source, message: `the AWS Config recorder does not record ${unrecorded.join(', ')}` });
  }
  return out;
}
