import { useCallback, useState } from 'react';
import { App, Badge, Button, Card, DatePicker, Form, Input, Radio, Select, Space, Tabs, Tag } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useSearchParams } from 'react-router-dom';
import type { BodyOf, ItemOf } from '@server/http/contract';
import { createOrg, exportOrgs, listOrgs, termReminders } from '@server/features/orgs/contract';
import { call, withQuery } from '../api';
import { useAuth } from '../auth';
import { PageTitle } from '../Layout';
import { ListOrCards, ListTable } from '../components/ListOrCards';
import { usePaged } from '../components/usePaged';
import { useLoad } from '../components/Loading';
import { JurisdictionPicker } from '../components/JurisdictionPicker';
import { SearchSelect } from '../components/SearchSelect';
import { FormModal } from '../components/FormModal';
import { isFuture, toOptions, ymd } from '../components/format';
import { BODY_LABEL, ORG_KIND_LABEL, ORG_STATUS_LABEL, SETUP_MODE_LABEL } from '../components/labels';
import { OrgStatusTag, TermTag } from '../components/OrgTags';
import { OrgDrawer, type OrgRow } from './OrgDrawer';
import type { EntityRow } from './Entities';
import { useAddressFilters, useOpenParam } from '../components/hooks';
import { DownloadButton } from '../components/DownloadButton';

type Reminder = ItemOf<typeof termReminders>;

export default function Orgs() {
  const { me, can } = useAuth();
  const [open, setOpen] = useOpenParam();
  const [params, setParams] = useSearchParams();
  // A figure clicked elsewhere (数据看板) opens the list filtered: the filters start from the address.
  const { f, set } = useAddressFilters(['under', 'body', 'kind', 'setupMode', 'status', 'lapsed']);
  const list = usePaged(listOrgs, f);
  const [creating, setCreating] = useState(false);
  const reminders = useLoad(useCallback(() => call(termReminders).then((r) => r.items), []));
  const { reload } = list;
  const { reload: loadReminders } = reminders;
  const changed = useCallback(() => {
    void reload();
    void loadReminders();
  }, [reload, loadReminders]);

  return (
    <div>
      <PageTitle
        title="党组织"
        extra={
          <Space wrap>
            <DownloadButton href={withQuery(`/api/v1${exportOrgs.path}`, f)}>导出 Excel</DownloadButton>
            {can('data.write') && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
                新建组织
              </Button>
            )}
          </Space>
        }
      />
      <Tabs
        // The 工作台's 换届提醒 lands on its tab (?tab=terms), not on the whole list.
        activeKey={params.get('tab') === 'terms' ? 'terms' : 'list'}
        onChange={(k) =>
          setParams((p) => {
            const n = new URLSearchParams(p);
            if (k === 'terms') n.set('tab', k);
            else n.delete('tab');
            return n;
          })
        }
        items={[
          {
            key: 'list',
            label: '组织台账',
            children: (
              <Card size="small">
                <Space wrap style={{ marginBottom: 12 }}>
                  <Input.Search placeholder="组织名称" allowClear onSearch={set('q')} style={{ width: 200 }} />
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
                    placeholder="党组织/团组织"
                    style={{ width: 130 }}
                    defaultValue={f.body}
                    onChange={set('body')}
                    options={toOptions(BODY_LABEL)}
                  />
                  <Select
                    allowClear
                    placeholder="组织类型"
                    style={{ width: 120 }}
                    defaultValue={f.kind}
                    onChange={set('kind')}
                    options={toOptions(ORG_KIND_LABEL)}
                  />
                  <Select
                    allowClear
                    placeholder="建立方式"
                    style={{ width: 200 }}
                    popupMatchSelectWidth={false}
                    defaultValue={f.setupMode}
                    onChange={set('setupMode')}
                    options={toOptions(SETUP_MODE_LABEL)}
                  />
                  <Select
                    allowClear
                    placeholder="状态"
                    style={{ width: 100 }}
                    defaultValue={f.status}
                    onChange={set('status')}
                    options={toOptions(ORG_STATUS_LABEL)}
                  />
                  {f.lapsed && (
                    // The 工作台's 待办 lands here: 单独建 organizations whose entities no longer operate in the county.
                    <Tag closable color="orange" onClose={() => set('lapsed')(undefined)}>
                      所在主体已注销、吊销或迁出本县的单独建组织
                    </Tag>
                  )}
                </Space>
                <ListOrCards<OrgRow>
                  error={list.error}
                  onRetry={list.reload}
                  rowKey="id"
                  size="middle"
                  loading={list.loading}
                  dataSource={list.items}
                  pagination={list.pagination}
                  scroll={{ x: 1160 }}
                  onOpen={(o) => setOpen(o.id)}
                  card={(o) => ({
                    title: o.name,
                    status: (
                      <Space size={4}>
                        <OrgStatusTag status={o.status} />
                        {o.body === 'league' && <Tag color="blue">团组织</Tag>}
                      </Space>
                    ),
                    due: o.termEnd ? { label: '届满日期', value: o.termEnd } : undefined,
                    lines: [
                      [o.kindLabel, o.setupModeLabel].filter(Boolean).join(' · '),
                      `${o.countyName}${o.stationName ? ` / ${o.stationName}` : ''}`,
                      `覆盖单位 ${o.units} · 登记党员 ${o.memberCount} · 书记 ${o.secretary ?? '未配备'}`,
                    ],
                  })}
                  locale={{
                    emptyText: can('data.write')
                      ? '没有符合条件的组织。可点击"新建组织"登记，或在"组建建议"中采纳系统建议。'
                      : '没有符合条件的组织。',
                  }}
                  columns={[
                    {
                      title: '名称 / 状态',
                      dataIndex: 'name',
                      width: 280,
                      fixed: 'left',
                      render: (n: string, o) => (
                        <Space size={4} wrap>
                          {n}
                          <OrgStatusTag status={o.status} />
                          {o.body === 'league' && <Tag color="blue">团组织</Tag>}
                        </Space>
                      ),
                    },
                    { title: '组织类型', dataIndex: 'kindLabel', width: 90 },
                    { title: '建立方式', dataIndex: 'setupModeLabel', width: 150 },
                    { title: '成立日期', dataIndex: 'foundedOn', width: 105, render: (v) => v ?? '—' },
                    {
                      title: '县区 / 基层所',
                      key: 'place',
                      width: 190,
                      render: (_, o) => `${o.countyName}${o.stationName ? ` / ${o.stationName}` : ''}`,
                    },
                    { title: '覆盖单位', dataIndex: 'units', width: 80, align: 'right' },
                    { title: '登记党员', dataIndex: 'memberCount', width: 80, align: 'right' },
                    {
                      title: '书记',
                      dataIndex: 'secretary',
                      width: 80,
                      render: (v) => v ?? <span style={{ color: '#bbb' }}>未配备</span>,
                    },
                    { title: '届满日期', dataIndex: 'termEnd', width: 105, render: (v) => v ?? '—' },
                  ]}
                />
              </Card>
            ),
          },
          {
            key: 'terms',
            label: (
              <Badge count={reminders.data?.length ?? 0} size="small" offset={[8, -2]}>
                换届提醒
              </Badge>
            ),
            children: (
              <Card size="small">
                <ListTable<Reminder>
                  error={reminders.error}
                  onRetry={reminders.reload}
                  rowKey="id"
                  size="middle"
                  loading={reminders.loading}
                  dataSource={reminders.data ?? []}
                  pagination={false}
                  scroll={{ x: 480 }}
                  onRow={(o) => ({ onClick: () => setOpen(o.id), style: { cursor: 'pointer' } })}
                  locale={{ emptyText: '近 6 个月内没有需要换届的组织' }}
                  columns={[
                    { title: '组织', dataIndex: 'name' },
                    { title: '班子届满日期', dataIndex: 'termEnd', width: 130 },
                    { title: '', dataIndex: 'due', width: 100, render: (d: Reminder['due']) => <TermTag due={d} /> },
                  ]}
                />
              </Card>
            ),
          },
        ]}
      />
      {open && <OrgDrawer id={open} onClose={() => setOpen(null)} onChanged={changed} />}
      {creating && (
        <OrgForm
          root={me!.jurisdiction.code}
          level={me!.jurisdiction.level}
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

type NewOrg = Omit<BodyOf<typeof createOrg>, 'foundedOn'> & { foundedOn?: dayjs.Dayjs };

function OrgForm({
  root,
  level,
  onClose,
  onSaved,
}: {
  root: string;
  level: string;
  onClose: () => void;
  onSaved: (id: number) => void;
}) {
  const { message } = App.useApp();
  const submit = async (v: NewOrg) => {
    const r = await call(createOrg, {
      body: {
        body: v.body,
        name: v.name,
        kind: v.kind,
        setupMode: v.setupMode,
        placeCode: v.placeCode,
        status: v.status,
        affiliatedTo: v.affiliatedTo || undefined,
        foundedOn: ymd(v.foundedOn),
        note: v.note || undefined,
        entityIds: v.entityIds?.length ? v.entityIds : undefined,
      },
    });
    message.success(`已登记：${v.name}`);
    onSaved(r.id);
  };
  return (
    <FormModal<NewOrg>
      title="新建组织"
      okText="保存"
      onClose={onClose}
      onSubmit={submit}
      initialValues={{
        body: 'party',
        status: 'preparing',
        placeCode: ['county', 'station'].includes(level) ? root : undefined,
      }}
    >
      <Form.Item name="body" label="类别">
        <Radio.Group optionType="button" options={toOptions(BODY_LABEL)} />
      </Form.Item>
      <Form.Item
        name="name"
        label="名称"
        rules={[{ required: true, min: 2, max: 60, message: '请输入 2–60 个字的名称' }]}
      >
        <Input placeholder="如 某某大厦联合党支部" />
      </Form.Item>
      <Form.Item name="kind" label="组织类型" rules={[{ required: true, message: '请选择组织类型' }]}>
        <Select options={toOptions(ORG_KIND_LABEL)} />
      </Form.Item>
      <Form.Item
        name="setupMode"
        label="建立方式"
        extra="流动党员党支部须经县级以上党委批准，请在“新业态新就业群体”页成立。"
        rules={[{ required: true, message: '请选择建立方式' }]}
      >
        <Select options={toOptions(SETUP_MODE_LABEL).filter((o) => o.value !== 'mobile')} />
      </Form.Item>
      <Form.Item noStyle dependencies={['setupMode']}>
        {({ getFieldValue }) =>
          getFieldValue('setupMode') === 'affiliated' && (
            <Form.Item
              name="affiliatedTo"
              label="挂靠的党组织"
              rules={[{ required: true, message: '请填写挂靠的党组织' }]}
            >
              <Input maxLength={60} placeholder="如 某某街道某某社区党委" />
            </Form.Item>
          )
        }
      </Form.Item>
      <Form.Item
        name="placeCode"
        label="所属县（区）或基层所"
        rules={[{ required: true, message: '请选择所属县（区）或基层所' }]}
      >
        <JurisdictionPicker root={root} accept={['city', 'county', 'station']} placeholder="选择县（区）或基层所" />
      </Form.Item>
      <Form.Item noStyle dependencies={['placeCode']}>
        {({ getFieldValue }) => (
          <Form.Item name="entityIds" label="覆盖的市场主体（可稍后添加）">
            <SearchSelect<EntityRow>
              mode="multiple"
              path="/entities"
              query={{ under: getFieldValue('placeCode') }}
              placeholder="输入名称查找"
              toOption={(e) => ({ value: e.id, label: `${e.name}${e.stationName ? ` · ${e.stationName}` : ''}` })}
            />
          </Form.Item>
        )}
      </Form.Item>
      <Form.Item name="status" label="状态">
        <Radio.Group
          options={[
            { value: 'preparing', label: '筹建' },
            { value: 'established', label: '已建' },
          ]}
        />
      </Form.Item>
      <Form.Item noStyle dependencies={['status']}>
        {({ getFieldValue }) =>
          getFieldValue('status') === 'established' && (
            <Form.Item
              name="foundedOn"
              label="成立日期"
              rules={[{ required: true, message: '已建组织须填写成立日期' }]}
            >
              <DatePicker disabledDate={isFuture} />
            </Form.Item>
          )
        }
      </Form.Item>
      <Form.Item name="note" label="备注">
        <Input.TextArea rows={2} maxLength={500} />
      </Form.Item>
    </FormModal>
  );
}
