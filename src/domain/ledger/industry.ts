/**
 * GB/T 4754-2017 国民经济行业分类: 20 sections (门类 A–T), each a fixed range of the 97
 * two-digit divisions (大类 01–97). A division code alone determines its section.
 */
export const SECTIONS: { code: string; label: string; from: number; to: number }[] = [
  { code: 'A', label: '农、林、牧、渔业', from: 1, to: 5 },
  { code: 'B', label: '采矿业', from: 6, to: 12 },
  { code: 'C', label: '制造业', from: 13, to: 43 },
  { code: 'D', label: '电力、热力、燃气及水生产和供应业', from: 44, to: 46 },
  { code: 'E', label: '建筑业', from: 47, to: 50 },
  { code: 'F', label: '批发和零售业', from: 51, to: 52 },
  { code: 'G', label: '交通运输、仓储和邮政业', from: 53, to: 60 },
  { code: 'H', label: '住宿和餐饮业', from: 61, to: 62 },
  { code: 'I', label: '信息传输、软件和信息技术服务业', from: 63, to: 65 },
  { code: 'J', label: '金融业', from: 66, to: 69 },
  { code: 'K', label: '房地产业', from: 70, to: 70 },
  { code: 'L', label: '租赁和商务服务业', from: 71, to: 72 },
  { code: 'M', label: '科学研究和技术服务业', from: 73, to: 75 },
  { code: 'N', label: '水利、环境和公共设施管理业', from: 76, to: 79 },
  { code: 'O', label: '居民服务、修理和其他服务业', from: 80, to: 82 },
  { code: 'P', label: '教育', from: 83, to: 83 },
  { code: 'Q', label: '卫生和社会工作', from: 84, to: 85 },
  { code: 'R', label: '文化、体育和娱乐业', from: 86, to: 90 },
  { code: 'S', label: '公共管理、社会保障和社会组织', from: 91, to: 96 },
  { code: 'T', label: '国际组织', from: 97, to: 97 },
];

/** Accepts a division ("52"), a class code ("5211", "F5211") or a section letter; returns section and division. */
export function parseIndustry(input: string): { section: string; division: string | null } | null {
  const v = input.trim().toUpperCase();
  if (/^[A-T]$/.test(v)) return { section: v, division: null };
  const m = /^([A-T])?(\d{2})(\d{0,2})$/.exec(v);
  if (!m) return null;
  const n = Number(m[2]);
  const section = SECTIONS.find((s) => n >= s.from && n <= s.to);
  if (!section || (m[1] && m[1] !== section.code)) return null;
  return { section: section.code, division: m[2] };
}
