/**
 * Party-building instructors (党建工作指导员) and their assignments. An assignment in force
 * (not ended) gives work coverage (工作覆盖) to every entity it reaches; see
 * src/domain/coverage. Assignments are recorded when they start and ended when they end, never
 * dated ahead, so the coverage figures change with what staff record, not with the calendar.
 */
export type InstructorSource = 'bureau' | 'station' | 'retired' | 'platform' | 'association' | 'volunteer';
/** 'platform' and 'delivery_station' (0017) reach no market entity: they count in the sector's coverage only. */
export type AssignmentTarget = 'entity' | 'zone' | 'org' | 'platform' | 'delivery_station';
export type GuidanceKind = 'visit' | 'guidance' | 'training' | 'meeting';

export const SOURCE_LABEL: Record<InstructorSource, string> = {
  bureau: '局机关干部',
  station: '基层所干部',
  retired: '退休干部',
  platform: '平台企业党务人员',
  association: '个私协会工作人员',
  volunteer: '社会党建志愿者',
};
export const TARGET_LABEL: Record<AssignmentTarget, string> = {
  entity: '市场主体',
  zone: '市场/楼宇/园区/商圈',
  org: '党组织',
  platform: '平台企业',
  delivery_station: '配送站点',
};
export const GUIDANCE_KIND_LABEL: Record<GuidanceKind, string> = {
  visit: '走访',
  guidance: '业务指导',
  training: '培训授课',
  meeting: '参加组织生活',
};
export const INSTRUCTOR_STATUS_LABEL = { active: '在岗', inactive: '已停用' } as const;

type Refusal = { field: string; message: string } | null;

/** Why an assignment cannot start as asked, or null. */
export function assignmentRefusal(a: {
  instructorStatus: 'active' | 'inactive';
  startOn: string;
  today: string;
}): Refusal {
  if (a.instructorStatus !== 'active') return { field: 'instructorId', message: '该指导员已停用，不能再指派' };
  if (a.startOn > a.today) return { field: 'startOn', message: '指派日期不能晚于今天（指派在开始时登记）' };
  return null;
}

/** Why an assignment cannot end on this date, or null. */
export function endRefusal(a: { startOn: string; endOn: string | null; end: string; today: string }): Refusal {
  if (a.endOn) return { field: 'endOn', message: `该指派已于 ${a.endOn} 结束` };
  if (a.end < a.startOn) return { field: 'endOn', message: `结束日期不能早于指派日期 ${a.startOn}` };
  if (a.end > a.today) return { field: 'endOn', message: '结束日期不能晚于今天' };
  return null;
}

/** Guidance is logged after it happened. */
export const guidanceRefusal = (onDate: string, today: string): Refusal =>
  onDate > today ? { field: 'onDate', message: '指导日期不能晚于今天' } : null;
