// Reads a retention policy from option values and describes it for people.
import { ExitCode, UserError } from '../errors.js';
import type { GfsCounts, RetentionPolicy } from './retention.js';

/** Option values a policy is built from (undefined: not given). */
export interface PolicyOptions {
  keepLast: number | undefined;
  keepDays: number | undefined;
  gfs: string | undefined;
}

/** Builds the policy; throws a usage error (64) when nothing would limit what is kept. */
export function parsePolicy({ keepLast, keepDays, gfs }: PolicyOptions): RetentionPolicy {
  const policy: RetentionPolicy = {};
  if (keepLast !== undefined) policy.keepLast = keepLast;
  if (keepDays !== undefined) policy.keepDays = keepDays;
  if (gfs !== undefined) policy.gfs = parseGfs(gfs);
  if (policy.keepLast === undefined && policy.keepDays === undefined && policy.gfs === undefined) {
    throw new UserError('no retention policy given', {
      code: ExitCode.usage,
      hint: 'Pass --keep-last N, --keep-days D or --gfs DAILY,WEEKLY,MONTHLY,YEARLY (or set them in the config file).',
    });
  }
  return policy;
}

/** Parses `7,4,12,3` (daily, weekly, monthly, yearly); missing trailing counts are 0. */
export function parseGfs(text: string): GfsCounts {
  const parts = text.split(',').map((p) => p.trim());
  const counts = parts.map(Number);
  if (parts.length > 4 || counts.some((n, i) => !Number.isInteger(n) || n < 0 || parts[i] === '')) {
    throw new UserError(`invalid --gfs value '${text}'`, {
      code: ExitCode.usage,
      hint: 'Give up to four whole numbers DAILY,WEEKLY,MONTHLY,YEARLY, for example 7,4,12,3.',
    });
  }
  const [daily = 0, weekly = 0, monthly = 0, yearly = 0] = counts;
  return { daily, weekly, monthly, yearly };
}

/** One line naming the policy, e.g. "keep-last 3, gfs 7 daily 4 weekly 12 monthly 0 yearly". */
export function describePolicy(policy: RetentionPolicy): string {
  const parts: string[] = [];
  if (policy.keepLast !== undefined) parts.push(`keep-last ${policy.keepLast}`);
  if (policy.keepDays !== undefined) parts.push(`keep-days ${policy.keepDays}`);
  if (policy.gfs !== undefined) {
    const { daily, weekly, monthly, yearly } = policy.gfs;
    parts.push(`gfs ${daily} daily ${weekly} weekly ${monthly} monthly ${yearly} yearly`);
  }
  return parts.join(', ');
}
