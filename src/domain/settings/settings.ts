import { z } from 'zod';

/**
 * Deployment settings kept in the database. Each group has one duty that may edit it:
 * security by the security administrator, rules by the system administrator.
 */
export const securitySettings = z.strictObject({
  passwordMinLength: z.number().int().min(8).max(64).default(8),
  lockoutThreshold: z.number().int().min(3).max(20).default(5),
  lockoutMinutes: z.number().int().min(1).max(1440).default(15),
  sessionIdleMinutes: z.number().int().min(5).max(480).default(30),
  /** A session ends this long after sign-in however active it is (issue 16, finding 14). */
  sessionMaxHours: z.number().int().min(1).max(72).default(12),
  /** Signed-in sessions one account may hold; a further sign-in ends the oldest (audited). */
  maxSessionsPerAccount: z.number().int().min(1).max(20).default(3),
  requireTotpForAll: z.boolean().default(false),
});

/** Thresholds of the party-organization rules (DOMAIN.md); a province may differ. */
export const ruleSettings = z.strictObject({
  standaloneMinFullMembers: z.number().int().min(1).max(10).default(3),
  jointBranchMaxUnits: z.number().int().min(2).max(20).default(5),
  branchMaxMembers: z.number().int().min(10).max(200).default(50),
  generalBranchMaxMembers: z.number().int().min(50).max(500).default(100),
  branchCommitteeMinFullMembers: z.number().int().min(3).max(20).default(7),
  branchTermYears: z.number().int().min(1).max(5).default(3),
  termReminderMonths: z.number().int().min(1).max(24).default(6),
  secretaryMinFullYears: z.number().int().min(0).max(5).default(1),
});

/** Days allowed per step of a case (诉求), and the window in which the person may reopen it. */
export const caseSettings = z.strictObject({
  routeDays: z.number().int().min(1).max(30).default(1),
  acceptDays: z.number().int().min(1).max(30).default(2),
  resolveDays: z.number().int().min(1).max(90).default(15),
  reopenDays: z.number().int().min(1).max(60).default(7),
});

/** What an exit cause does (migration 0034 reads these from the stored setting; absent = on). */
const exitRule = z.strictObject({
  suspendPlaques: z.boolean().default(true),
  flagHonours: z.boolean().default(true),
  flagPoints: z.boolean().default(true),
});
/** Exit rules per cause (注销, 吊销, 经营异常名录, 严重违法失信名单), and whether a removal lifts the suspension at once or after staff confirm. */
export const exitSettings = z.strictObject({
  deregistered: exitRule.prefault({}),
  revoked: exitRule.prefault({}),
  abnormal: exitRule.prefault({}),
  untrustworthy: exitRule.prefault({}),
  liftOnRemoval: z.enum(['confirm', 'auto']).default('confirm'),
});

export const SETTING_GROUPS = {
  security: { schema: securitySettings, permission: 'settings.security', label: '安全策略' },
  rules: { schema: ruleSettings, permission: 'settings.rules', label: '组织设置规则' },
  cases: { schema: caseSettings, permission: 'settings.rules', label: '诉求办理时限' },
  exit: { schema: exitSettings, permission: 'settings.rules', label: '退出机制规则' },
} as const;

export type SettingGroup = keyof typeof SETTING_GROUPS;
export type SecuritySettings = z.infer<typeof securitySettings>;
export type RuleSettings = z.infer<typeof ruleSettings>;
export type CaseSettings = z.infer<typeof caseSettings>;
export type ExitSettings = z.infer<typeof exitSettings>;

/**
 * The groups an account may read: those its duty edits. The lockout threshold, the session limits
 * and whether a second factor is required tell an attacker holding any account how many guesses
 * and how long a stolen session they have (round-9 probe: every signed-in account read them all).
 */
export const readableGroups = (permissions: ReadonlySet<string>): SettingGroup[] =>
  (Object.keys(SETTING_GROUPS) as SettingGroup[]).filter((g) => permissions.has(SETTING_GROUPS[g].permission));
