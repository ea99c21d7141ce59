// Every refusal of an install or a removal (src/core/domain/decide.ts installMotor, removeMotor) in the line's
// words: what happened, and what the operator does with the motor in their hands.
import type { Explained } from '../dock/intake-codes.js';

export function explainStation(code: string, slotType?: string): Explained {
  switch (code) {
    case 'WRONG_MOTOR_TYPE_FOR_SLOT':
      return {
        headline: 'Wrong motor type for this slot',
        instruction: slotType
          ? `This slot takes a ${slotType}: take a ${slotType} from the buffer.`
          : 'Take the motor type the slot asks for from the buffer.',
      };
    case 'MOTOR_HELD':
      return {
        headline: 'On quality hold',
        instruction: 'Do not install it: put it in the quarantine area.',
      };
    case 'MOTOR_NOT_RECEIVED':
      return {
        headline: 'Not received at the dock',
        instruction: 'Do not install it: send it to intake to be scanned in first.',
      };
    case 'MOTOR_AT_OTHER_SITE':
      return { headline: 'Received at another plant', instruction: 'Do not install it: call logistics.' };
    case 'SLOT_OCCUPIED':
      return {
        headline: 'Slot already filled',
        instruction: 'Remove the motor in it first (with a reason), or choose another slot.',
      };
    case 'ALREADY_INSTALLED':
      return {
        headline: 'Already installed in a vehicle',
        instruction: 'Check the label: it must be removed from that vehicle first.',
      };
    case 'UNKNOWN_SERIAL':
      return { headline: 'Unknown serial: never produced', instruction: 'Set it aside and call quality.' };
    case 'VEHICLE_MODEL_MISMATCH':
      return {
        headline: 'This VIN is another model',
        instruction: 'Check the VIN and the model on the build sheet.',
      };
    case 'VEHICLE_ALREADY_SHIPPED':
      return {
        headline: 'Vehicle already shipped',
        instruction: 'Its motors can no longer change: check the VIN.',
      };
    case 'UNKNOWN_MODEL':
    case 'UNKNOWN_SLOT':
      return { headline: 'Not in the catalog', instruction: 'Call your team leader.' };
    case 'MOTOR_NOT_IN_VEHICLE':
    case 'UNKNOWN_VEHICLE':
      return {
        headline: 'Not in this vehicle',
        instruction: 'The build sheet has been read again: check it.',
      };
    case 'SITE_NOT_ALLOWED':
      return {
        headline: 'Not at your plant',
        instruction: 'Do not install it: it belongs to another site. Call logistics.',
      };
    case 'NOT_A_SERIAL':
      return { headline: 'Not a motor serial', instruction: 'Scan the motor’s serial label again.' };
    case 'NOT_A_VIN':
      return {
        headline: 'Not a VIN',
        instruction: 'Scan the VIN label: 17 letters and digits, no I, O or Q.',
      };
    default:
      return { headline: 'Refused', instruction: 'Set the motor aside and call your team leader.' };
  }
}

export const VIN = /^[A-HJ-NPR-Z0-9]{17}$/;
