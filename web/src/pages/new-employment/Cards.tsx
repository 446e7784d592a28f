import { useState } from 'react';
import { App, Button, Card, DatePicker, Form, Input, Select, Space, Tag } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { call, withQuery } from '../../api';
import {
  createCard,
  exportCards,
  listCards,
  listRiderOrgs,
  updateCard,
  type CardRow,
  type RiderOrgRow,
} from '@server/features/platforms/contract';
import type { BodyOf } from '@server/http/contract';
import { useAuth } from '../../auth';
import { usePaged } from '../../components/usePaged';
import { applyProblem } from '../../components/problem';
import { JurisdictionPicker } from '../../components/JurisdictionPicker';
import { FormModal } from '../../components/FormModal';
import { SearchSelect } from '../../components/SearchSelect';
import { listMembers } from '@server/features/members/contract';
import { isFuture, toOptions, ymd, today } from '../../components/format';
import { CARD_STATE_LABEL } from '../../components/labels';
import { useFilters } from '../../components/hooks';
import { ListTable } from '../../components/ListOrCards';
import { DownloadButton } from '../../components/DownloadButton';

/** A card's state as a tag colour (the label is the domain's). */
const CARD_COLOUR: Record<CardRow['state'], string | undefined> = {
  expiring: 'orange',
  expired: 'red',
  valid: 'green',
  returned: undefined,
};

export function Cards() {
  const { me, can } = useAuth();
  const { message } = App.useApp();
  const { f, set } = useFilters({ state: 'expiring' });
  const list = usePaged(listCards, f);
  const [creating, setCreating] = useState(false);
  const [renewing, setRenewing] = useState<CardRow | null>(null);
  const act = (c: CardRow, body: BodyOf<typeof updateCard>, text: string) =>
    call(updateCard, { params: { id: c.id }, body }).then(() => {
      message.success(text);
      setRenewing(null);
      void list.reload();
    });
  return (
    <Card size="small">
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search placeholder="党员姓名" allowClear onSearch={set('q')} style={{ width: 160 }} />
        <div style={{ width: 200 }}>
          <JurisdictionPicker root={me!.jurisdiction.code} value={f.under} onChange={set('under')} placeholder="辖区" />
        </div>
        <Select
          allowClear
          placeholder="状态"
          defaultValue="expiring"
          style={{ width: 130 }}
          onChange={set('state')}
          options={toOptions(CARD_STATE_LABEL)}
        />
        <DownloadButton href={withQuery(`/api/v1${exportCards.path}`, f)}>导出 Excel</DownloadButton>
        {can('data.write') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            登记活动证
          </Button>
        )}
      </Space>
      <ListTable<CardRow>
        error={list.error}
        onRetry={list.reload}
        rowKey="id"
        size="middle"
        loading={list.loading}
        dataSource={list.items}
        pagination={list.pagination}
        scroll={{ x: 1000 }}
        locale={{
          emptyText: f.state === 'expiring' ? '近 30 天内没有到期的流动党员活动证。' : '没有符合条件的流动党员活动证。',
        }}
        columns={[
          { title: '党员', dataIndex: 'memberName', width: 100 },
          { title: '流动党员党支部', dataIndex: 'orgName', width: 220 },
          { title: '编号', dataIndex: 'cardNo', width: 120 },
          { title: '发证党组织', dataIndex: 'issuedBy', width: 200 },
          { title: '发证 — 有效期至', key: 'p', width: 200, render: (_, c) => `${c.issuedOn} — ${c.expiresOn}` },
          {
            title: '状态',
            dataIndex: 'stateLabel',
            width: 100,
            render: (v: string, c) => <Tag color={CARD_COLOUR[c.state]}>{v}</Tag>,
          },
          ...(can('data.write')
            ? [
                {
                  title: '操作',
                  key: 'a',
                  width: 140,
                  render: (_: unknown, c: CardRow) =>
                    !c.returnedOn && (
                      <Space>
                        <a onClick={() => setRenewing(c)}>续期</a>
                        <a
                          onClick={() =>
                            void act(c, { returnedOn: today().format('YYYY-MM-DD') }, '已登记交回').catch((e) =>
                              message.error(applyProblem(null, e)),
                            )
                          }
                        >
                          交回
                        </a>
                      </Space>
                    ),
                },
              ]
            : []),
        ]}
      />
      {creating && (
        <FormModal<{
          memberId: number;
          orgId: number;
          cardNo: string;
          issuedBy: string;
          issuedOn: dayjs.Dayjs;
          expiresOn: dayjs.Dayjs;
        }>
          title="登记流动党员活动证"
          okText="保存"
          onClose={() => setCreating(false)}
          onSubmit={async (v) => {
            await call(createCard, { body: { ...v, issuedOn: ymd(v.issuedOn)!, expiresOn: ymd(v.expiresOn)! } });
            message.success('已登记');
            setCreating(false);
            void list.reload();
          }}
        >
          <Form.Item name="memberId" label="党员（名册中）" rules={[{ required: true, message: '请选择党员' }]}>
            <SearchSelect
              list={listMembers}
              placeholder="输入姓名查找"
              toOption={(m) => ({ value: m.id, label: m.name })}
            />
          </Form.Item>
          <Form.Item
            name="orgId"
            label="参加组织生活的流动党员党支部"
            rules={[{ required: true, message: '请选择流动党员党支部' }]}
          >
            <SearchSelect<RiderOrgRow>
              path={listRiderOrgs.path}
              query={{ type: 'mobile' }}
              placeholder="输入名称查找"
              toOption={(o) => ({ value: o.id, label: o.name })}
            />
          </Form.Item>
          <Space wrap align="start">
            <Form.Item name="cardNo" label="活动证编号" rules={[{ required: true, message: '请填写编号' }]}>
              <Input maxLength={40} />
            </Form.Item>
            <Form.Item
              name="issuedBy"
              label="发证党组织（流出地）"
              rules={[{ required: true, min: 2, message: '请填写发证党组织' }]}
            >
              <Input maxLength={60} style={{ width: 260 }} />
            </Form.Item>
          </Space>
          <Space wrap align="start">
            <Form.Item name="issuedOn" label="发证日期" rules={[{ required: true, message: '请选择发证日期' }]}>
              <DatePicker disabledDate={isFuture} />
            </Form.Item>
            <Form.Item name="expiresOn" label="有效期至" rules={[{ required: true, message: '请选择有效期' }]}>
              <DatePicker />
            </Form.Item>
          </Space>
        </FormModal>
      )}
      {renewing && (
        <FormModal<{ expiresOn: dayjs.Dayjs }>
          title={`活动证续期：${renewing.memberName}`}
          okText="续期"
          onClose={() => setRenewing(null)}
          initialValues={{ expiresOn: dayjs(renewing.expiresOn).add(1, 'year') }}
          onSubmit={(v) => act(renewing, { expiresOn: ymd(v.expiresOn) }, '已续期')}
        >
          <Form.Item name="expiresOn" label="新的有效期至" rules={[{ required: true, message: '请选择日期' }]}>
            <DatePicker />
          </Form.Item>
        </FormModal>
      )}
    </Card>
  );
}
