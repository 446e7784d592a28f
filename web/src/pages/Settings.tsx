import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Col, Form, InputNumber, Row, Switch } from 'antd';
import { get, put } from '../api';
import { useAuth } from '../auth';
import { PageTitle } from '../Layout';
import { applyProblem } from '../components/problem';
import { CodeLists } from '../components/CodeLists';

type Settings = { security: Record<string, number | boolean>; rules: Record<string, number>; cases: Record<string, number> };

const SECURITY: [string, string][] = [
  ['passwordMinLength', '密码最小长度'],
  ['lockoutThreshold', '连续失败几次锁定'],
  ['lockoutMinutes', '锁定时长（分钟）'],
  ['sessionIdleMinutes', '空闲超时（分钟）'],
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

export default function SettingsPage() {
  const { me, can } = useAuth();
  const [data, setData] = useState<Settings | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void get<Settings>('/settings').then(setData, (e) => setError(applyProblem(null, e))), []);
  const top = me!.jurisdiction.level === 'nation';
  return (
    <div>
      <PageTitle title="部署设置" />
      {!top && <Alert type="warning" showIcon title="部署设置作用于整个平台，只能由全国（顶级）辖区的管理员修改；您可以查看。" style={{ marginBottom: 16 }} />}
      {error && <Alert type="error" title={error} />}
      {data && (
        <Row gutter={16}>
          <Col xs={24} lg={12}>
            <Group title="安全策略（安全管理员）" group="security" fields={SECURITY} values={data.security} editable={top && can('settings.security')} extra />
          </Col>
          <Col xs={24} lg={12}>
            <Group title="组织设置规则（系统管理员）" group="rules" fields={RULES} values={data.rules} editable={top && can('settings.rules')} />
          </Col>
          <Col xs={24} lg={12}>
            <Group title="诉求办理时限（系统管理员；超时逐级督办）" group="cases" fields={CASES} values={data.cases} editable={top && can('settings.rules')} />
          </Col>
        </Row>
      )}
      <CodeLists editable={top && can('settings.rules')} />
    </div>
  );
}

function Group({ title, group, fields, values, editable, extra }: { title: string; group: string; fields: [string, string][]; values: Record<string, number | boolean>; editable: boolean; extra?: boolean }) {
  const [form] = Form.useForm();
  const { message } = App.useApp();
  const save = async () => {
    try {
      await put(`/settings/${group}`, form.getFieldsValue());
      message.success('设置已保存，并已记入审计日志');
    } catch (e) {
      message.error(applyProblem(form, e));
    }
  };
  return (
    <Card title={title} style={{ marginBottom: 16 }} extra={editable && <Button type="primary" onClick={save}>保存</Button>}>
      <Form form={form} layout="horizontal" labelCol={{ span: 14 }} initialValues={values} disabled={!editable}>
        {fields.map(([k, label]) => (
          <Form.Item key={k} name={k} label={label}><InputNumber min={0} /></Form.Item>
        ))}
        {extra && <Form.Item name="requireTotpForAll" label="所有账号都须动态口令" valuePropName="checked"><Switch /></Form.Item>}
      </Form>
    </Card>
  );
}
