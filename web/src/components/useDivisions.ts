import { useEffect, useState } from 'react';
import { publicDivisions } from '@server/features/discovery/contract';
import { call } from '../api';

export type DivisionOption = {
  value: string;
  label: string;
  level: string;
  isLeaf?: boolean;
  children?: DivisionOption[];
};

/** Options for a province / city / county cascader on the public pages: the provinces on mount, each level's children when opened. */
export function useDivisions(): { options: DivisionOption[]; loadData: (selected: DivisionOption[]) => Promise<void> } {
  const [options, setOptions] = useState<DivisionOption[]>([]);
  const load = async (code = '000000'): Promise<DivisionOption[]> =>
    (await call(publicDivisions, { params: { code } })).map((d) => ({
      value: d.code,
      label: d.name,
      level: d.level,
      isLeaf: d.level === 'county',
    }));
  useEffect(() => void load().then(setOptions, () => setOptions([])), []);
  const loadData = async (selected: DivisionOption[]) => {
    const target = selected[selected.length - 1];
    const children = await load(target.value);
    target.children = children.length ? children : undefined;
    target.isLeaf = !children.length;
    setOptions((o) => [...o]);
  };
  return { options, loadData };
}
