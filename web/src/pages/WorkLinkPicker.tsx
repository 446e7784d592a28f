import { useEffect, useState } from 'react';
import { InputNumber, Select } from 'antd';
import type { LinkKind } from '@domain/worktasks/rules';
import { listAppeals, listVisits } from '@server/features/appeals/contract';
import { listCases } from '@server/features/discovery/contract';
import { listImports } from '@server/features/imports/contract';
import { call } from '../api';
import { dayOf } from '../components/format';

type Option = { value: number; label: string };
const day = (s: string | Date) => dayOf(s);
const cut = (s: string, n = 18) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** The unit's latest records of a kind, as a clerk knows them (date, entity, what it was), newest first. */
async function optionsOf(kind: LinkKind): Promise<Option[] | null> {
  const page = { page: 1, pageSize: 100 };
  switch (kind) {
    case 'visit':
      return (await call(listVisits, { query: page })).items.map((v) => ({
        value: v.id,
        label: `${v.visitedOn} ${v.entityName}（${v.visitorName}）`,
      }));
    case 'appeal':
      return (await call(listAppeals, { query: page })).items.map((a) => ({
        value: a.id,
        label: `${day(a.createdAt)} ${a.categoryLabel}：${cut(a.content)}`,
      }));
    case 'case':
      return (await call(listCases, { query: page })).items.map((c) => ({
        value: c.id,
        label: `${c.kindLabel} · ${c.entityName}${c.memberName ? ` · ${c.memberName}` : ''}（${c.stateLabel}）`,
      }));
    case 'import':
      return (await call(listImports, { query: page })).items.map((j) => ({
        value: j.id,
        label: `${day(j.createdAt)} ${j.fileName}（${j.kindLabel}）`,
      }));
    default:
      return null;
  }
}

/**
 * Which record a reply links to: chosen from the unit's own records by what they are (a clerk does
 * not know a record's number); a statistical report, which has no list here, by its number.
 */
export function LinkPicker({
  kind,
  value,
  onChange,
}: {
  kind?: LinkKind;
  value?: number;
  onChange?: (v: number | null) => void;
}) {
  const [options, setOptions] = useState<Option[] | null>(null);
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    let live = true;
    setOptions(null);
    if (!kind) return;
    setLoading(true);
    optionsOf(kind)
      .then(
        (o) => live && setOptions(o),
        () => live && setOptions(null),
      )
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [kind]);
  if (kind && !options && !loading)
    return <InputNumber min={1} placeholder="编号" value={value} onChange={onChange} style={{ width: 220 }} />;
  return (
    <Select
      showSearch
      optionFilterProp="label"
      placeholder={kind ? '选择记录（可输入文字查找）' : '先选类别'}
      disabled={!kind}
      loading={loading}
      value={value}
      onChange={(v: number) => onChange?.(v)}
      options={options ?? []}
      style={{ width: 320, maxWidth: '100%' }}
      notFoundContent={loading ? '加载中…' : '本单位没有这类记录'}
    />
  );
}
