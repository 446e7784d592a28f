import { Tabs } from 'antd';
import { PageTitle } from '../Layout';
import { Training } from './education/Training';
import { Campaigns } from './education/Campaigns';

export default function Education() {
  return (
    <div>
      <PageTitle title="学习教育与书记培训" />
      <Tabs
        items={[
          { key: 'training', label: '书记培训', children: <Training /> },
          { key: 'campaigns', label: '学习教育', children: <Campaigns /> },
        ]}
      />
    </div>
  );
}
