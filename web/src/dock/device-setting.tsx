// A device setting asked once and remembered (the dock a handheld stands at, the station a screen serves):
// every write names it, so it is never guessed.
import { useState } from 'preact/hooks';
import { IDENT, saveSetting, setting } from './device.js';

export function DeviceSetting(props: {
  name: 'dock' | 'station';
  label: string;
  placeholder: string;
  /** With a "start" button: called with the value when the person confirms it. */
  onSet?: (value: string) => void;
  startLabel?: string;
}) {
  const [value, setValue] = useState(setting(props.name));
  const valid = IDENT.test(value);
  const id = `${props.name}-id`;
  return (
    <form
      class="setting"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) props.onSet?.(value);
      }}
    >
      <label for={id}>{props.label}</label>
      <input
        id={id}
        class="mono"
        value={value}
        required
        placeholder={props.placeholder}
        autoComplete="off"
        aria-invalid={value !== '' && !valid}
        aria-describedby={valid ? undefined : `${id}-hint`}
        onInput={(e) => {
          const v = e.currentTarget.value.trim().toUpperCase();
          setValue(v);
          if (IDENT.test(v)) saveSetting(props.name, v);
        }}
      />
      {props.onSet && (
        <button type="submit" class="primary" disabled={!valid}>
          {props.startLabel ?? 'Save'}
        </button>
      )}
      {!valid && (
        <span id={`${id}-hint`} class="muted">
          Needed before scanning (letters, digits, dashes).
        </span>
      )}
    </form>
  );
}
