// The two questions an auditor asks by number: "is entry #N in the signed log?" and "does checkpoint B extend
// checkpoint A?". Each form goes to the page with that question's stable URL.
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';

function wholeNumber(text: string, min: number): number | undefined {
  const v = Number(text.trim().replaceAll(/[\s,]/g, ''));
  return Number.isSafeInteger(v) && v >= min ? v : undefined;
}

export function EntryForm({ initial }: { initial?: number }) {
  const { route } = useLocation();
  const [text, setText] = useState(initial === undefined ? '' : String(initial));
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        const seq = wholeNumber(text, 0);
        if (seq === undefined) {
          setProblem('An entry number is a whole number from 0 (the seq of the entry in the log).');
          return;
        }
        setProblem(null);
        route(`/audit/entries/${seq}`);
      }}
    >
      <div class="field">
        <label for="verify-seq">Entry number (seq)</label>
        <input
          id="verify-seq"
          name="seq"
          inputMode="numeric"
          autoComplete="off"
          value={text}
          aria-invalid={problem !== null}
          aria-describedby={problem ? 'verify-seq-problem' : undefined}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </div>
      <button type="submit" class="primary">
        Verify entry
      </button>
      {problem && (
        <p id="verify-seq-problem" class="problem" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}

export function ConsistencyForm({
  from,
  to,
  sizes,
}: {
  from?: number | undefined;
  to?: number | undefined;
  /** Sizes of signed checkpoints to suggest. */
  sizes?: number[];
}) {
  const { route } = useLocation();
  const [a, setA] = useState(from === undefined ? '' : String(from));
  const [b, setB] = useState(to === undefined ? '' : String(to));
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        const x = wholeNumber(a, 1);
        const y = wholeNumber(b, 1);
        if (x === undefined || y === undefined) {
          setProblem('Give the sizes of two signed checkpoints (whole numbers from 1), as in the history.');
          return;
        }
        if (x === y) {
          setProblem('Pick two different checkpoints: a checkpoint is consistent with itself.');
          return;
        }
        setProblem(null);
        route(`/audit/consistency?from=${Math.min(x, y)}&to=${Math.max(x, y)}`);
      }}
    >
      <div class="field">
        <label for="cons-from">Older checkpoint (size)</label>
        <input
          id="cons-from"
          name="from"
          inputMode="numeric"
          autoComplete="off"
          list="checkpoint-sizes"
          value={a}
          onInput={(e) => setA(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="cons-to">Newer checkpoint (size)</label>
        <input
          id="cons-to"
          name="to"
          inputMode="numeric"
          autoComplete="off"
          list="checkpoint-sizes"
          value={b}
          onInput={(e) => setB(e.currentTarget.value)}
        />
      </div>
      {sizes && (
        <datalist id="checkpoint-sizes">
          {sizes.map((s) => (
            <option key={s} value={String(s)} />
          ))}
        </datalist>
      )}
      <button type="submit" class="primary">
        Check consistency
      </button>
      {problem && (
        <p class="problem" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}
