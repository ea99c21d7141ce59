// Builders for realistic test data: `aMotorEvent().forSerial('7DL-000123').build()`.
import type { Actor, EventDraft, JsonObject } from '../../src/core/envelope.js';

export const producer: Actor = { sub: 'badge-4711', role: 'producer', site: 'CLEON' };

class EventBuilder {
  #draft: EventDraft = {
    type: 'motor.produced',
    time: '2026-11-23T06:15:00Z',
    actor: producer,
    subjects: ['motor:7DL-000001'],
    data: { motorType: '7DL', line: 'L2', station: 'ST-40', shift: 'A' },
  };

  forSerial(serial: string): this {
    this.#draft = { ...this.#draft, subjects: [`motor:${serial}`], data: { ...this.#draft.data, serial } };
    return this;
  }
  withSubjects(...subjects: string[]): this {
    this.#draft = { ...this.#draft, subjects };
    return this;
  }
  ofType(type: string): this {
    this.#draft = { ...this.#draft, type };
    return this;
  }
  at(time: string): this {
    this.#draft = { ...this.#draft, time };
    return this;
  }
  withData(data: JsonObject): this {
    this.#draft = { ...this.#draft, data };
    return this;
  }
  build(): EventDraft {
    return structuredClone(this.#draft);
  }
}

/** A motor event draft with realistic defaults. */
export function aMotorEvent(): EventBuilder {
  return new EventBuilder();
}

/** A 7DL serial such as 7DL-000042. */
export function serial(n: number, type = '7DL'): string {
  return `${type}-${String(n).padStart(6, '0')}`;
}
