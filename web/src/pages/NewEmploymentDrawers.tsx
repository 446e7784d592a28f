import { useMemo } from 'react';
import {
  Alert,
  App,
  Button,
  DatePicker,
  Descriptions,
  Drawer,
  Empty,
  Form,
  Input,
  InputNumber,
  Radio,
  Space,
  Table,
  Tag,
  Timeline,
} from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import dayjs from 'dayjs';
import { call } from '../api';
import {
  addPartner,
  addRider,
  getPlatform,
  getStation,
  linkOrgUnit,
  recordRiderCount,
  riderLeaves,
  updateStation,
  type PlatformDetail,
  type StationRow,
} from '@server/features/platforms/contract';
import { useAuth } from '../auth';
import { applyProblem } from '../components/problem';
import { drawerSize } from '../components/drawer';
import { FormModal } from '../components/FormModal';
import { SearchSelect } from '../components/SearchSelect';
import { listMembers } from '@server/features/members/contract';
import { listOrgs } from '@server/features/orgs/contract';
import { JurisdictionPicker } from '../components/JurisdictionPicker';
import { Section } from '../components/Section';
import { EChart } from '../components/EChart';
import { isFuture, ymd, when, today } from '../components/format';
import { ORG_STATUS_LABEL, SETUP_MODE_LABEL } from '../components/labels';
import { useRecord } from '../components/hooks';
import { ContactFields } from '../components/ContactFields';
import { Loaded } from '../components/Loading';

type Work = Pick<PlatformDetail, 'orgs' | 'instructors'>;
type History = PlatformDetail['history'];

/** 组织覆盖 / 工作覆盖 as two tags, the sector's two coverages for one platform or station. */
export function CoverageTags({ anyOrg, work }: { anyOrg: boolean; work: boolean }) {
  return (
    <Space size={4}>
      <Tag color={anyOrg ? 'red' : undefined}>{anyOrg ? '有党组织' : '无党组织'}</Tag>
      <Tag color={work ? 'orange' : undefined}>{work ? '已工作覆盖' : '未工作覆盖'}</Tag>
    </Space>
  );
}

const OBJECT: Record<string, string> = {
  platform: '平台企业',
  platform_partner: '合作商',
  delivery_station: '配送站点',
  rider_person: '骑手',
  party_org_unit: '党组织联系',
};
const OP: Record<string, string> = { I: '新增', U: '修改', D: '删除' };

function HistoryList({ history }: { history: History }) {
  if (!history.length) return <Empty description="暂无变更记录" image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  return (
    <Timeline
      items={history.map((h) => ({
        content: `${when(h.at)} ${h.actor}：${OP[h.op]}${OBJECT[h.objectType] ?? h.objectType}`,
      }))}
    />
  );
}

/** The organizations serving a platform or station and the instructors assigned to it: what its coverage rests on. */
function WorkSection({ w, anyOrg, work, onLink }: { w: Work; anyOrg: boolean; work: boolean; onLink?: () => void }) {
  return (
    <Section
      title={
        <Space>
          党组织与指导员 <CoverageTags anyOrg={anyOrg} work={work} />
        </Space>
      }
      extra={
        onLink && (
          <Button size="small" icon={<PlusOutlined />} onClick={onLink}>
            联系党组织
          </Button>
        )
      }
    >
      {w.orgs.length === 0 && w.instructors.length === 0 && (
        <Alert
          type="info"
          title="还没有党组织联系它，也没有指派指导员。可在此联系党组织，或到“党建指导员”页指派指导员。"
        />
      )}
      {w.orgs.map((o) => (
        <div key={o.linkId}>
          <Link to={`/orgs?open=${o.id}`}>{o.name}</Link> <Tag>{SETUP_MODE_LABEL[o.setupMode]}</Tag>
          <Tag>{ORG_STATUS_LABEL[o.status]}</Tag>
        </div>
      ))}
      {w.instructors.map((i) => (
        <div key={i.assignmentId}>
          指导员 <Link to={`/instructors?open=${i.instructorId}`}>{i.name}</Link>（自 {i.startOn}）
        </div>
      ))}
    </Section>
  );
}

function LinkOrgForm({
  target,
  onClose,
  onSaved,
}: {
  target: { platformId?: number; deliveryStationId?: number };
  onClose: () => void;
  onSaved: () => void;
}) {
  return (
    <FormModal<{ orgId: number }>
      title="联系党组织（计入组织覆盖）"
      okText="联系"
      onClose={onClose}
      onSubmit={async (v) => {
        await call(linkOrgUnit, { params: { id: v.orgId }, body: target });
        onSaved();
      }}
    >
      <Form.Item name="orgId" label="党组织" rules={[{ required: true, message: '请选择党组织' }]}>
        <SearchSelect
          list={listOrgs}
          query={{ body: 'party' }}
          placeholder="输入名称查找"
          toOption={(o) => ({ value: o.id, label: `${o.name} · ${o.statusLabel}` })}
        />
      </Form.Item>
    </FormModal>
  );
}

type PlatformActing = 'partner' | 'link';

export function PlatformDrawer({
  id,
  onClose,
  onChanged,
  onStation,
}: {
  id: number;
  onClose: () => void;
  onChanged: () => void;
  onStation: (id: number) => void;
}) {
  const { me, can } = useAuth();
  const { d, error, acting, setActing, done } = useRecord<typeof getPlatform, PlatformActing>(
    getPlatform,
    { id },
    onChanged,
  );
  const write = can('data.write');
  return (
    <Drawer open size={drawerSize()} onClose={onClose} title={d ? `${d.name}（${d.businessLabel}）` : '平台企业'}>
      <Loaded data={d} error={error}>
        {(d) => (
          <>
            <Descriptions
              size="small"
              column={2}
              items={[
                { label: '登记单位', children: d.registeredBy },
                { label: '状态', children: d.statusLabel },
                {
                  label: '对应市场主体',
                  children: d.entityId ? <Link to={`/entities/${d.entityId}`}>{d.entityName}</Link> : '—',
                },
                { label: '总部所在地', children: d.headquarters ?? '—' },
                { label: '运营站点 / 骑手', children: `${d.stations} 个 / ${d.riders} 人` },
                { label: '党员骑手', children: d.memberRiders },
              ]}
            />
            {!d.mine && (
              <Alert
                type="info"
                style={{ marginTop: 12 }}
                title={`该平台由${d.registeredBy}登记；本级可登记其在本地的合作商和配送站点。`}
              />
            )}
            <Section
              title={`合作商（${d.partnerList.length}）`}
              extra={
                write && (
                  <Button size="small" icon={<PlusOutlined />} onClick={() => setActing('partner')}>
                    登记合作商
                  </Button>
                )
              }
            >
              <Table
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={d.partnerList}
                locale={{ emptyText: '本辖区还没有登记该平台的合作商。' }}
                columns={[
                  { title: '合作商', dataIndex: 'name' },
                  { title: '县区', dataIndex: 'countyName' },
                  { title: '联系人', dataIndex: 'contactName', render: (v) => v ?? '—' },
                  { title: '运营站点', dataIndex: 'stations', align: 'right' },
                ]}
              />
            </Section>
            <Section title={`配送站点（${d.stationList.length}）`}>
              <Table<StationRow>
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={d.stationList}
                locale={{ emptyText: '本辖区还没有该平台的配送站点。' }}
                onRow={(s) => ({ onClick: () => onStation(s.id), style: { cursor: 'pointer' } })}
                columns={[
                  { title: '站点', dataIndex: 'name' },
                  { title: '县区', dataIndex: 'countyName' },
                  { title: '骑手', dataIndex: 'riders', align: 'right', render: (v) => v ?? '—' },
                  { title: '覆盖', key: 'c', render: (_, s) => <CoverageTags anyOrg={s.anyOrg} work={s.work} /> },
                ]}
              />
            </Section>
            <WorkSection w={d} anyOrg={d.anyOrg} work={d.work} onLink={write ? () => setActing('link') : undefined} />
            <Section title="变更记录">
              <HistoryList history={d.history} />
            </Section>
            {acting === 'partner' && (
              <FormModal<{ name: string; placeCode: string; contactName?: string }>
                title={`登记合作商：${d.name}`}
                okText="保存"
                onClose={() => setActing(null)}
                initialValues={{
                  placeCode: ['county', 'station'].includes(me!.jurisdiction.level) ? me!.jurisdiction.code : undefined,
                }}
                onSubmit={async (v) => {
                  await call(addPartner, {
                    params: { id: d.id },
                    body: { ...v, contactName: v.contactName || undefined },
                  });
                  done(`已登记：${v.name}`);
                }}
              >
                <Form.Item name="name" label="合作商名称" rules={[{ required: true, min: 2, message: '请填写名称' }]}>
                  <Input maxLength={60} />
                </Form.Item>
                <Form.Item
                  name="placeCode"
                  label="所在县（区）或基层所"
                  rules={[{ required: true, message: '请选择所在县（区）或基层所' }]}
                >
                  <JurisdictionPicker root={me!.jurisdiction.code} accept={['city', 'county', 'station']} />
                </Form.Item>
                <Form.Item name="contactName" label="联系人">
                  <Input maxLength={20} />
                </Form.Item>
              </FormModal>
            )}
            {acting === 'link' && (
              <LinkOrgForm
                target={{ platformId: d.id }}
                onClose={() => setActing(null)}
                onSaved={() => done('已联系党组织')}
              />
            )}
          </>
        )}
      </Loaded>
    </Drawer>
  );
}

type StationActing = 'count' | 'rider' | 'link' | 'close';

export function StationDrawer({ id, onClose, onChanged }: { id: number; onClose: () => void; onChanged: () => void }) {
  const { can } = useAuth();
  const { message } = App.useApp();
  const { d, error, acting, setActing, done } = useRecord<typeof getStation, StationActing>(
    getStation,
    { id },
    onChanged,
  );
  const write = can('data.write');
  const chart = useMemo(
    () => ({
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: d?.counts.map((c) => c.asOf) ?? [] },
      yAxis: { type: 'value', minInterval: 1 },
      // Each count is shown as a point with its number: a station often has only a few counts.
      animation: false,
      series: [
        {
          name: '骑手数',
          type: 'line',
          step: 'end',
          symbolSize: 8,
          label: { show: true },
          data: d?.counts.map((c) => c.riders) ?? [],
        },
      ],
    }),
    [d],
  );
  const leave = (riderId: number) =>
    call(riderLeaves, { params: { id, key: riderId }, body: {} }).then(
      () => done('已登记离开'),
      (e) => message.error(applyProblem(null, e)),
    );
  return (
    <Drawer
      open
      size={drawerSize()}
      onClose={onClose}
      title={d ? `${d.name}（${d.platformName}）` : '配送站点'}
      footer={
        d &&
        write &&
        d.status === 'open' && (
          <Button danger onClick={() => setActing('close')}>
            关闭站点
          </Button>
        )
      }
    >
      <Loaded data={d} error={error}>
        {(d) => (
          <>
            <Descriptions
              size="small"
              column={2}
              items={[
                { label: '平台', children: d.platformName },
                { label: '合作商', children: d.partnerName ?? '—' },
                { label: '县区 / 基层所', children: `${d.countyName}${d.stationName ? ` / ${d.stationName}` : ''}` },
                {
                  label: '状态',
                  children: d.status === 'closed' ? `${d.statusLabel}（${d.closedOn}）` : d.statusLabel,
                },
                { label: '地址', children: d.address ?? '—' },
                { label: '开设日期', children: d.openedOn ?? '—' },
              ]}
            />
            <Section
              title={`骑手数${d.riders === null ? '' : `：${d.riders} 人（${d.ridersAsOf}）`}`}
              extra={
                write && (
                  <Button size="small" icon={<PlusOutlined />} onClick={() => setActing('count')}>
                    登记骑手数
                  </Button>
                )
              }
            >
              {d.counts.length ? (
                <EChart option={chart} height={180} />
              ) : (
                <Alert type="info" title="还没有统计骑手数。骑手只计人数，不需要登记个人信息。" />
              )}
            </Section>
            <Section
              title={`党员和入党积极分子骑手（${d.riderPeople.filter((p) => !p.leftOn).length}）`}
              extra={
                write && (
                  <Button size="small" icon={<PlusOutlined />} onClick={() => setActing('rider')}>
                    登记
                  </Button>
                )
              }
            >
              <Table
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={d.riderPeople}
                locale={{ emptyText: '还没有登记党员或入党积极分子骑手。' }}
                columns={[
                  { title: '姓名', dataIndex: 'name' },
                  { title: '身份', dataIndex: 'roleLabel' },
                  { title: '身份证号', dataIndex: 'idNumber', render: (v) => v ?? '—' },
                  { title: '手机号', dataIndex: 'phone', render: (v) => v ?? '—' },
                  { title: '自', dataIndex: 'since' },
                  {
                    title: '',
                    key: 'a',
                    render: (_, p) =>
                      p.leftOn ? (
                        <Tag>已于 {p.leftOn} 离开</Tag>
                      ) : (
                        write && <a onClick={() => void leave(p.id)}>离开站点</a>
                      ),
                  },
                ]}
              />
            </Section>
            <WorkSection w={d} anyOrg={d.anyOrg} work={d.work} onLink={write ? () => setActing('link') : undefined} />
            <Section title="变更记录">
              <HistoryList history={d.history} />
            </Section>
            {acting === 'count' && (
              <FormModal<{ asOf: dayjs.Dayjs; riders: number }>
                title="登记骑手数（同一日期再登记即更正）"
                okText="保存"
                onClose={() => setActing(null)}
                initialValues={{ asOf: today() }}
                onSubmit={async (v) => {
                  await call(recordRiderCount, { params: { id }, body: { asOf: ymd(v.asOf)!, riders: v.riders } });
                  done('已登记骑手数');
                }}
              >
                <Space wrap align="start">
                  <Form.Item name="asOf" label="统计日期" rules={[{ required: true, message: '请选择日期' }]}>
                    <DatePicker disabledDate={isFuture} />
                  </Form.Item>
                  <Form.Item name="riders" label="骑手人数" rules={[{ required: true, message: '请填写人数' }]}>
                    <InputNumber min={0} precision={0} />
                  </Form.Item>
                </Space>
              </FormModal>
            )}
            {acting === 'rider' && (
              <FormModal<{
                role: 'member' | 'activist';
                memberId?: number;
                name?: string;
                idNumber?: string;
                phone?: string;
                since: dayjs.Dayjs;
              }>
                title="登记党员或入党积极分子骑手"
                okText="保存"
                onClose={() => setActing(null)}
                initialValues={{ role: 'member', since: today() }}
                onSubmit={async (v) => {
                  await call(addRider, {
                    params: { id },
                    body: {
                      role: v.role,
                      memberId: v.memberId,
                      name: v.memberId ? undefined : v.name,
                      idNumber: v.memberId ? undefined : v.idNumber || undefined,
                      phone: v.memberId ? undefined : v.phone || undefined,
                      since: ymd(v.since),
                    },
                  });
                  done('已登记');
                }}
              >
                <Form.Item name="role" label="身份">
                  <Radio.Group
                    options={[
                      { value: 'member', label: '党员' },
                      { value: 'activist', label: '入党积极分子' },
                    ]}
                  />
                </Form.Item>
                <Form.Item name="memberId" label="从党员名册中选择（党员骑手优先选名册）">
                  <SearchSelect
                    list={listMembers}
                    placeholder="输入姓名查找"
                    toOption={(m) => ({ value: m.id, label: m.name })}
                  />
                </Form.Item>
                <Form.Item name="name" label="或填写姓名">
                  <Input maxLength={20} />
                </Form.Item>
                <ContactFields idNumber={addRider.body.shape.idNumber} phone={addRider.body.shape.phone} />
                <Form.Item name="since" label="在站日期自">
                  <DatePicker disabledDate={isFuture} />
                </Form.Item>
              </FormModal>
            )}
            {acting === 'link' && (
              <LinkOrgForm
                target={{ deliveryStationId: d.id }}
                onClose={() => setActing(null)}
                onSaved={() => done('已联系党组织')}
              />
            )}
            {acting === 'close' && (
              <FormModal<{ closedOn: dayjs.Dayjs }>
                title={`关闭站点：${d.name}`}
                okText="关闭"
                danger
                onClose={() => setActing(null)}
                initialValues={{ closedOn: today() }}
                onSubmit={async (v) => {
                  await call(updateStation, { params: { id }, body: { status: 'closed', closedOn: ymd(v.closedOn) } });
                  done('站点已关闭');
                }}
              >
                <Form.Item name="closedOn" label="关闭日期" rules={[{ required: true, message: '请选择日期' }]}>
                  <DatePicker disabledDate={isFuture} />
                </Form.Item>
              </FormModal>
            )}
          </>
        )}
      </Loaded>
    </Drawer>
  );
}
