import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Card, DatePicker, Form, Input, Select, Space, Tabs, Tag, Typography } from 'antd';
import { PaperClipOutlined, PlusOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router-dom';
import type { BodyOf, ResponseOf } from '@server/http/contract';
import {
  createInstructor,
  exportGuidance,
  exportInstructors,
  instructorFigures,
  listGuidance,
  listInstructors,
  updateGuidance,
  type GuidanceRow,
} from '@server/features/instructors/contract';
import { call, withQuery } from '../api';
import { useAuth } from '../auth';
import { PageTitle } from '../Layout';
import { usePaged } from '../components/usePaged';
import { applyProblem } from '../components/problem';
import { JurisdictionPicker } from '../components/JurisdictionPicker';
import { FormModal } from '../components/FormModal';
import { EChart } from '../components/EChart';
import { toOptions, ymd } from '../components/format';
import { GUIDANCE_KIND_LABEL, INSTRUCTOR_STATUS_LABEL, SOURCE_LABEL } from '../components/labels';
import { InstructorDrawer, type InstructorRow } from './InstructorDrawer';
import { GuidanceForm } from './GuidanceForm';
import { MyInstructorWork, useMyInstructorWork, type Mine } from './MyInstructorWork';
import { filtered, useAddressFilters, useOpenParam, useReloadOn } from '../components/hooks';
import { ContactFields } from '../components/ContactFields';
import { ChildrenTable } from '../components/ChildrenTable';
import { ListOrCards } from '../components/ListOrCards';
import { DownloadButton, DownloadLink } from '../components/DownloadButton';

export type { GuidanceRow } from '@server/features/instructors/contract';
type FigureRow = ResponseOf<typeof instructorFigures>['children'][number];

/** 党建工作指导员: the roster, the guidance they log, and the figures by area. */
export default function Instructors() {
  const [open, setOpen] = useOpenParam();
  const [creating, setCreating] = useState(false);
  // The 待办 of an instructor's follow-ups links to its records (?tab=guidance&followUp=open).
  const [params] = useSearchParams();
  const { can, narrowed } = useAuth();
  // An instructor's own account has its records only: not the roster of its colleagues, not the figures by area.
  const own = narrowed === 'instructor';
  const [tab, setTab] = useState(own ? 'guidance' : (params.get('tab') ?? 'roster'));
  // Bumped when the drawer or the form changed something, so the roster shows it.
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((v) => v + 1);
  const [mine, reloadMine] = useMyInstructorWork();
  return (
    <div>
      <PageTitle
        title="党建指导员"
        extra={
          can('data.write') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
              登记指导员
            </Button>
          )
        }
      />
      <MyInstructorWork
        mine={mine}
        onLogged={() => {
          reloadMine();
          changed();
        }}
      />
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          ...(own
            ? []
            : [{ key: 'roster', label: '指导员名册', children: <Roster onOpen={setOpen} version={version} /> }]),
          {
            key: 'guidance',
            label: own ? '我的指导记录' : '指导记录',
            children: <Guidance mine={mine} version={version} onLogged={reloadMine} />,
          },
          ...(own ? [] : [{ key: 'figures', label: '按辖区统计', children: <FiguresByArea /> }]),
        ]}
      />
      {open && <InstructorDrawer id={open} onClose={() => setOpen(null)} onChanged={changed} />}
      {creating && (
        <InstructorForm
          onClose={() => setCreating(false)}
          onSaved={(id) => {
            setCreating(false);
            changed();
            setOpen(id);
          }}
        />
      )}
    </div>
  );
}

function Roster({ onOpen, version }: { onOpen: (id: number) => void; version: number }) {
  const { me, can } = useAuth();
  // A station page links here with its code (/instructors?under=…).
  const { f, set } = useAddressFilters(['under']);
  const list = usePaged(listInstructors, f);
  useReloadOn(version, list.reload);
  return (
    <Card size="small">
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search placeholder="姓名" allowClear onSearch={set('q')} style={{ width: 160 }} />
        <div style={{ width: 200 }}>
          <JurisdictionPicker root={me!.jurisdiction.code} value={f.under} onChange={set('under')} placeholder="辖区" />
        </div>
        <Select
          allowClear
          placeholder="来源"
          style={{ width: 170 }}
          onChange={set('source')}
          options={toOptions(SOURCE_LABEL)}
        />
        <Select
          allowClear
          placeholder="状态"
          style={{ width: 100 }}
          onChange={set('status')}
          options={toOptions(INSTRUCTOR_STATUS_LABEL)}
        />
        <Select
          allowClear
          placeholder="是否在指派"
          style={{ width: 120 }}
          onChange={set('assigned')}
          options={[
            { value: 'yes', label: '有在指派' },
            { value: 'no', label: '无在指派' },
          ]}
        />
        <DownloadButton href={withQuery(`/api/v1${exportInstructors.path}`, f)}>导出 Excel</DownloadButton>
      </Space>
      <ListOrCards<InstructorRow>
        error={list.error}
        onRetry={list.reload}
        rowKey="id"
        size="middle"
        loading={list.loading}
        dataSource={list.items}
        pagination={list.pagination}
        scroll={{ x: 1000 }}
        onOpen={(o) => onOpen(o.id)}
        // On a phone a card per instructor: the table scrolled sideways, 在指派 and 最近指导 out of sight.
        card={(o) => ({
          title: o.name,
          status: o.status === 'inactive' ? <Tag>已停用</Tag> : `在指派 ${o.assignments} 项`,
          due: { label: '最近指导', value: o.lastGuidance ?? '暂无' },
          lines: [
            `${o.sourceLabel} · ${o.countyName}${o.stationName ? ` / ${o.stationName}` : ''}`,
            `覆盖主体 ${o.reached} 户${o.phone ? ` · ${o.phone}` : ''}`,
            ...(o.workplace ? [o.workplace] : []),
          ],
        })}
        locale={{
          emptyText: filtered(f)
            ? '没有符合条件的指导员。'
            : can('data.write')
              ? '名册中还没有指导员。点击"登记指导员"添加，再把他们指派到市场主体、楼宇市场或党组织。'
              : '没有符合条件的指导员。',
        }}
        columns={[
          {
            title: '姓名',
            dataIndex: 'name',
            width: 110,
            fixed: 'left',
            render: (n: string, o) => (
              <Space size={4}>
                {n}
                {o.status === 'inactive' && <Tag>已停用</Tag>}
              </Space>
            ),
          },
          { title: '来源', dataIndex: 'sourceLabel', width: 150 },
          {
            title: '县区 / 基层所',
            key: 'place',
            width: 230,
            render: (_, o) => `${o.countyName}${o.stationName ? ` / ${o.stationName}` : ''}`,
          },
          { title: '手机号', dataIndex: 'phone', width: 120, render: (v) => v ?? '—' },
          { title: '在指派', dataIndex: 'assignments', width: 80, align: 'right' },
          { title: '覆盖主体', dataIndex: 'reached', width: 90, align: 'right' },
          {
            title: '最近指导',
            dataIndex: 'lastGuidance',
            width: 110,
            render: (v) => v ?? <span style={{ color: '#bbb' }}>暂无</span>,
          },
          { title: '工作单位', dataIndex: 'workplace', render: (v) => v ?? '—' },
        ]}
      />
    </Card>
  );
}

/** The guidance log; an instructor's own account logs as itself (its records only are listed, 0031). */
function Guidance({ mine, version, onLogged }: { mine: Mine | null; version: number; onLogged: () => void }) {
  const { me, can, narrowed } = useAuth();
  const { message } = App.useApp();
  const { f, set, setF } = useAddressFilters(['followUp']);
  const list = usePaged(listGuidance, f);
  useReloadOn(version, list.reload);
  const [logging, setLogging] = useState(false);
  const close = (g: GuidanceRow) =>
    call(updateGuidance, { params: { id: g.id }, body: { followUpDone: true } }).then(
      () => {
        message.success('已办结');
        void list.reload();
      },
      (e) => void message.error(applyProblem(null, e)),
    );
  // An instructor's own records need no area to narrow by (its account reads no jurisdiction tree).
  const area = narrowed ? null : (
    <div style={{ width: 200 }}>
      <JurisdictionPicker root={me!.jurisdiction.code} value={f.under} onChange={set('under')} placeholder="辖区" />
    </div>
  );
  return (
    <Card size="small">
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search placeholder="主体、组织或内容" allowClear onSearch={set('q')} style={{ width: 200 }} />
        {area}
        <Select
          allowClear
          placeholder="方式"
          style={{ width: 130 }}
          onChange={set('kind')}
          options={toOptions(GUIDANCE_KIND_LABEL)}
        />
        <DatePicker.RangePicker onChange={(r) => setF((x) => ({ ...x, from: ymd(r?.[0]), to: ymd(r?.[1]) }))} />
        <Select
          allowClear
          placeholder="后续事项"
          value={f.followUp}
          style={{ width: 120 }}
          onChange={set('followUp')}
          options={[
            { value: 'open', label: '未办结' },
            { value: 'done', label: '已办结' },
          ]}
        />
        {!narrowed && <DownloadButton href={withQuery(`/api/v1${exportGuidance.path}`, f)}>导出 Excel</DownloadButton>}
        {can('guidance.write') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setLogging(true)}>
            登记指导
          </Button>
        )}
      </Space>
      <ListOrCards<GuidanceRow>
        error={list.error}
        onRetry={list.reload}
        rowKey="id"
        size="middle"
        loading={list.loading}
        dataSource={list.items}
        pagination={list.pagination}
        scroll={{ x: 1100 }}
        locale={{ emptyText: '还没有指导记录。指导员每次走访、指导后，点击"登记指导"记下做了什么、还要跟进什么。' }}
        card={(g) => ({
          title: g.entityName ?? g.orgName,
          status: <Tag>{g.kindLabel}</Tag>,
          due: { label: '日期', value: g.onDate },
          lines: [
            `指导员：${g.instructorName}`,
            g.content,
            g.followUp && (
              <Space key="f" size={4}>
                后续：
                <FollowUp g={g} onDone={close} />
              </Space>
            ),
            g.files.length > 0 && <Photos key="p" files={g.files} />,
          ],
        })}
        columns={[
          { title: '日期', dataIndex: 'onDate', width: 110 },
          { title: '指导员', dataIndex: 'instructorName', width: 90 },
          { title: '方式', dataIndex: 'kindLabel', width: 110 },
          {
            title: '对象',
            key: 'where',
            width: 220,
            render: (_, g) =>
              g.entityId ? (
                <Link to={`/entities/${g.entityId}`}>{g.entityName}</Link>
              ) : narrowed ? (
                g.orgName
              ) : (
                <Link to={`/orgs?open=${g.orgId}`}>{g.orgName}</Link>
              ),
          },
          {
            title: '指导内容',
            dataIndex: 'content',
            render: (v: string) => (
              <Typography.Paragraph ellipsis={{ rows: 2, tooltip: v }} style={{ margin: 0 }}>
                {v}
              </Typography.Paragraph>
            ),
          },
          {
            title: '后续事项',
            key: 'follow',
            width: 220,
            render: (_, g) => (g.followUp ? <FollowUp g={g} onDone={close} /> : '—'),
          },
          {
            title: '照片',
            key: 'files',
            width: 100,
            render: (_, g) => (g.files.length ? <Photos files={g.files} /> : '—'),
          },
        ]}
      />
      {logging && (
        <GuidanceForm
          instructor={mine?.instructor ?? undefined}
          onClose={() => setLogging(false)}
          onSaved={() => {
            setLogging(false);
            void list.reload();
            onLogged();
          }}
        />
      )}
    </Card>
  );
}

/** A record's follow-up, with 标记办结 for whoever may log guidance. */
function FollowUp({ g, onDone }: { g: GuidanceRow; onDone: (g: GuidanceRow) => void }) {
  const { can } = useAuth();
  return (
    <Space size={4} wrap>
      {g.followUp}
      {g.followUpDone ? (
        <Tag color="green">已办结</Tag>
      ) : can('guidance.write') ? (
        <a onClick={() => onDone(g)}>标记办结</a>
      ) : (
        <Tag color="orange">未办结</Tag>
      )}
    </Space>
  );
}

/** A visit's photos, each a download link (audited like every attachment). */
function Photos({ files }: { files: GuidanceRow['files'] }) {
  return (
    <Space size={4} wrap onClick={(e) => e.stopPropagation()}>
      <PaperClipOutlined />
      {files.map((f, i) => (
        <DownloadLink key={f.id} href={`/api/v1/attachments/${f.id}/file`} title={f.fileName}>
          照片{i + 1}
        </DownloadLink>
      ))}
    </Space>
  );
}

function FiguresByArea() {
  const { me } = useAuth();
  const [under, setUnder] = useState<string | undefined>();
  const [data, setData] = useState<ResponseOf<typeof instructorFigures> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(
    () => void call(instructorFigures, { query: { under } }).then(setData, (e) => setError(applyProblem(null, e))),
    [under],
  );
  const ranked = useMemo(() => [...(data?.children ?? [])].sort((a, b) => a.reached - b.reached), [data]);
  const option = useMemo(
    () => ({
      grid: { left: 8, right: 40, top: 28, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: ranked.map((c) => c.name) },
      series: [
        {
          name: '指导员覆盖的存续主体',
          type: 'bar',
          data: ranked.map((c) => c.reached),
          label: { show: true, position: 'right' },
        },
        { name: '在岗指导员', type: 'bar', data: ranked.map((c) => c.instructors) },
      ],
    }),
    [ranked],
  );
  return (
    <Card
      size="small"
      title={
        data
          ? `${data.node.name}：在岗指导员 ${data.total.instructors} 名，在指派 ${data.total.assignments} 项，覆盖存续主体 ${data.total.reached} 户，本年指导 ${data.total.guidance} 次`
          : '按辖区统计'
      }
      extra={
        <div style={{ width: 220 }}>
          <JurisdictionPicker
            root={me!.jurisdiction.code}
            value={under}
            onChange={setUnder}
            placeholder="选择辖区（默认本辖区）"
          />
        </div>
      }
    >
      {error && <Alert type="error" title={error} />}
      {ranked.length > 0 && (
        <EChart
          option={option}
          height={Math.max(160, ranked.length * 36 + 40)}
          onClick={(p) => setUnder(ranked[p.dataIndex].code)}
        />
      )}
      <ChildrenTable<FigureRow>
        rows={data?.children ?? []}
        onDrill={setUnder}
        columns={[
          { title: '在岗指导员', dataIndex: 'instructors', align: 'right' },
          { title: '在指派', dataIndex: 'assignments', align: 'right' },
          { title: '覆盖存续主体', dataIndex: 'reached', align: 'right' },
          { title: '本年指导次数', dataIndex: 'guidance', align: 'right' },
        ]}
      />
    </Card>
  );
}

type NewInstructor = BodyOf<typeof createInstructor>;

function InstructorForm({ onClose, onSaved }: { onClose: () => void; onSaved: (id: number) => void }) {
  const { me } = useAuth();
  const { message } = App.useApp();
  return (
    <FormModal<NewInstructor>
      title="登记指导员"
      okText="保存"
      onClose={onClose}
      initialValues={{
        placeCode: ['county', 'station'].includes(me!.jurisdiction.level) ? me!.jurisdiction.code : undefined,
      }}
      onSubmit={async (v) => {
        const r = await call(createInstructor, {
          body: {
            ...v,
            idNumber: v.idNumber || undefined,
            phone: v.phone || undefined,
            workplace: v.workplace || undefined,
            note: v.note || undefined,
          },
        });
        message.success(`已登记：${v.name}`);
        onSaved(r.id);
      }}
    >
      <Form.Item
        name="name"
        label="姓名"
        rules={[{ required: true, min: 2, max: 20, message: '请填写 2–20 个字的姓名' }]}
      >
        <Input maxLength={20} />
      </Form.Item>
      <ContactFields idNumber={createInstructor.body.shape.idNumber} phone={createInstructor.body.shape.phone} />
      <Form.Item name="source" label="来源" rules={[{ required: true, message: '请选择指导员来源' }]}>
        <Select options={toOptions(SOURCE_LABEL)} />
      </Form.Item>
      <Form.Item
        name="placeCode"
        label="所在县（区）或基层所"
        rules={[{ required: true, message: '请选择所在县（区）或基层所' }]}
      >
        <JurisdictionPicker
          root={me!.jurisdiction.code}
          accept={['city', 'county', 'station']}
          placeholder="选择县（区）或基层所"
        />
      </Form.Item>
      <Form.Item name="workplace" label="工作单位 / 职务">
        <Input maxLength={60} />
      </Form.Item>
      <Form.Item name="note" label="备注">
        <Input.TextArea maxLength={500} rows={2} />
      </Form.Item>
    </FormModal>
  );
}
