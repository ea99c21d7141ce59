// Genealogy drawn as a graph: component lots → motors → shipments → the VIN, left to right, each node a link
// to its page (click, or Tab then Enter). Plain SVG: a layered layout of a few dozen nodes needs no library;
// nodes of a column are ordered by the mean position of their neighbours, which keeps lines from crossing.
import { useLocation } from 'preact-iso';
import { href } from './x-data.js';

/** What the graph needs of one motor. */
export interface GraphMotor {
  serial: string;
  slot: string | null;
  lots: Record<string, string>;
  shipmentId: string | null;
  truck: string | null;
  vin: string | null;
  /** Vehicles it was installed in and removed from (drawn with a dashed line). */
  removedFrom?: string[];
}

type Kind = 'lot' | 'motor' | 'shipment' | 'vehicle';
interface GNode {
  key: string;
  kind: Kind;
  title: string;
  sub: string;
  href: string;
  current: boolean;
}

const COLUMNS: { kind: Kind; heading: string }[] = [
  { kind: 'lot', heading: 'Component lots' },
  { kind: 'motor', heading: 'Motors' },
  { kind: 'shipment', heading: 'Shipments' },
  { kind: 'vehicle', heading: 'Vehicle' },
];
const W = 190;
const GAP = 70;
const H = 40;
const VGAP = 10;
const TOP = 28;

/**
 * @example <GenealogyGraph motors={[…]} current="motor:7DL-000101" />
 */
export function GenealogyGraph({ motors, current }: { motors: GraphMotor[]; current: string }) {
  const { route } = useLocation();
  const nodes = new Map<string, GNode>();
  /** from, to, and whether the link is a past one (a removal). */
  const edges: [string, string, boolean?][] = [];
  const add = (n: Omit<GNode, 'current'>) => {
    if (!nodes.has(n.key)) nodes.set(n.key, { ...n, current: n.key === current });
    return n.key;
  };
  for (const m of motors) {
    const motor = add({
      key: `motor:${m.serial}`,
      kind: 'motor',
      title: m.serial,
      sub: m.slot ?? 'motor',
      href: href.motor(m.serial),
    });
    for (const [component, lot] of Object.entries(m.lots))
      edges.push([
        add({
          key: `lot:${component}:${lot}`,
          kind: 'lot',
          title: lot,
          sub: component,
          href: href.lot(component, lot),
        }),
        motor,
      ]);
    let last = motor;
    if (m.shipmentId) {
      const s = add({
        key: `shipment:${m.shipmentId}`,
        kind: 'shipment',
        title: m.shipmentId,
        sub: m.truck ? `truck ${m.truck}` : 'shipment',
        href: href.shipment(m.shipmentId),
      });
      edges.push([motor, s]);
      last = s;
    }
    const link = (vin: string, past: boolean) => {
      const v = add({
        key: `vehicle:${vin}`,
        kind: 'vehicle',
        title: vin,
        sub: past ? 'VIN, removed from' : 'VIN',
        href: href.vehicle(vin),
      });
      if (!edges.some(([a, b]) => a === last && b === v)) edges.push([last, v, past]);
    };
    for (const vin of m.removedFrom ?? []) if (vin !== m.vin) link(vin, true);
    if (m.vin) link(m.vin, false);
  }

  // Order: motors as given; every other column by the mean row of the motors it touches.
  const row = new Map<string, number>();
  const columns = COLUMNS.map(({ kind }) => [...nodes.values()].filter((n) => n.kind === kind));
  for (const [i, n] of columns[1]!.entries()) row.set(n.key, i);
  const neighbours = (key: string) =>
    edges.flatMap(([a, b]) => (a === key ? [b] : b === key ? [a] : [])).map((k) => row.get(k));
  for (const c of [0, 2, 3]) {
    const col = columns[c]!;
    const mean = (n: GNode) => {
      const r = neighbours(n.key).filter((x): x is number => x !== undefined);
      return r.length ? r.reduce((s, x) => s + x, 0) / r.length : 0;
    };
    col.sort((a, b) => mean(a) - mean(b) || a.sub.localeCompare(b.sub) || a.title.localeCompare(b.title));
    for (const [i, n] of col.entries()) row.set(n.key, i);
  }
  const tallest = Math.max(1, ...columns.map((c) => c.length));
  const height = TOP + tallest * (H + VGAP);
  const pos = new Map<string, { x: number; y: number }>();
  for (const [c, col] of columns.entries()) {
    const offset = ((tallest - col.length) * (H + VGAP)) / 2;
    for (const [i, n] of col.entries())
      pos.set(n.key, { x: c * (W + GAP), y: TOP + offset + i * (H + VGAP) });
  }
  const width = COLUMNS.length * W + (COLUMNS.length - 1) * GAP;

  return (
    <figure
      class="x-graph"
      aria-label="Genealogy: component lots, motors, shipments and vehicle, left to right"
    >
      <svg viewBox={`-2 0 ${width + 4} ${height}`} width={width + 4} height={height}>
        <title>
          Genealogy: component lots, motors, shipments and vehicle, left to right; each box is a link
        </title>
        {COLUMNS.map((c, i) => (
          <text key={c.kind} class="x-graph-head" x={i * (W + GAP)} y={14}>
            {c.heading}
          </text>
        ))}
        {edges.map(([a, b, past]) => {
          const p = pos.get(a)!;
          const q = pos.get(b)!;
          const x1 = p.x + W;
          const y1 = p.y + H / 2;
          const x2 = q.x;
          const y2 = q.y + H / 2;
          const mid = (x1 + x2) / 2;
          return (
            <path
              key={`${a}>${b}`}
              class={past ? 'x-edge past' : 'x-edge'}
              d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`}
            />
          );
        })}
        {[...nodes.values()].map((n) => {
          const p = pos.get(n.key)!;
          return (
            <a
              key={n.key}
              href={n.href}
              class={`x-node k-${n.kind}${n.current ? ' current' : ''}`}
              aria-current={n.current ? 'page' : undefined}
              onClick={(e) => {
                if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
                e.preventDefault();
                route(n.href);
              }}
            >
              <rect x={p.x} y={p.y} width={W} height={H} rx={6} />
              {/* One text, the words in reading order with a space: the link's name is what it shows. */}
              <text>
                <tspan x={p.x + 10} y={p.y + 16} class="x-node-sub">
                  {n.sub}
                </tspan>{' '}
                <tspan x={p.x + 10} y={p.y + 32} class="x-node-title">
                  {n.title}
                </tspan>
              </text>
            </a>
          );
        })}
      </svg>
    </figure>
  );
}
