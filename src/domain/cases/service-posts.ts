/** What a riders' service post (驿站) offers: the codes stored and the words the pages show. */
export const OFFER_LABEL = {
  charging: '充电',
  water: '饮水',
  rest: '休息',
  toilet: '如厕',
  heating: '热饭',
  first_aid: '应急药箱',
  repair: '维修打气',
  wifi: '无线网络',
} as const;
export type Offer = keyof typeof OFFER_LABEL;
