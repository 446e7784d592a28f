import { useEffect, useState } from 'react';
import { TreeSelect } from 'antd';
import { call } from '../api';
import { getJurisdiction, jurisdictionChildren } from '@server/features/jurisdictions/contract';
import type { JNode } from './JurisdictionTree';

type Option = { id: string; pId: string | null; value: string; title: string; isLeaf: boolean };
const toOption = (n: JNode): Option => ({
  id: n.code,
  pId: n.parentCode,
  value: n.code,
  title: n.name,
  isLeaf: n.childCount === 0,
});

/** Picks a node of the user's subtree; levels are loaded on demand. `accept` limits which levels can be chosen. */
export function JurisdictionPicker({
  root,
  value,
  onChange,
  accept,
  placeholder,
}: {
  root: string;
  value?: string;
  onChange?: (v: string) => void;
  accept?: string[];
  placeholder?: string;
}) {
  const [options, setOptions] = useState<Option[]>([]);
  const [levels] = useState(() => new Map<string, string>());
  useEffect(() => {
    void call(getJurisdiction, { params: { code: root } }).then((n) => {
      levels.set(n.code, n.level);
      setOptions((o) => [{ ...toOption(n), pId: null }, ...o.filter((x) => x.id !== n.code)]);
    });
  }, [root, levels]);
  // A value set from outside (a link, the address bar) may lie below levels not yet opened: fetch it to show its name.
  useEffect(() => {
    if (!value || levels.has(value)) return;
    void call(getJurisdiction, { params: { code: value } }).then(
      (n) => {
        levels.set(n.code, n.level);
        setOptions((o) => (o.some((x) => x.id === n.code) ? o : [...o, toOption(n)]));
      },
      () => undefined,
    );
  }, [value, levels]);
  const loadData = async ({ id }: { id?: string }) => {
    const children = await call(jurisdictionChildren, { params: { code: String(id) } });
    children.forEach((c) => levels.set(c.code, c.level));
    setOptions((o) => [...o, ...children.filter((c) => !o.some((x) => x.id === c.code)).map(toOption)]);
  };
  return (
    <TreeSelect
      treeDataSimpleMode
      treeData={options.map((o) => ({ ...o, disabled: !!accept && !accept.includes(levels.get(o.id) ?? '') }))}
      loadData={loadData as never}
      value={value}
      onChange={onChange}
      placeholder={placeholder ?? '选择辖区'}
      showSearch={false}
      style={{ width: '100%' }}
    />
  );
}
