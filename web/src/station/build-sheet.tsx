// The build sheet of a VIN: one tile per slot of its model (the catalog decides), green with the serial once
// filled; the next slot to fill is marked, another empty one can be chosen; a filled one can be emptied with
// a reason (rework), which the ledger keeps beside the install.
import { useState } from 'preact/hooks';

export interface SlotView {
  slot: string;
  /** The motor type the slot takes. */
  type: string;
  serial: string | null;
}

/** REAR_LEFT → Rear left. */
export const slotWords = (slot: string) => slot.charAt(0) + slot.slice(1).toLowerCase().replaceAll('_', ' ');

export function BuildSheet(props: {
  slots: SlotView[];
  active: string | null;
  locked: boolean;
  onPick: (slot: string) => void;
  onRemove: (slot: SlotView) => void;
}) {
  return (
    <ul class="slots" aria-label="Slots">
      {props.slots.map((s) => {
        const state = s.serial ? 'filled' : s.slot === props.active ? 'active' : 'empty';
        return (
          <li
            key={s.slot}
            class={`slot-tile slot-${state}`}
            data-slot={s.slot}
            data-serial={s.serial ?? undefined}
          >
            <span class="slot-name">{slotWords(s.slot)}</span>
            <span class="slot-type">
              takes a <strong>{s.type}</strong>
            </span>
            {s.serial ? (
              <>
                <span class="slot-serial mono">
                  <span aria-hidden="true">✔ </span>
                  {s.serial}
                </span>
                {!props.locked && (
                  <button type="button" class="hh-small" onClick={() => props.onRemove(s)}>
                    Remove…
                  </button>
                )}
              </>
            ) : state === 'active' ? (
              <span class="slot-next">Next: scan its motor</span>
            ) : (
              !props.locked && (
                <button type="button" class="hh-small" onClick={() => props.onPick(s.slot)}>
                  Fill this slot next
                </button>
              )
            )}
          </li>
        );
      })}
    </ul>
  );
}

const REASONS = [
  'Connector damaged during marriage',
  'Motor damaged',
  'Wrong motor installed',
  'Quality request',
];

/** Why the motor comes out: a common reason in one tap, or in words. */
export function RemovalForm(props: {
  slot: SlotView;
  busy: boolean;
  onConfirm: (reason: string) => void;
  onCancel: () => void;
}) {
  const [choice, setChoice] = useState(REASONS[0]!);
  const [other, setOther] = useState('');
  const reason = choice === 'other' ? other.trim() : choice;
  return (
    <form
      class="removal card"
      onSubmit={(e) => {
        e.preventDefault();
        if (reason) props.onConfirm(reason);
      }}
    >
      <h2>
        Remove <span class="mono">{props.slot.serial}</span> from {slotWords(props.slot.slot)}
      </h2>
      <fieldset>
        <legend>Why does it come out?</legend>
        {REASONS.map((r, i) => (
          <label class="choice" key={r}>
            <input
              type="radio"
              name="reason"
              value={r}
              checked={choice === r}
              onChange={() => setChoice(r)}
              // biome-ignore lint/a11y/noAutofocus: the form opens on the person's own tap; focus goes to it
              autoFocus={i === 0}
            />
            {r}
          </label>
        ))}
        <label class="choice">
          <input
            type="radio"
            name="reason"
            value="other"
            checked={choice === 'other'}
            onChange={() => setChoice('other')}
          />
          Other:
        </label>
        <input
          aria-label="Other reason"
          value={other}
          maxLength={200}
          onFocus={() => setChoice('other')}
          onInput={(e) => setOther(e.currentTarget.value)}
        />
      </fieldset>
      <div class="removal-actions">
        <button type="submit" class="danger" disabled={!reason || props.busy}>
          Remove the motor
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
