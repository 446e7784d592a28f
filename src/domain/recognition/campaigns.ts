/** Education campaigns (学习教育): what each theme is called. */
export const CAMPAIGN_THEME_LABEL = {
  party_history: '党史学习教育',
  theme_education: '主题教育',
  yearly_theme: '年度主题活动',
  other: '其他',
} as const;
export type CampaignTheme = keyof typeof CAMPAIGN_THEME_LABEL;
