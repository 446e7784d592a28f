import { formatBytes } from './types.js';

/**
 * The storage quota of attachments (round 12: nothing bounded what one county kept, and every
 * stored file stays on the server's disk). Files count against their county: the first six digits
 * of the scope key they hang on (a station's files are its county's); a file of a city, province
 * or the nation hangs on that node alone and counts against it. Removed files no longer count. Pure.
 */
export const quotaNodeOf = (scopeKey: string): string => scopeKey.slice(0, 6);

/** Why a file of `adding` bytes is refused when its node keeps `used` of `quota`, or null when it fits. */
export function quotaRefusal(used: number, adding: number, quota: number): string | null {
  if (used + adding <= quota) return null;
  return used >= quota
    ? `本辖区的附件已占用 ${formatBytes(used)}，达到 ${formatBytes(quota)} 的存储上限：请删除不再需要的附件，或请系统管理员调整上限`
    : `本辖区的附件已占用 ${formatBytes(used)}，再存这个 ${formatBytes(adding)} 的文件将超过 ${formatBytes(quota)} 的存储上限：请删除不再需要的附件，或请系统管理员调整上限`;
}
