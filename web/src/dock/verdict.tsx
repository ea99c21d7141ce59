// The full-screen verdict a person reads from a metre away (dock and marriage station), and the scan field a
// keyboard-wedge scanner types into. The colour is never the only signal: the word, the icon and the sound
// say the same thing.
import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import './handheld.css';
import { unlockSound } from './sounds.js';

export type VerdictTone = 'idle' | 'ok' | 'bad' | 'pending' | 'busy' | 'info';

export interface Verdict {
  tone: VerdictTone;
  /** ACCEPTED, REJECTED, PENDING, INSTALLED… */
  word: string;
  serial?: string;
  /** What happened, in words ("Not on this truck"). */
  headline?: string;
  /** What to do now ("Put it on the quarantine rack and call logistics"). */
  instruction?: string;
  /** The server's own sentence (names the other truck, the hold…). */
  detail?: string;
  /** The stable code, shown small for whoever the operator calls. */
  code?: string;
}

const ICON: Record<VerdictTone, string> = { idle: '', ok: '✔', bad: '✖', pending: '◷', busy: '…', info: '' };

/**
 * The verdict, filling the space it is given.
 * @example <VerdictPanel verdict={{ tone: 'ok', word: 'ACCEPTED', serial: '7DL-000123', instruction: '…' }} />
 */
export function VerdictPanel({ verdict }: { verdict: Verdict }) {
  const v = verdict;
  return (
    <section
      class={`verdict verdict-${v.tone}`}
      aria-live={v.tone === 'bad' ? 'assertive' : 'polite'}
      aria-atomic="true"
      data-tone={v.tone}
      data-verdict={
        v.tone === 'idle' ? undefined : v.tone === 'busy' || v.tone === 'pending' ? 'PENDING' : v.word
      }
    >
      <p class="verdict-word">
        {ICON[v.tone] && (
          <span class="verdict-icon" aria-hidden="true">
            {ICON[v.tone]}{' '}
          </span>
        )}
        {v.word}
      </p>
      {v.serial && <p class="verdict-serial mono">{v.serial}</p>}
      {v.headline && <p class="verdict-headline">{v.headline}</p>}
      {v.instruction && <p class="verdict-instruction">{v.instruction}</p>}
      {(v.detail || v.code) && (
        <p class="verdict-detail">
          {v.detail} {v.code && <code>{v.code}</code>}
        </p>
      )}
    </section>
  );
}

const TYPING = /^(INPUT|TEXTAREA|SELECT)$/;

/**
 * The field a barcode scanner types into (characters then Enter). It takes the focus back whenever focus falls
 * to nothing (a tap on the verdict), and catches a scan typed while a button has the focus, so no scan is lost;
 * a person tabbing to a button or filling another field keeps their focus.
 */
export function ScanField(props: {
  id: string;
  /** The form field's name (serial, vin). */
  name: string;
  label: string;
  placeholder?: string;
  onScan: (value: string) => void;
  /** False while another part of the screen (a dialog) owns the keyboard. */
  active?: boolean;
  inputRef?: RefObject<HTMLInputElement | null>;
}) {
  const own = useRef<HTMLInputElement | null>(null);
  const ref = props.inputRef ?? own;
  const active = props.active !== false;
  useEffect(() => {
    if (!active) return;
    const input = ref.current;
    input?.focus();
    const refocus = () => {
      // After the blur settles: focus that went to another control stays there.
      setTimeout(() => {
        const el = document.activeElement;
        if (el === null || el === document.body || el === document.documentElement) ref.current?.focus();
      }, 0);
    };
    const onKey = (e: KeyboardEvent) => {
      const el = document.activeElement as HTMLElement | null;
      if (el && TYPING.test(el.tagName)) return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key.length === 1 && /[A-Za-z0-9]/.test(e.key)) ref.current?.focus();
    };
    input?.addEventListener('blur', refocus);
    document.addEventListener('keydown', onKey, true);
    return () => {
      input?.removeEventListener('blur', refocus);
      document.removeEventListener('keydown', onKey, true);
    };
  }, [active, ref]);
  return (
    <form
      class="scan-field"
      onSubmit={(e) => {
        e.preventDefault();
        unlockSound();
        const input = ref.current;
        if (!input) return;
        const value = input.value.trim().toUpperCase();
        input.value = '';
        input.focus();
        if (value) props.onScan(value);
      }}
    >
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        name={props.name}
        ref={ref}
        class="mono"
        type="text"
        inputMode="text"
        autoComplete="off"
        autoCorrect="off"
        spellcheck={false}
        autoCapitalize="characters"
        enterKeyHint="send"
        placeholder={props.placeholder}
      />
      <button type="submit" class="primary">
        Enter
      </button>
    </form>
  );
}
