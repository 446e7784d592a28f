import { useState } from 'react';
import {
  App,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Drawer,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
} from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { call, pathOf, withQuery } from '../../api';
import type { BodyOf } from '@server/http/contract';
import {
  addCampaignOrg,
  cancelCampaign,
  createCampaign,
  getCampaign,
  listCampaigns,
  recordActivity,
  removeCampaignOrg,
  type CampaignRow,
} from '@server/features/recognition/contract';
import type { OrgRow } from '@server/features/orgs/contract';
import { useAuth } from '../../auth';
import { usePaged } from '../../components/usePaged';
import { applyProblem } from '../../components/problem';
import { JurisdictionPicker } from '../../components/JurisdictionPicker';
import { SearchSelect } from '../../components/SearchSelect';
import { FormModal } from '../../components/FormModal';
import { drawerSize } from '../../components/drawer';
import { useDictionary } from '../../components/useDictionary';
import { ymd } from '../../components/format';
import { zodRule } from '../../components/zodRule';
import { useRecord } from '../../components/hooks';
import { CancelledMark, CancelWorkButton } from '../../components/CancelWork';
import { ListTable } from '../../components/ListOrCards';
import { Loaded } from '../../components/Loading';
import { DownloadButton } from '../../components/DownloadButton';

type NewCampaign = Omit<BodyOf<typeof createCampaign>, 'startsOn' | 'endsOn' | 'jurisdictionCode'> & {
  dates: [dayjs.Dayjs, dayjs.Dayjs];
};

type NewActivity = Omit<BodyOf<typeof recordActivity>, 'heldOn'> & { heldOn: dayjs.Dayjs };

const campaignField = createCampaign.body.shape;

const activityField = recordActivity.body.shape;

export function Campaigns() {
  const { me, can } = useAuth();
  const themes = useDictionary('campaign_theme');
  const [f, setF] = useState<Record<string, string | undefined>>({});
  const list = usePaged(listCampaigns, f);
  const [open, setOpen] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  return (
    <Card
      size="small"
      extra={
        <Space>
          <DownloadButton size="small" href={withQuery('/api/v1/campaigns/export', f)}>
            导出 Excel
          </DownloadButton>
          {can('data.write') && (
            <Button size="small" type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
              部署学习教育
            </Button>
          )}
        </Space>
      }
      title="学习教育活动"
    >
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search
          placeholder="名称"
          allowClear
          onSearch={(v) => setF((x) => ({ ...x, q: v || undefined }))}
          style={{ width: 180 }}
        />
        <div style={{ width: 200 }}>
          <JurisdictionPicker
            root={me!.jurisdiction.code}
            value={f.under}
            onChange={(v) => setF((x) => ({ ...x, under: v || undefined }))}
            placeholder="辖区"
          />
        </div>
        <Select
          allowClear
          placeholder="类别"
          style={{ width: 140 }}
          onChange={(v) => setF((x) => ({ ...x, theme: v }))}
          options={themes.entries.map((t) => ({ value: t.code, label: t.label }))}
        />
        <InputNumber
          placeholder="年度"
          min={2000}
          max={2100}
          style={{ width: 100 }}
          onChange={(v) => setF((x) => ({ ...x, year: v ? String(v) : undefined }))}
        />
      </Space>
      <ListTable<CampaignRow>
        error={list.error}
        onRetry={list.reload}
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.items}
        pagination={list.pagination}
        scroll={{ x: 920 }}
        onRow={(c) => ({ onClick: () => setOpen(c.id), style: { cursor: 'pointer' } })}
        locale={{ emptyText: '没有学习教育活动。上级部署的活动会出现在这里，本级也可部署。' }}
        columns={[
          {
            title: '名称',
            dataIndex: 'name',
            width: 220,
            fixed: 'left',
            render: (n: string, c) => (
              <Space size={4} wrap>
                {n}
                {!c.mine && <Tag>上级部署</Tag>}
                {c.cancelled && <Tag>已撤销</Tag>}
              </Space>
            ),
          },
          { title: '类别', dataIndex: 'themeLabel', width: 110 },
          { title: '期间', key: 'p', width: 200, render: (_, c) => `${c.startsOn} 至 ${c.endsOn}` },
          { title: '部署单位', dataIndex: 'organizer', width: 110 },
          { title: '参加组织 / 党员', key: 'o', width: 120, render: (_, c) => `${c.orgs} / ${c.members}` },
          { title: '活动次数 / 人次', key: 'a', width: 120, render: (_, c) => `${c.activities} / ${c.participants}` },
        ]}
      />
      {open && <CampaignDrawer id={open} onClose={() => setOpen(null)} onChanged={() => void list.reload()} />}
      {creating && (
        <FormModal<NewCampaign>
          title="部署学习教育活动"
          onClose={() => setCreating(false)}
          onSubmit={async (v) => {
            await call(createCampaign, {
              body: {
                name: v.name,
                theme: v.theme,
                startsOn: ymd(v.dates[0])!,
                endsOn: ymd(v.dates[1])!,
                description: v.description || undefined,
              },
            });
            setCreating(false);
            void list.reload();
          }}
        >
          <Form.Item
            name="name"
            label="名称"
            rules={[{ required: true, message: '请输入名称' }, zodRule(campaignField.name)]}
          >
            <Input maxLength={60} />
          </Form.Item>
          <Form.Item name="theme" label="类别" rules={[{ required: true, message: '请选择类别' }]}>
            <Select options={themes.entries.map((t) => ({ value: t.code, label: t.label }))} />
          </Form.Item>
          <Form.Item name="dates" label="期间" rules={[{ required: true, message: '请选择起止日期' }]}>
            <DatePicker.RangePicker />
          </Form.Item>
          <Form.Item name="description" label="说明" rules={[zodRule(campaignField.description)]}>
            <Input.TextArea rows={3} maxLength={1000} />
          </Form.Item>
        </FormModal>
      )}
    </Card>
  );
}

function CampaignDrawer({ id, onClose, onChanged }: { id: number; onClose: () => void; onChanged: () => void }) {
  const { can } = useAuth();
  const { message } = App.useApp();
  const { d, error, load, acting, setActing, done } = useRecord<typeof getCampaign, 'org' | 'activity'>(
    getCampaign,
    { id },
    onChanged,
  );
  const write = can('data.write');
  return (
    <Drawer
      open
      size={drawerSize()}
      title={d?.name ?? '学习教育活动'}
      onClose={onClose}
      extra={
        write &&
        d &&
        !d.cancelled && (
          <Space>
            <Button onClick={() => setActing('org')}>登记参加组织</Button>
            <Button type="primary" onClick={() => setActing('activity')}>
              记录活动
            </Button>
          </Space>
        )
      }
    >
      <Loaded data={d} error={error}>
        {(d) => (
          <>
            <Descriptions
              size="small"
              column={1}
              bordered
              items={[
                { label: '类别', children: d.themeLabel },
                { label: '期间', children: `${d.startsOn} 至 ${d.endsOn}` },
                { label: '部署单位', children: d.organizer },
                { label: '说明', children: d.description ?? '—' },
                {
                  label: '本辖区参加',
                  children: `${d.orgs} 个组织、${d.members} 名党员；开展活动 ${d.activities} 次、${d.participants} 人次`,
                },
                {
                  label: '状态',
                  children: d.cancelled ? (
                    <CancelledMark reason={d.cancelReason} />
                  ) : write && d.mine ? (
                    <CancelWorkButton
                      path={pathOf(cancelCampaign, { id })}
                      what="学习教育活动"
                      onDone={() => {
                        void load();
                        onChanged();
                      }}
                    />
                  ) : (
                    '进行中'
                  ),
                },
              ]}
            />
            <h4 style={{ marginTop: 16 }}>参加的党组织</h4>
            <Table
              size="small"
              rowKey="id"
              dataSource={d.orgList}
              pagination={false}
              locale={{ emptyText: '本辖区尚未登记参加的组织' }}
              columns={[
                { title: '党组织', dataIndex: 'name' },
                { title: '参加党员', dataIndex: 'members', width: 90, align: 'right' },
                ...(write
                  ? [
                      {
                        title: '',
                        key: 'x',
                        width: 60,
                        render: (_: unknown, o: { id: number }) => (
                          <Popconfirm
                            title="移出该组织？"
                            onConfirm={() =>
                              call(removeCampaignOrg, { params: { id, key: o.id } }).then(
                                () => done('已移出'),
                                (e) => message.error(applyProblem(null, e)),
                              )
                            }
                          >
                            <a>移出</a>
                          </Popconfirm>
                        ),
                      },
                    ]
                  : []),
              ]}
            />
            <h4 style={{ marginTop: 16 }}>活动记录</h4>
            <Table
              size="small"
              rowKey="id"
              dataSource={d.activityList}
              pagination={false}
              scroll={{ x: 520 }}
              locale={{ emptyText: '尚无活动记录' }}
              columns={[
                { title: '日期', dataIndex: 'heldOn', width: 100 },
                { title: '活动', dataIndex: 'title' },
                { title: '组织', dataIndex: 'org', width: 160, render: (v) => v ?? '—' },
                { title: '人数', dataIndex: 'participants', width: 60, align: 'right' },
                { title: '备注', dataIndex: 'note', width: 160, render: (v) => v ?? '' },
              ]}
            />
          </>
        )}
      </Loaded>
      {acting === 'org' && (
        <FormModal<BodyOf<typeof addCampaignOrg>>
          title="登记参加的党组织"
          onClose={() => setActing(null)}
          onSubmit={async (v) => {
            await call(addCampaignOrg, { params: { id }, body: { orgId: v.orgId, members: v.members ?? undefined } });
            done('已登记');
          }}
        >
          <Form.Item name="orgId" label="党组织" rules={[{ required: true, message: '请选择党组织' }]}>
            <SearchSelect<OrgRow>
              path="/orgs"
              query={{ body: 'party' }}
              toOption={(o) => ({ value: o.id, label: o.name })}
            />
          </Form.Item>
          <Form.Item name="members" label="参加党员数（不填则取该组织登记的党员数）">
            <InputNumber min={0} />
          </Form.Item>
        </FormModal>
      )}
      {acting === 'activity' && d && (
        <FormModal<NewActivity>
          title="记录活动"
          onClose={() => setActing(null)}
          onSubmit={async (v) => {
            await call(recordActivity, {
              params: { id },
              body: {
                heldOn: ymd(v.heldOn)!,
                title: v.title,
                participants: v.participants,
                orgId: v.orgId,
                note: v.note || undefined,
              },
            });
            done('已记录');
          }}
        >
          <Form.Item name="heldOn" label="日期" rules={[{ required: true, message: '请选择日期' }]}>
            <DatePicker disabledDate={(x) => x.isBefore(dayjs(d.startsOn)) || x.isAfter(dayjs(d.endsOn))} />
          </Form.Item>
          <Form.Item
            name="title"
            label="活动名称"
            rules={[{ required: true, message: '请输入活动名称' }, zodRule(activityField.title)]}
          >
            <Input maxLength={80} placeholder="如 专题党课、读书班" />
          </Form.Item>
          <Form.Item name="participants" label="参加人数" rules={[{ required: true, message: '请填写参加人数' }]}>
            <InputNumber min={0} />
          </Form.Item>
          <Form.Item name="orgId" label="组织（可选）">
            <Select
              allowClear
              options={d.orgList.map((o) => ({ value: o.id, label: o.name }))}
              placeholder="参加的党组织"
            />
          </Form.Item>
          <Form.Item name="note" label="备注" rules={[zodRule(activityField.note)]}>
            <Input.TextArea rows={2} maxLength={1000} />
          </Form.Item>
        </FormModal>
      )}
    </Drawer>
  );
}
