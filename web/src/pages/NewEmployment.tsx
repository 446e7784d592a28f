import { useState } from 'react';
import { Tabs } from 'antd';
import { useSearchParams } from 'react-router-dom';
import { PageTitle } from '../Layout';
import { PlatformDrawer, StationDrawer } from './NewEmploymentDrawers';
import { Platforms } from './new-employment/Platforms';
import { Stations } from './new-employment/Stations';
import { RiderOrgs } from './new-employment/RiderOrgs';
import { Cards } from './new-employment/Cards';
import { FiguresTab } from './new-employment/Figures';

/** 新业态新就业群体: platforms → partner firms → delivery stations and riders; committees and mobile branches; cards; sector coverage by area. */
export default function NewEmployment() {
  const [params, setParams] = useSearchParams();
  const platform = Number(params.get('platform')) || null;
  const station = Number(params.get('station')) || null;
  const openWith = (key: 'platform' | 'station') => (id: number | null) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      next.delete('platform');
      next.delete('station');
      if (id) next.set(key, String(id));
      return next;
    });
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((v) => v + 1);
  return (
    <div>
      <PageTitle title="新业态新就业群体" />
      <Tabs
        defaultActiveKey={params.get('tab') ?? 'figures'}
        items={[
          { key: 'figures', label: '概况与覆盖', children: <FiguresTab version={version} /> },
          {
            key: 'platforms',
            label: '平台企业',
            children: <Platforms onOpen={openWith('platform')} version={version} onChanged={changed} />,
          },
          {
            key: 'stations',
            label: '配送站点',
            children: <Stations onOpen={openWith('station')} version={version} onChanged={changed} />,
          },
          { key: 'orgs', label: '行业党委与流动党员党支部', children: <RiderOrgs /> },
          { key: 'cards', label: '流动党员活动证', children: <Cards /> },
        ]}
      />
      {platform && (
        <PlatformDrawer
          id={platform}
          onClose={() => openWith('platform')(null)}
          onChanged={changed}
          onStation={openWith('station')}
        />
      )}
      {station && <StationDrawer id={station} onClose={() => openWith('station')(null)} onChanged={changed} />}
    </div>
  );
}
