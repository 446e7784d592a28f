import { useEffect, useState } from 'react';
import { Breadcrumb } from 'antd';
import { call } from '../api';
import { getJurisdiction } from '@server/features/jurisdictions/contract';
import type { Place } from '@server/http/contract';
import type { JNode } from './JurisdictionTree';

const nodes = new Map<string, JNode>();
/** The chain of nodes from the user's own node (`root`) down to `code`. */
export async function trailTo(code: string, root: string): Promise<Place[]> {
  const out: Place[] = [];
  for (let c: string | null = code; c;) {
    const n: JNode = nodes.get(c) ?? (await call(getJurisdiction, { params: { code: c } }));
    nodes.set(c, n);
    out.unshift(n);
    c = c === root ? null : n.parentCode;
  }
  return out;
}

/** A breadcrumb back up from a drilled-into node to the user's own; each level above is a link. */
export function DrillTrail({ under, root, onDrill }: { under: string; root: string; onDrill: (code: string) => void }) {
  const [trail, setTrail] = useState<Place[]>([]);
  useEffect(() => void trailTo(under, root).then(setTrail, () => setTrail([])), [under, root]);
  if (trail.length < 2) return null;
  return (
    <Breadcrumb
      style={{ marginBottom: 12 }}
      items={trail.map((p, i) => ({
        title: i < trail.length - 1 ? <a onClick={() => onDrill(p.code)}>{p.name}</a> : p.name,
      }))}
    />
  );
}
