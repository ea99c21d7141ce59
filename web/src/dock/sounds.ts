// The verdict's sound and buzz, for a dock or a line where nobody looks at the screen at the moment of the
// scan: a short rising tone when the motor is good, a low double buzz when it is not, one soft tick when the
// scan is kept for later (offline). Web Audio oscillators: nothing to download, works with no network.
export type Tone = 'ok' | 'bad' | 'pending';

let audio: AudioContext | null = null;

function context(): AudioContext | null {
  if (typeof AudioContext === 'undefined') return null;
  audio ??= new AudioContext();
  // A browser starts audio suspended until the person has interacted; a scanner's keystrokes count.
  if (audio.state === 'suspended') void audio.resume();
  return audio;
}

function beep(
  ctx: AudioContext,
  start: number,
  from: number,
  to: number,
  seconds: number,
  wave: OscillatorType,
) {
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = wave;
  osc.frequency.setValueAtTime(from, start);
  osc.frequency.linearRampToValueAtTime(to, start + seconds);
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(0.35, start + 0.015);
  gain.gain.setValueAtTime(0.35, start + seconds - 0.03);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + seconds);
  osc.connect(gain).connect(ctx.destination);
  osc.start(start);
  osc.stop(start + seconds + 0.02);
}

/**
 * Sound (and vibrate, where the device can) for a verdict.
 * @example signal('bad') // two low buzzes
 */
export function signal(tone: Tone): void {
  const pattern = tone === 'ok' ? [80] : tone === 'bad' ? [200, 80, 200] : [40];
  if (typeof navigator.vibrate === 'function') navigator.vibrate(pattern);
  const ctx = context();
  if (!ctx) return;
  const t = ctx.currentTime + 0.01;
  if (tone === 'ok') beep(ctx, t, 660, 1320, 0.18, 'sine');
  else if (tone === 'bad') {
    beep(ctx, t, 150, 140, 0.22, 'square');
    beep(ctx, t + 0.3, 150, 140, 0.22, 'square');
  } else beep(ctx, t, 520, 520, 0.08, 'triangle');
}

/** Call from a key or click handler so the first verdict is not silent (audio needs a person's gesture). */
export function unlockSound(): void {
  context();
}
