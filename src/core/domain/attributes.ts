// The attributes of a motor that root-cause analysis compares: production (line, station, shift, operator,
// work order, day, each component lot), end-of-line test, transport, intake and installation. Attributes only
// accumulate (a motor re-installed elsewhere has both stations): "has this motor ever been through X" is the
// question a quality engineer asks.
import type { MotorState } from './state.js';

/** Attribute names, in the order reports list them. */
export const ATTRIBUTE_LABELS: Record<string, string> = {
  motorType: 'motor type',
  line: 'production line',
  station: 'production station',
  shift: 'shift',
  operator: 'operator',
  workOrder: 'work order',
  productionDay: 'production day',
  bench: 'EOL bench',
  specVersion: 'EOL spec version',
  retested: 'EOL retested',
  shipment: 'shipment',
  carrier: 'carrier',
  truck: 'truck',
  intakeSite: 'intake site',
  dock: 'intake dock',
  scanner: 'intake scanner',
  installStation: 'install station',
  model: 'vehicle model',
  slot: 'slot',
  consumedDay: 'installed on (site day)',
};

/** Every (attribute, value) the motor has, e.g. ['lot:magnets', 'MAG-25-0117'], ['shift', 'B']. */
export function motorAttributes(m: MotorState): [string, string][] {
  const out: [string, string][] = [
    ['motorType', m.motorType],
    ['line', m.produced.line],
    ['station', m.produced.station],
    ['shift', m.produced.shift],
    ['operator', m.produced.operator],
    ['workOrder', m.produced.workOrder],
    ['productionDay', m.produced.time.slice(0, 10)],
  ];
  for (const [component, lot] of Object.entries(m.produced.lots)) out.push([`lot:${component}`, lot]);
  if (m.lastTest) {
    out.push(['bench', m.lastTest.bench], ['specVersion', m.lastTest.specVersion]);
    if (m.tests > 1) out.push(['retested', 'yes']);
  }
  if (m.shipmentId) out.push(['shipment', m.shipmentId]);
  if (m.transport) out.push(['carrier', m.transport.carrier], ['truck', m.transport.truck]);
  if (m.received)
    out.push(['intakeSite', m.received.site], ['dock', m.received.dock], ['scanner', m.received.scanner]);
  if (m.installed) {
    out.push(
      ['installStation', m.installed.station],
      ['model', m.installed.model],
      ['slot', m.slot ?? ''],
      ['consumedDay', `${m.installed.site} ${m.installed.time.slice(0, 10)}`],
    );
  }
  return out.filter(([, v]) => v !== '');
}

/** A stable key for an attribute pair. */
export function attributeKey(attribute: string, value: string): string {
  return `${attribute}\u0000${value}`;
}
