/**
 * 三亮 (亮身份、亮职责、亮承诺) records and their plaques. A record says: this member shows their
 * identity, duties and commitment in this entity, as a 共产党员经营户 or at a 党员示范岗. A
 * record carries at most one valid plaque at a time. Revoking a plaque is the exit mechanism
 * (the holder no longer qualifies): the record is withdrawn with it. Reissuing (lost, damaged,
 * details changed) revokes the old plaque and issues a new number for the same record.
 */
export type SanliangKind = 'member_operator' | 'member_post';
export type RecordStatus = 'active' | 'withdrawn';
export type PlaqueState = 'valid' | 'revoked';
export type PlaqueAction = 'issue' | 'revoke' | 'reissue';
export type FeedbackState = 'open' | 'handled';
export type FeedbackCategory = 'identity' | 'conduct' | 'plaque' | 'other';

export const SANLIANG_KIND_LABEL: Record<SanliangKind, string> = {
  member_operator: '共产党员经营户',
  member_post: '党员示范岗',
};
export const RECORD_STATUS_LABEL: Record<RecordStatus, string> = { active: '亮牌中', withdrawn: '已退出' };
export const PLAQUE_STATE_LABEL: Record<PlaqueState, string> = { valid: '有效', revoked: '已撤销' };
export const PLAQUE_ACTION_LABEL: Record<PlaqueAction, string> = {
  issue: '发牌',
  revoke: '撤销牌匾',
  reissue: '补发牌匾',
};
export const FEEDBACK_STATE_LABEL: Record<FeedbackState, string> = { open: '待处理', handled: '已处理' };
export const FEEDBACK_CATEGORY_LABEL: Record<FeedbackCategory, string> = {
  identity: '身份或信息与牌匾不符',
  conduct: '未履行职责或承诺',
  plaque: '牌匾已撤销仍悬挂、疑似伪造',
  other: '其他问题',
};
/** The usual grounds for withdrawing a plaque (DOMAIN.md, exit mechanism); staff may write their own. */
export const EXIT_REASONS = [
  '营业执照被吊销或注销',
  '发生重大安全事故',
  '拖欠工资 3 个月以上',
  '被列入经营异常名录或严重违法失信名单',
  '本人不再符合条件或申请退出',
];
/** The usual grounds for a reissue. */
export const REISSUE_REASONS = ['牌匾遗失', '牌匾损毁', '牌匾信息变更'];

/** The facts a plaque action is decided on. */
export type PlaqueFacts = {
  recordStatus: RecordStatus;
  /** The record already carries a valid plaque (for issue). */
  recordHasValidPlaque: boolean;
  /** The plaque acted on (for revoke and reissue). */
  plaqueState?: PlaqueState;
  reason?: string | null;
};

/** A refused action: a conflict with the state, or invalid input (naming the field). */
export type Refusal = { ok: false; kind: 'conflict' | 'invalid'; field?: string; message: string };
/** What an allowed action does to the ledger. */
export type PlaqueEffects = { ok: true; revokeOld: boolean; issueNew: boolean; withdrawRecord: boolean };
export type PlaqueDecision = PlaqueEffects | Refusal;

const MIN_REASON = 2;

/** Whether the action is allowed on these facts, and if so what it changes. */
export function decidePlaque(action: PlaqueAction, f: PlaqueFacts): PlaqueDecision {
  if (action === 'issue') {
    if (f.recordStatus === 'withdrawn')
      return { ok: false, kind: 'conflict', message: '该三亮记录已退出，不能再发牌；如重新认定，请新建记录' };
    if (f.recordHasValidPlaque)
      return { ok: false, kind: 'conflict', message: '该记录已有有效牌匾；牌匾遗失或损毁请用"补发"' };
    return { ok: true, revokeOld: false, issueNew: true, withdrawRecord: false };
  }
  if (f.plaqueState !== 'valid')
    return {
      ok: false,
      kind: 'conflict',
      message: action === 'revoke' ? '该牌匾已撤销，不能重复撤销' : '该牌匾已撤销，不能据此补发',
    };
  if ((f.reason ?? '').trim().length < MIN_REASON) {
    return {
      ok: false,
      kind: 'invalid',
      field: 'reason',
      message: action === 'revoke' ? '请填写撤销原因' : '请填写补发原因',
    };
  }
  if (action === 'reissue') {
    if (f.recordStatus === 'withdrawn') return { ok: false, kind: 'conflict', message: '该三亮记录已退出，不能补发' };
    return { ok: true, revokeOld: true, issueNew: true, withdrawRecord: false };
  }
  return { ok: true, revokeOld: true, issueNew: false, withdrawRecord: true };
}

/** The actions a plaque or record offers now (the UI shows these buttons). */
export const plaqueActions = (recordStatus: RecordStatus, plaqueState: PlaqueState | null): PlaqueAction[] =>
  plaqueState === null
    ? decidePlaque('issue', { recordStatus, recordHasValidPlaque: false }).ok
      ? ['issue']
      : []
    : (['revoke', 'reissue'] as const).filter(
        (a) => decidePlaque(a, { recordStatus, recordHasValidPlaque: true, plaqueState, reason: '理由' }).ok,
      );

/**
 * An active record whose entity no longer operates (deregistered, licence revoked, moved out)
 * asks for review: the exit mechanism's first ground. Staff decide; nothing is revoked for them.
 */
export const needsReview = (recordStatus: RecordStatus, entityStatus: string): boolean =>
  recordStatus === 'active' && entityStatus !== 'active';

/** A shown-on date cannot lie in the future. */
export const shownOnValid = (shownOn: string, today: string): boolean => shownOn <= today;

// ── Plaque numbers ───────────────────────────────────────────────────────────────────────
/** XGZ-<county code>-<6-digit serial within the county>: readable aloud and typed from a photo. */
const NUMBER = /^XGZ-(\d{6})-(\d{6,})$/;

export function plaqueNumber(countyCode: string, serial: number): string {
  if (!/^\d{6}$/.test(countyCode)) throw new Error(`not a county code: ${countyCode}`);
  if (!Number.isInteger(serial) || serial < 1) throw new Error(`not a serial: ${serial}`);
  return `XGZ-${countyCode}-${String(serial).padStart(6, '0')}`;
}

/** A number as someone typed it (spaces, lower case, full-width dash) in canonical form, or null. */
export function parsePlaqueNumber(input: string): string | null {
  const s = input
    .normalize('NFKC')
    .trim()
    .toUpperCase()
    .replace(/\s+/g, '')
    .replace(/[‐‑‒–—―－]/g, '-');
  return NUMBER.test(s) ? s : null;
}

/**
 * Whether the public can open a verification link printed on a plaque: not when its host is this
 * machine, a private (RFC 1918) or link-local address, or a name without a dot (an intranet name) —
 * what the link falls back to when XGZ_PUBLIC_URL is not set and the clerk works on the intranet.
 */
export function publiclyReachable(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host === 'localhost' || host.endsWith('.local') || host.endsWith('.localhost') || host.startsWith('['))
    return false;
  const ip = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(host);
  if (!ip) return host.includes('.');
  const [a, b] = [Number(ip[1]), Number(ip[2])];
  return !(
    a === 127 ||
    a === 10 ||
    a === 0 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254)
  );
}

// ── The public verification page ─────────────────────────────────────────────────────────
export type PublicVerdict = 'valid' | 'revoked' | 'suspended' | 'unknown';

/** What the public page says in plain words, for each verdict. */
export function verdictText(v: PublicVerdict, o: { reissued?: boolean } = {}): { title: string; detail: string } {
  if (v === 'valid') return { title: '牌匾有效', detail: '该牌匾由市场监管部门核发，目前有效。' };
  // Suspended by an exit cause (deregistered, revoked, on a credit list): nothing beyond that.
  if (v === 'suspended') return { title: '暂停公示', detail: '' };
  if (v === 'revoked') {
    return o.reissued
      ? { title: '牌匾已作废', detail: '该编号的牌匾已作废，已另行补发新牌匾。请以新牌匾为准。' }
      : { title: '牌匾已撤销', detail: '该牌匾已被市场监管部门撤销，不再有效。如仍在悬挂，欢迎反映。' };
  }
  return {
    title: '未查到该牌匾',
    detail: '未查到这个编号的牌匾，请核对编号。如怀疑牌匾为伪造，请向当地市场监管部门反映。',
  };
}

/**
 * A name as the public sees it: its first character, the rest starred (张*, 欧阳**). Takes only
 * the first character and the length, which is all the database hands the public route.
 */
export function maskedName(first: string, length: number): string {
  return first ? `${first}${'*'.repeat(Math.max(length - 1, 1))}` : '';
}

// ── Reports from the public page ────────────────────────────────────────────────────────
/** A report is handled once, with a note saying what was done; a handled report stays handled. */
export function decideFeedback(state: FeedbackState, note: string | null | undefined): { ok: true } | Refusal {
  if (state === 'handled') return { ok: false, kind: 'conflict', message: '该反映已处理，不能重复处理' };
  if ((note ?? '').trim().length < MIN_REASON)
    return { ok: false, kind: 'invalid', field: 'note', message: '请填写处理情况' };
  return { ok: true };
}
