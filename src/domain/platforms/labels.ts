export type PlatformBusiness = 'food_delivery' | 'express' | 'ride_hailing' | 'same_city' | 'freight' | 'other';
export type AssistanceOutcome = 'ongoing' | 'resolved' | 'improved' | 'unresolved';

export const BUSINESS_LABEL: Record<PlatformBusiness, string> = {
  food_delivery: '外卖',
  express: '快递',
  ride_hailing: '网约车',
  same_city: '同城配送',
  freight: '货运',
  other: '其他',
};
export const PLATFORM_STATUS_LABEL = { active: '在营', exited: '已退出' } as const;
export const STATION_STATUS_LABEL = { open: '运营中', closed: '已关闭' } as const;
export const RIDER_ROLE_LABEL = { member: '党员', activist: '入党积极分子' } as const;
export const OUTCOME_LABEL: Record<AssistanceOutcome, string> = {
  ongoing: '帮扶中',
  resolved: '问题已解决',
  improved: '有所改善',
  unresolved: '未解决',
};
