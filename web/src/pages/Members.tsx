import { useEffect, useState } from 'react';
import { Card, Descriptions, Drawer, Input, Select, Space, Tag, Timeline, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { drawerSize } from '../components/drawer';
import { call, withQuery } from '../api';
import { PageTitle } from '../Layout';
import { ListOrCards } from '../components/ListOrCards';
import { usePaged } from '../components/usePaged';
import { useAddressFilters } from '../components/hooks';
import { useAuth } from '../auth';
import { JurisdictionPicker } from '../components/JurisdictionPicker';
import { shown, toOptions, when } from '../components/format';
import { ENTITY_ROLE_LABEL, MEMBERSHIP_LABEL, MEMBER_SOURCE_LABEL, MEMBER_STATUS_LABEL } from '../components/labels';
import { isEnded } from '@server/domain/cases/workflow';
import {
  exportMembers,
  getMember,
  listMembers,
  type Member,
  type MemberDetail,
} from '@server/features/members/contract';
import { DownloadButton } from '../components/DownloadButton';

const CONFIDENCE: Record<string, [string, string]> = {
  confirmed: ['已确认', 'green'],
  declared: ['申报', 'blue'],
  self_reported: ['本人报告', 'orange'],
};

export default function Members() {
  // A figure clicked elsewhere (数据看板: 已找到的党员) or a name linked from another page (?q=) opens the list filtered.
  // The dashboard passes its sub-jurisdiction (?under=), so the list agrees with the figure clicked.
  const { f, set } = useAddressFilters(['linked', 'q', 'status', 'confidence', 'held', 'under']);
  const { me } = useAuth();
  const [q, setQ] = useState(f.q ?? '');
  useEffect(() => setQ(f.q ?? ''), [f.q]);
  const list = usePaged(listMembers, f);
  const [open, setOpen] = useState<number | null>(null);
  return (
    <div>
      <PageTitle
        title="党员名册"
        extra={<DownloadButton href={withQuery(`/api/v1${exportMembers.path}`, f)}>导出 Excel</DownloadButton>}
      />
      <Card size="small">
        <Space wrap style={{ marginBottom: 12 }}>
          <Input.Search
            placeholder="姓名"
            allowClear
            value={q}
            onChange={(e) => setQ(e.target.value)}
            onSearch={set('q')}
            style={{ width: 160 }}
            data-testid="member-search"
          />
          <div style={{ width: 200 }} data-testid="member-under">
            <JurisdictionPicker
              root={me!.jurisdiction.code}
              value={f.under}
              onChange={set('under')}
              placeholder="辖区"
            />
          </div>
          <Select
            allowClear
            placeholder="党员状态"
            style={{ width: 120 }}
            value={f.status}
            onChange={set('status')}
            options={toOptions(MEMBER_STATUS_LABEL)}
          />
          <Select
            allowClear
            placeholder="可信度"
            style={{ width: 120 }}
            value={f.confidence}
            onChange={set('confidence')}
            options={Object.entries(CONFIDENCE).map(([value, [label]]) => ({ value, label }))}
          />
          <Select
            allowClear
            placeholder="在市场主体中找到"
            style={{ width: 160 }}
            value={f.linked}
            onChange={set('linked')}
            options={[
              { value: 'true', label: '已找到' },
              { value: 'false', label: '未找到' },
            ]}
          />
          <Select
            allowClear
            placeholder="名册所在"
            style={{ width: 180 }}
            value={f.held}
            onChange={set('held')}
            options={[{ value: 'true', label: '本辖区持有的名册' }]}
          />
        </Space>
        <ListOrCards<Member>
          error={list.error}
          onRetry={list.reload}
          rowKey="id"
          onOpen={(m) => setOpen(m.id)}
          card={(m) => ({
            title: m.name,
            status: <Tag color={CONFIDENCE[m.confidence][1]}>{CONFIDENCE[m.confidence][0]}</Tag>,
            lines: [
              m.idNumber ?? <span style={{ color: '#bbb' }}>无可用身份证号</span>,
              [
                m.membership ? (MEMBERSHIP_LABEL[m.membership as keyof typeof MEMBERSHIP_LABEL] ?? m.membership) : null,
                MEMBER_STATUS_LABEL[m.status as keyof typeof MEMBER_STATUS_LABEL] ?? m.status,
              ]
                .filter(Boolean)
                .join(' · '),
              m.orgRelation && `组织关系：${m.orgRelation}`,
              m.entities.length ? `所在市场主体：${m.entities.join('、')}` : '所在市场主体：未找到',
            ],
          })}
          loading={list.loading}
          dataSource={list.items}
          pagination={list.pagination}
          scroll={{ x: 1100 }}
          locale={{ emptyText: '尚无党员名册。可在"数据导入"中导入组织部门共享的名册。' }}
          columns={[
            { title: '姓名', dataIndex: 'name', width: 90 },
            {
              title: '身份证号',
              dataIndex: 'idNumber',
              width: 180,
              render: (v) => v ?? <span style={{ color: '#bbb' }}>无可用号码</span>,
            },
            {
              title: '类别',
              dataIndex: 'membership',
              width: 90,
              render: (v: string | null) => (v ? (MEMBERSHIP_LABEL[v as keyof typeof MEMBERSHIP_LABEL] ?? v) : '—'),
            },
            { title: '组织关系所在党组织', dataIndex: 'orgRelation' },
            {
              title: '状态',
              dataIndex: 'status',
              width: 70,
              render: (v: string) => MEMBER_STATUS_LABEL[v as keyof typeof MEMBER_STATUS_LABEL] ?? v,
            },
            {
              title: '可信度',
              dataIndex: 'confidence',
              width: 90,
              render: (v: string) => <Tag color={CONFIDENCE[v][1]}>{CONFIDENCE[v][0]}</Tag>,
            },
            {
              title: '来源',
              dataIndex: 'sources',
              width: 120,
              render: (v: string[]) =>
                v.map((s) => MEMBER_SOURCE_LABEL[s as keyof typeof MEMBER_SOURCE_LABEL] ?? s).join('、'),
            },
            {
              title: '所在市场主体',
              dataIndex: 'entities',
              render: (v: string[]) => (v.length ? v.join('、') : <span style={{ color: '#bbb' }}>未找到</span>),
            },
          ]}
        />
      </Card>
      {open && <MemberDrawer id={open} onClose={() => setOpen(null)} />}
    </div>
  );
}

const ROLE: Record<string, string> = ENTITY_ROLE_LABEL;
const FIELD: Record<string, string> = {
  membership: '党员类别',
  org_relation: '组织关系',
  member_status: '状态',
  ended_on: '转出/停止党籍/去世日期',
  confidence: '可信度',
  sources: '来源',
  workplace: '工作单位',
};

export function MemberDrawer({ id, onClose }: { id: number; onClose: () => void }) {
  const [d, setD] = useState<MemberDetail | null>(null);
  useEffect(() => void call(getMember, { params: { id } }).then(setD), [id]);
  return (
    <Drawer open size={drawerSize()} title={d ? `党员：${d.name}` : '党员'} onClose={onClose}>
      {d && (
        <>
          <Descriptions
            size="small"
            column={1}
            bordered
            items={[
              { label: '身份证号', children: d.idNumber ?? '无可用号码' },
              { label: '出生日期', children: d.birthDate ?? '—' },
              {
                label: '类别',
                children: d.membership
                  ? (MEMBERSHIP_LABEL[d.membership as keyof typeof MEMBERSHIP_LABEL] ?? d.membership)
                  : '—',
              },
              { label: '组织关系所在党组织', children: d.orgRelation ?? '—' },
              {
                label: '状态 / 可信度',
                children: `${d.statusLabel}${d.endedOn ? `（${d.endedOn}）` : ''} / ${d.confidenceLabel}`,
              },
              {
                label: '来源',
                children: d.sources
                  .map((s) => MEMBER_SOURCE_LABEL[s as keyof typeof MEMBER_SOURCE_LABEL] ?? s)
                  .join('、'),
              },
              { label: '工作单位（名册）', children: d.workplace ?? '—' },
            ]}
          />
          <Typography.Title level={5} style={{ marginTop: 20 }}>
            所在市场主体
          </Typography.Title>
          {d.roles.length === 0 ? (
            <Typography.Text type="secondary">
              {isEnded(d.status) ? `${d.statusLabel}的党员不再在市场主体中比对。` : '尚未在市场主体中找到。'}
            </Typography.Text>
          ) : (
            d.roles.map((r) => (
              <div key={`${r.entityId}-${r.role}`}>
                <Link to={`/entities/${r.entityId}`}>{r.entityName}</Link> · {ROLE[r.role]} ·{' '}
                {r.method === 'exact' ? '身份证号一致' : `比对得分 ${r.score}`}
              </div>
            ))
          )}
          <Typography.Title level={5} style={{ marginTop: 20 }}>
            变更记录
          </Typography.Title>
          <Timeline
            items={d.history.map((h) => ({
              content: (
                <div>
                  {when(h.at)} · {h.actor}
                  {h.changes.map((c) => (
                    <div key={c.field} style={{ fontSize: 12 }}>
                      {FIELD[c.field] ?? c.field}：{shown(c.from)} → {shown(c.to)}
                    </div>
                  ))}
                </div>
              ),
            }))}
          />
        </>
      )}
    </Drawer>
  );
}
