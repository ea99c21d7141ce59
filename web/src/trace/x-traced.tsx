// A motor of a forward trace (POST /v1/trace/forward, a lot's where-used) as the explorer's tables list it: one
// set of columns for the lot page and the investigation, the table and the lot page's CSV alike.
import type { ComponentChildren } from 'preact';
import { groupLabel, href, type TracedMotor, utc } from './x-data.js';
import { type Column, LinkList, motorColumn } from './x-parts.js';

/**
 * The columns, headed as the investigation heads them and named in the CSV as the API's CSV names them; `where`
 * draws the "where now" cell in the page's colours (its words by default).
 */
export function tracedColumns(
  where: (m: TracedMotor) => ComponentChildren = (m) => groupLabel(m.group),
): Column<TracedMotor>[] {
  return [
    motorColumn((m) => m.serial, 'Serial'),
    { head: 'Type', csv: 'type', value: (m) => m.motorType },
    { head: 'Produced', csv: 'produced', value: (m) => m.producedAt, show: (m) => utc(m.producedAt) },
    { head: 'Where now', csv: 'where', value: (m) => m.group, show: where },
    { head: 'Site', csv: 'site', value: (m) => m.site },
    {
      head: 'Shipment',
      csv: 'shipment',
      value: (m) => m.shipmentId,
      show: (m) => m.shipmentId && <a href={href.shipment(m.shipmentId)}>{m.shipmentId}</a>,
    },
    {
      head: 'VIN',
      csv: 'vin',
      value: (m) => m.vin,
      show: (m) =>
        m.vin && (
          <a class="mono" href={href.vehicle(m.vin)}>
            {m.vin}
          </a>
        ),
    },
    { head: 'Slot', csv: 'slot', value: (m) => m.slot },
    {
      head: 'Holds',
      csv: 'holds',
      value: (m) => m.holds.join(' '),
      show: (m) => <LinkList items={m.holds} to={href.hold} />,
    },
  ];
}
