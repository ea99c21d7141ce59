// The intake benchmark's motors and trucks, named the same way by the server (bench/intake-server.ts, which
// records them) and the load generator (bench/intake.ts, which scans them).

/** The serial of the i-th bench motor. */
export function intakeSerial(i: number): string {
  return `7DL-B${String(i).padStart(7, '0')}`;
}

/** The shipment of the i-th motor: motors are dealt round robin, so concurrent scans hit different trucks. */
export function intakeShipment(i: number, shipments: number): string {
  return `SHP-BENCH-${String(i % shipments).padStart(5, '0')}`;
}
