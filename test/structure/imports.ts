import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';

/**
 * The import graph of the server (src/) and the web (web/src/), read from the source text: every
 * `import … from`, `export … from`, side-effect `import '…'` and `import('…')`, type-only ones
 * included (a type import still ties the two files' designs together). Relative specifiers and the
 * web's `@domain/*` / `@server/*` aliases resolve to repository files; anything else is a package.
 */
export const ROOT = path.resolve(import.meta.dirname, '../..');

export type Edge = { from: string; to: string; typeOnly: boolean };
export type Graph = { files: string[]; edges: Edge[]; packages: { from: string; name: string }[] };

const SPEC =
  /(?:^|[\s;}])(?:import|export)\s+(type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
const ALIASES: Record<string, string> = { '@domain/': 'src/domain/', '@server/': 'src/' };
const BUILTINS = new Set(builtinModules);

export const isBuiltin = (name: string) => name.startsWith('node:') || BUILTINS.has(name.split('/')[0]);

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...walk(rel));
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

function resolve(from: string, spec: string): string | null {
  let base: string | null = null;
  if (spec.startsWith('.')) base = path.posix.join(path.posix.dirname(from), spec);
  for (const [alias, dir] of Object.entries(ALIASES)) if (spec.startsWith(alias)) base = dir + spec.slice(alias.length);
  if (base === null) return null;
  const stem = base.replace(/\.(js|ts|tsx)$/, '');
  for (const c of [`${stem}.ts`, `${stem}.tsx`, `${stem}/index.ts`, `${stem}/index.tsx`, base]) {
    if (fs.existsSync(path.join(ROOT, c)) && fs.statSync(path.join(ROOT, c)).isFile()) return c;
  }
  throw new Error(`${from}: cannot resolve '${spec}'`);
}

/** Comments are blanked first so an example in a comment is no import. */
const withoutComments = (s: string) => s.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');

export function readGraph(dirs = ['src', 'web/src']): Graph {
  const files = dirs.flatMap(walk).sort();
  const edges: Edge[] = [];
  const packages: Graph['packages'] = [];
  for (const from of files) {
    const text = withoutComments(fs.readFileSync(path.join(ROOT, from), 'utf8'));
    for (const m of text.matchAll(SPEC)) {
      const spec = m[2] ?? m[3];
      const to = resolve(from, spec);
      if (to) edges.push({ from, to, typeOnly: Boolean(m[1]) });
      else packages.push({ from, name: spec });
    }
  }
  return { files, edges, packages };
}

/** Every cycle's files, one list per strongly connected component of more than one file (Tarjan). */
export function cycles(files: string[], edges: Edge[]): string[][] {
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const e of edges) next.get(e.from)?.push(e.to);
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of next.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const f of files) if (!idx.has(f)) visit(f);
  return out;
}
