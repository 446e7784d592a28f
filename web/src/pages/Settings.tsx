import { useEffect, useState } from 'react';
import type { ResponseOf } from '@server/http/contract';
import { Alert, App, Button, Card, Col, Form, InputNumber, Radio, Row, Switch } from 'antd';
import { call } from '../api';
import { getSettings, updateSettings } from '@server/features/settings/contract';
import { SETTING_GROUPS } from '@server/domain/settings/settings';
import { useAuth } from '../auth';
import { PageTitle } from '../Layout';
import { applyProblem } from '../components/problem';
import { CodeLists } from '../components/CodeLists';

type Settings = ResponseOf<typeof getSettings>;
type Group = keyof typeof updateSettings;
type ExitSettings = NonNullable<Settings['exit']>;
const EXIT_CAUSES: [keyof Omit<ExitSettings, 'liftOnRemoval'>, string][] = [
  ['deregistered', '注销'],
  ['revoked', '吊销营业执照'],
  ['abnormal', '列入经营异常名录'],
  ['untrustworthy', '列入严重违法失信名单'],
];
const EXIT_EFFECTS: ['suspendPlaques' | 'flagHonours' | 'flagPoints', string][] = [
  ['suspendPlaques', '牌匾暂停公示'],
  ['flagHonours', '荣誉标记复核'],
  ['flagPoints', '联系点标记复核'],
];

const SECURITY: [string, string][] = [
  ['passwordMinLength', '密码最小长度'],
  ['lockoutThreshold', '连续失败几次锁定（同一账号、同一地址）'],
  ['lockoutMinutes', '首次锁定时长（分钟，再次锁定加倍）'],
  ['sessionIdleMinutes', '空闲超时（分钟）'],
  ['sessionMaxHours', '会话最长时限（小时）'],
  ['maxSessionsPerAccount', '每个账号同时在线会话数'],
];
const CASES: [string, string][] = [
  ['routeDays', '转办时限（天）'],
  ['acceptDays', '签收时限（天）'],
  ['resolveDays', '办结时限（天）'],
  ['reopenDays', '办结后可要求重新办理（天）'],
];
const RULES: [string, string][] = [
  ['standaloneMinFullMembers', '单独建支部的正式党员下限'],
  ['jointBranchMaxUnits', '联合党支部最多覆盖单位数'],
  ['branchMaxMembers', '党支部党员上限（超过设党总支）'],
  ['generalBranchMaxMembers', '党总支党员上限（超过设基层党委）'],
  ['branchCommitteeMinFullMembers', '设支部委员会的正式党员下限'],
  ['branchTermYears', '支部委员会任期（年）'],
  ['termReminderMonths', '换届提前提醒（月）'],
  ['secretaryMinFullYears', '书记至少有几年党龄（正式）'],
];

/** The groups of numbers, each shown when the server gives it (only to the duty that edits it). */
const NUMBER_GROUPS: [Exclude<Group, 'exit'>, string, [string, string][]][] = [
  ['security', '安全策略（安全管理员）', SECURITY],
  ['rules', '组织设置规则（系统管理员）', RULES],
  ['cases', '诉求办理时限（系统管理员；超时逐级督办）', CASES],
];

export default function SettingsPage() {
  const { me, can } = useAuth();
  const [data, setData] = useState<Settings | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void call(getSettings).then(setData, (e) => setError(applyProblem(null, e))), []);
  const top = me!.jurisdiction.level === 'nation';
  return (
    <div>
      <PageTitle title="部署设置" />
      {!top && (
        <Alert
          type="warning"
          showIcon
          title="部署设置作用于整个平台，只能由全国（顶级）辖区的管理员修改；您可以查看。"
          style={{ marginBottom: 16 }}
        />
      )}
      {error && <Alert type="error" title={error} />}
      {data && (
        <Row gutter={16}>
          {NUMBER_GROUPS.map(([group, title, fields]) => {
            const values = data[group];
            return (
              values && (
                <Col key={group} xs={24} lg={12}>
                  <Group
                    title={title}
                    group={group}
                    fields={fields}
                    values={values}
                    editable={top && can(SETTING_GROUPS[group].permission)}
                    extra={group === 'security'}
                  />
                </Col>
              )
            );
          })}
          {data.exit && (
            <Col xs={24} lg={12}>
              <ExitRules values={data.exit} editable={top && can(SETTING_GROUPS.exit.permission)} />
            </Col>
          )}
        </Row>
      )}
      <CodeLists editable={top && can('settings.rules')} />
    </div>
  );
}

function Group({
  title,
  group,
  fields,
  values,
  editable,
  extra,
}: {
  title: string;
  group: Group;
  fields: [string, string][];
  values: NonNullable<Settings[Group]>;
  editable: boolean;
  extra?: boolean;
}) {
  const [form] = Form.useForm();
  const { message } = App.useApp();
  const save = async () => {
    try {
      await call(updateSettings[group], { body: form.getFieldsValue() as NonNullable<Settings[Group]> });
      message.success('设置已保存，并已记入审计日志');
    } catch (e) {
      message.error(applyProblem(form, e));
    }
  };
  return (
    <Card
      title={title}
      style={{ marginBottom: 16 }}
      extra={
        editable && (
          <Button type="primary" onClick={save}>
            保存
          </Button>
        )
      }
    >
      <Form form={form} layout="horizontal" labelCol={{ span: 14 }} initialValues={values} disabled={!editable}>
        {fields.map(([k, label]) => (
          <Form.Item key={k} name={k} label={label}>
            <InputNumber min={0} />
          </Form.Item>
        ))}
        {extra && (
          <Form.Item name="requireTotpForAll" label="所有账号都须动态口令" valuePropName="checked">
            <Switch />
          </Form.Item>
        )}
      </Form>
    </Card>
  );
}

/** 退出机制规则: what each cause does automatically, and whether a removal from a list lifts the suspension at once. */
function ExitRules({ values, editable }: { values: ExitSettings; editable: boolean }) {
  const [form] = Form.useForm();
  const { message } = App.useApp();
  const save = async () => {
    try {
      await call(updateSettings.exit, { body: form.getFieldsValue() as ExitSettings });
      message.success('设置已保存，并已记入审计日志');
    } catch (e) {
      message.error(applyProblem(form, e));
    }
  };
  return (
    <Card
      title="退出机制规则（系统管理员）"
      style={{ marginBottom: 16 }}
      extra={
        editable && (
          <Button type="primary" onClick={save}>
            保存
          </Button>
        )
      }
    >
      <Form form={form} layout="vertical" initialValues={values} disabled={!editable}>
        {EXIT_CAUSES.map(([cause, label]) => (
          <Form.Item key={cause} label={label} style={{ marginBottom: 8 }}>
            <Row gutter={8}>
              {EXIT_EFFECTS.map(([effect, text]) => (
                <Col key={effect} xs={24} sm={8}>
                  <Form.Item name={[cause, effect]} valuePropName="checked" noStyle>
                    <Switch size="small" />
                  </Form.Item>{' '}
                  {text}
                </Col>
              ))}
            </Row>
          </Form.Item>
        ))}
        <Form.Item name="liftOnRemoval" label="移出名单或恢复存续后">
          <Radio.Group
            options={[
              { value: 'confirm', label: '经工作人员确认后恢复公示' },
              { value: 'auto', label: '自动恢复公示' },
            ]}
          />
        </Form.Item>
      </Form>
    </Card>
  );
}
