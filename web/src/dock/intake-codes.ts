// Every intake refusal (src/core/domain/decide.ts intakeVerdict) in the dock's words: what happened, and what
// the operator does with the motor in their hands. The server's own sentence is shown below it (it names the
// other truck, the hold, the earlier scan).
export interface Explained {
  headline: string;
  instruction: string;
}

export const INTAKE_CODES: Record<string, Explained> = {
  ACCEPTED: { headline: 'On this truck, for this plant', instruction: 'Put it in the buffer.' },
  NOT_ON_SHIPMENT: {
    headline: 'Not on this truck',
    instruction: 'Put it on the quarantine rack and call logistics.',
  },
  MOTOR_HELD: {
    headline: 'On quality hold',
    instruction: 'Put it in the quarantine area. Do not install it.',
  },
  ALREADY_RECEIVED: {
    headline: 'Already received',
    instruction: 'Do not scan it twice: check for a duplicate label.',
  },
  UNKNOWN_SERIAL: {
    headline: 'Unknown serial: never produced',
    instruction: 'Set it aside and call quality.',
  },
  UNKNOWN_SHIPMENT: {
    headline: 'Unknown truck',
    instruction: 'Check the shipment id on the ASN label, then choose the truck again.',
  },
  WRONG_DESTINATION: {
    headline: 'This truck is for another plant',
    instruction: 'Do not unload it here. Call logistics.',
  },
  NOT_SHIPPED: {
    headline: 'Truck never left Cléon in the ledger',
    instruction: 'Stop unloading and call logistics.',
  },
  // Refused before a verdict (nothing recorded).
  NOT_A_SERIAL: {
    headline: 'Not a motor serial',
    instruction: 'Scan the motor’s serial label again.',
  },
  SITE_NOT_ALLOWED: {
    headline: 'Not your site',
    instruction: 'Sign in with a token for this dock’s site.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    headline: 'Scan id already used for another scan',
    instruction: 'Scan the motor again.',
  },
};

/** The words for a code; an unknown code still gets a sentence (the server's) and a safe instruction. */
export function explainIntake(code: string): Explained {
  return (
    INTAKE_CODES[code] ?? {
      headline: 'Refused',
      instruction: 'Set the motor aside and call your team leader.',
    }
  );
}

/** A serial as the API accepts it (the scanner may add spaces or lower case: the field upper-cases). */
export const SERIAL = /^[A-Z0-9][A-Z0-9-]{3,39}$/;
