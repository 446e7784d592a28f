import { useState } from 'react';
import { Alert, Button, Card, Cascader, Checkbox, Form, Input, Result, Typography } from 'antd';
import type { BodyOf, ResponseOf } from '@server/http/contract';
import { submitSelfReport } from '@server/features/discovery/contract';
import { call } from '../api';
import { useDivisions } from '../components/useDivisions';
import { applyProblem } from '../components/problem';
import { zodRule } from '../components/zodRule';

const field = submitSelfReport.body.shape;
/** The form's fields: the contract's body, with the county picked through the cascader (province, city, county). */
type Values = Omit<BodyOf<typeof submitSelfReport>, 'countyCode'> & { area: string[] };

/** 党员找组织: a member reports, without logging in, that they work in a market entity. */
export default function SelfReport() {
  const [form] = Form.useForm();
  const { options, loadData } = useDivisions();
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<ResponseOf<typeof submitSelfReport> | null>(null);
  const submit = async (v: Values) => {
    setError(null);
    try {
      const body = {
        name: v.name,
        phone: v.phone,
        idNumber: v.idNumber || undefined,
        countyCode: v.area[v.area.length - 1],
        entityName: v.entityName,
        uscc: v.uscc || undefined,
        orgRelation: v.orgRelation || undefined,
        consent: v.consent,
      };
      setDone(await call(submitSelfReport, { body }));
    } catch (e) {
      setError(applyProblem(form, e));
    }
  };
  return (
    <div style={{ minHeight: '100vh', background: '#fff5f5', display: 'flex', justifyContent: 'center', padding: 16 }}>
      <Card style={{ width: 480, maxWidth: '100%' }} title="党员报到 · 党员找组织">
        {done ? (
          <Result status="success" title="报到信息已提交" subTitle={`${done.message} 回执号：${done.receipt}`} />
        ) : (
          <Form form={form} layout="vertical" onFinish={submit}>
            <Typography.Paragraph type="secondary">
              在个体工商户、小微企业、专业市场等工作的党员，可在此向所在地市场监管部门报到，以便参加组织生活、发挥作用。
            </Typography.Paragraph>
            {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
            <Form.Item
              name="name"
              label="姓名"
              rules={[{ required: true, message: '请填写姓名' }, zodRule(field.name)]}
            >
              <Input maxLength={30} />
            </Form.Item>
            <Form.Item
              name="phone"
              label="手机"
              rules={[{ required: true, message: '请填写 11 位手机号' }, zodRule(field.phone)]}
            >
              <Input maxLength={11} inputMode="tel" />
            </Form.Item>
            <Form.Item name="idNumber" label="身份证号（选填，便于核实）" rules={[zodRule(field.idNumber)]}>
              <Input maxLength={18} />
            </Form.Item>
            <Form.Item
              name="area"
              label="工作单位所在县（区）"
              rules={[{ required: true, message: '请选择所在县（区）' }]}
            >
              <Cascader options={options} loadData={loadData} changeOnSelect={false} placeholder="省 / 市 / 县（区）" />
            </Form.Item>
            <Form.Item
              name="entityName"
              label="工作单位名称"
              rules={[{ required: true, message: '请填写工作单位名称' }, zodRule(field.entityName)]}
            >
              <Input maxLength={200} />
            </Form.Item>
            <Form.Item name="uscc" label="统一社会信用代码（选填，见营业执照）" rules={[zodRule(field.uscc)]}>
              <Input maxLength={18} />
            </Form.Item>
            <Form.Item name="orgRelation" label="组织关系目前所在党组织（选填）" rules={[zodRule(field.orgRelation)]}>
              <Input maxLength={200} />
            </Form.Item>
            <Form.Item
              name="consent"
              valuePropName="checked"
              rules={[
                {
                  validator: (_, v) =>
                    field.consent.safeParse(v).success
                      ? Promise.resolve()
                      : Promise.reject(new Error('请阅读并同意告知事项')),
                },
              ]}
            >
              <Checkbox>
                我同意：以上信息仅用于市场监管部门联系核实党员身份、接转组织关系，加密保存，不对外公开。
              </Checkbox>
            </Form.Item>
            <Button type="primary" htmlType="submit" block>
              提交
            </Button>
          </Form>
        )}
      </Card>
    </div>
  );
}
