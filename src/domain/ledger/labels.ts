/** Chinese labels of the ledger's stored values: lists, details and the change history show these, never the codes. */
export const ENTITY_KIND_LABEL = {
  enterprise: '企业',
  individual: '个体工商户',
  cooperative: '农民专业合作社',
} as const;
export const ENTITY_STATUS_LABEL = {
  active: '存续',
  deregistered: '注销',
  revoked: '吊销',
  moved_out: '迁出',
} as const;
/**
 * An entity's name as work about it shows it (an appeal, a visit): with its status when it no
 * longer operates, so whoever handles the work sees at once that the business is gone.
 */
export const entityNameWithStatus = (name: string, status: string): string =>
  status === 'active'
    ? name
    : `${name}（已${ENTITY_STATUS_LABEL[status as keyof typeof ENTITY_STATUS_LABEL] ?? '停业'}）`;
export const SIZE_CLASS_LABEL = { micro: '微型', small: '小型', medium: '中型', large: '大型' } as const;
export const ENTITY_ROLE_LABEL = {
  legal_rep: '法定代表人/经营者',
  investor: '投资人',
  executive: '高管',
  employee: '职工',
  liaison: '联络员',
} as const;

export const MEMBERSHIP_LABEL = { full: '正式党员', probationary: '预备党员' } as const;
export const MEMBER_STATUS_LABEL = {
  normal: '正常',
  mobile: '流动',
  lost: '失联',
  abroad: '出国境',
  other: '其他',
  transferred_out: '已转出',
  stopped: '停止党籍',
  deceased: '去世',
} as const;
export const MEMBER_CONFIDENCE_LABEL = {
  confirmed: '名册或核实确认',
  declared: '申报',
  self_reported: '本人报告',
} as const;
export const MEMBER_SOURCE_LABEL = {
  roster: '名册',
  declared: '申报',
  staff: '核实',
  self_report: '本人报告',
} as const;

const BY_FIELD: Record<string, Record<string, string>> = {
  kind: ENTITY_KIND_LABEL,
  status: ENTITY_STATUS_LABEL,
  size_class: SIZE_CLASS_LABEL,
  role: ENTITY_ROLE_LABEL,
  membership: MEMBERSHIP_LABEL,
  member_status: MEMBER_STATUS_LABEL,
  confidence: MEMBER_CONFIDENCE_LABEL,
  sources: MEMBER_SOURCE_LABEL,
};

/** A history value as a person reads it: a code of a known field through its label (lists item by item); other values as they are. */
export function historyValue(field: string, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => historyValue(field, v));
  if (typeof value !== 'string') return value;
  return BY_FIELD[field]?.[value] ?? value;
}

/** A change of kind or name an import made, as its change summary says it. */
export function identityChangeText(field: 'kind' | 'name', before: string | null, after: string | null): string {
  const label = field === 'kind' ? '主体类型' : '名称';
  const shown = (v: string | null) => (v === null ? '空' : (historyValue(field, v) as string));
  return `${label}由"${shown(before)}"改为"${shown(after)}"`;
}
