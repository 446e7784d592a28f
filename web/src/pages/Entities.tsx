import { useEffect, useMemo, useState } from 'react';
import { ListOrCards } from '../components/ListOrCards';
import { Card, Input, Select, Space, Tag, Tooltip } from 'antd';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { call, withQuery } from '../api';
import { useAuth } from '../auth';
import { PageTitle } from '../Layout';
import { JurisdictionPicker } from '../components/JurisdictionPicker';
import { usePaged } from '../components/usePaged';
import { COVERAGE_FILTERS, ENTITY_KIND_LABEL, ENTITY_STATUS, type CoverageFilter } from '../components/labels';

import { listEntities, type EntityRow } from '@server/features/entities/contract';
import { listZones, type ZoneRow } from '@server/features/zones/contract';
import { DownloadButton } from '../components/DownloadButton';

export type { EntityRow } from '@server/features/entities/contract';
const KIND: Record<string, string> = ENTITY_KIND_LABEL;
const STATUS = ENTITY_STATUS;
const ORG = ['未建', '党支部', '党总支', '党委'];
const FILTERS = [
  'q',
  'under',
  'kind',
  'status',
  'zoneId',
  'isNew',
  'partyDeclared',
  'orgDeclared',
  'coverage',
  'sort',
] as const;

export default function Entities() {
  const { me } = useAuth();
  const nav = useNavigate();
  // The filters live in the address: a figure clicked on another page (两个覆盖, 区域) lands here filtered, and 返回 keeps them.
  const [params, setParams] = useSearchParams();
  const f = useMemo(() => {
    const out: Record<string, string | undefined> = { sort: '-registeredOn' };
    for (const k of FILTERS) out[k] = params.get(k) ?? out[k];
    return out;
  }, [params]);
  const [zones, setZones] = useState<ZoneRow[]>([]);
  const set = (k: string) => (v: string | undefined) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (v) next.set(k, v);
        else next.delete(k);
        return next;
      },
      { replace: true },
    );
  // Its page too: 返回 from an entity lands on the page the clerk left (it was page 1 again).
  const list = usePaged(listEntities, f, 20, { inAddress: true });
  const order = (field: string) =>
    f.sort === field ? ('ascend' as const) : f.sort === `-${field}` ? ('descend' as const) : null;
  useEffect(() => void call(listZones, { query: { pageSize: 200 } }).then((z) => setZones(z.items)), []);
  const yesNo = [
    { value: 'true', label: '是' },
    { value: 'false', label: '否' },
  ];
  return (
    <div>
      <PageTitle
        title="市场主体台账"
        extra={<DownloadButton href={withQuery('/api/v1/entities/export', f)}>导出 Excel</DownloadButton>}
      />
      <Card size="small">
        <Space wrap style={{ marginBottom: 12 }}>
          {f.coverage && (
            <Tag closable color="red" style={{ padding: '4px 8px' }} onClose={() => set('coverage')(undefined)}>
              {COVERAGE_FILTERS[f.coverage as CoverageFilter] ?? f.coverage}
            </Tag>
          )}
          <Input.Search
            placeholder="名称或统一社会信用代码"
            allowClear
            defaultValue={f.q}
            onSearch={set('q')}
            style={{ width: 240 }}
          />
          <div style={{ width: 200 }}>
            <JurisdictionPicker
              root={me!.jurisdiction.code}
              value={f.under}
              onChange={set('under')}
              placeholder="辖区"
            />
          </div>
          <Select
            allowClear
            placeholder="主体类型"
            style={{ width: 130 }}
            value={f.kind}
            onChange={set('kind')}
            options={Object.entries(KIND).map(([value, label]) => ({ value, label }))}
          />
          <Select
            allowClear
            placeholder="登记状态"
            style={{ width: 110 }}
            value={f.status}
            onChange={set('status')}
            options={Object.entries(STATUS).map(([value, [label]]) => ({ value, label }))}
          />
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            placeholder="所在区域"
            style={{ width: 170 }}
            value={f.zoneId ? Number(f.zoneId) : undefined}
            onChange={(v) => set('zoneId')(v ? String(v) : undefined)}
            options={zones.map((z) => ({ value: z.id, label: z.name }))}
          />
          <Select
            allowClear
            placeholder="新设主体"
            style={{ width: 110 }}
            value={f.isNew}
            onChange={set('isNew')}
            options={yesNo}
          />
          <Select
            allowClear
            placeholder="年报有党员"
            style={{ width: 120 }}
            value={f.partyDeclared}
            onChange={set('partyDeclared')}
            options={yesNo}
          />
          <Select
            allowClear
            placeholder="年报已建党组织"
            style={{ width: 140 }}
            value={f.orgDeclared}
            onChange={set('orgDeclared')}
            options={yesNo}
          />
        </Space>
        <ListOrCards<EntityRow>
          error={list.error}
          onRetry={list.reload}
          rowKey="id"
          size="middle"
          loading={list.loading}
          dataSource={list.items}
          pagination={list.pagination}
          scroll={{ x: 1400 }}
          // The column's arrow says the order the address holds (after 返回 the rows stood sorted under no arrow);
          // a click turns it over, never off (the address always holds an order).
          sortDirections={['descend', 'ascend']}
          onChange={(_p, _f, s) => {
            const sorter = Array.isArray(s) ? s[0] : s;
            // The table reports its sorter on every page turn too: only a new order is written (an unchanged one,
            // written beside the page turn, put back the address the page turn had left).
            const sort = sorter?.field ? `${sorter.order === 'ascend' ? '' : '-'}${String(sorter.field)}` : undefined;
            if (sort && sort !== f.sort) set('sort')(sort);
          }}
          onOpen={(e) => void nav(`/entities/${e.id}`)}
          card={(e) => ({
            title: (
              <Space size={4} wrap>
                {e.name}
                {e.isNew && <Tag color="magenta">新设</Tag>}
              </Space>
            ),
            status: <Tag color={STATUS[e.status][1]}>{STATUS[e.status][0]}</Tag>,
            due: { label: '成立日期', value: e.registeredOn ?? '—' },
            lines: [
              `${KIND[e.kind] ?? e.kind} · ${e.uscc ?? e.regNo ?? ''}`,
              `${e.countyName}${e.stationName ? ` / ${e.stationName}` : ''}`,
              `年报党员：${e.latestReport ? (e.latestReport.partyMembers ?? '—') : '无年报'}${e.latestReport?.partyOrgForm ? ` · ${ORG[e.latestReport.partyOrgForm]}` : ''}`,
            ],
          })}
          locale={{ emptyText: '没有符合条件的市场主体。可在"数据导入"中导入登记信息。' }}
          columns={[
            {
              title: '名称',
              dataIndex: 'name',
              width: 260,
              fixed: 'left',
              sorter: true,
              sortOrder: order('name'),
              render: (n: string, e) => (
                <Space size={4}>
                  {n}
                  {e.isNew && (
                    <Tooltip title="12 个月内新设，重点对象">
                      <Tag color="magenta">新设</Tag>
                    </Tooltip>
                  )}
                </Space>
              ),
            },
            { title: '统一社会信用代码', dataIndex: 'uscc', width: 190, render: (u, e) => u ?? e.regNo },
            { title: '类型', dataIndex: 'kind', width: 110, render: (k: string) => KIND[k] },
            {
              title: '状态',
              dataIndex: 'status',
              width: 70,
              render: (s: string) => <Tag color={STATUS[s][1]}>{STATUS[s][0]}</Tag>,
            },
            // What the bureau asks of an entity first (its party members and organization as reported), then
            // where it is and who keeps it: at 1,440 px these stand in view; 成立日期 and 从业人数 scroll.
            {
              title: '年报党员',
              key: 'pm',
              width: 90,
              align: 'right',
              render: (_, e) =>
                e.latestReport ? (e.latestReport.partyMembers ?? '—') : <span style={{ color: '#bbb' }}>无年报</span>,
            },
            {
              title: '年报党组织',
              key: 'po',
              width: 100,
              render: (_, e) =>
                e.latestReport?.partyOrgForm ? (
                  <Tag color="red">{ORG[e.latestReport.partyOrgForm]}</Tag>
                ) : e.latestReport ? (
                  '未建'
                ) : (
                  ''
                ),
            },
            {
              title: '县区 / 基层所',
              key: 'place',
              width: 190,
              render: (_, e) => `${e.countyName}${e.stationName ? ` / ${e.stationName}` : ''}`,
            },
            { title: '法定代表人/经营者', dataIndex: 'legalRep', width: 120 },
            {
              title: '成立日期',
              dataIndex: 'registeredOn',
              width: 110,
              sorter: true,
              sortOrder: order('registeredOn'),
            },
            {
              title: '从业人数',
              dataIndex: 'employees',
              width: 90,
              align: 'right',
              sorter: true,
              sortOrder: order('employees'),
            },
          ]}
        />
      </Card>
    </div>
  );
}
