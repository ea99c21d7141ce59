// The two questions an auditor asks by number: "is entry #N in the signed log?" and "does checkpoint B extend
// checkpoint A?". Each form goes to the page with that question's stable URL.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';

function wholeNumber(text: string, min: number): number | undefined {
  const v = Number(text.trim().replaceAll(/[\s,]/g, ''));
  return Number.isSafeInteger(v) && v >= min ? v : undefined;
}

/** A labelled field for a whole number; says when it is the one the problem is about. */
function NumberField({
  id,
  name,
  label,
  value,
  onInput,
  list,
  problemId,
}: {
  id: string;
  name: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  list?: string;
  /** The id of the problem sentence that names this field, while there is one. */
  problemId?: string | undefined;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        name={name}
        inputMode="numeric"
        autoComplete="off"
        list={list}
        value={value}
        aria-invalid={problemId !== undefined ? true : undefined}
        aria-describedby={problemId}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
    </div>
  );
}

/**
 * A form that goes to the page `go()` names, or says why it cannot: a sentence read out as it appears, which
 * the fields name as their description while it stands (`children` gets its id then).
 */
function GoForm({
  go,
  submit,
  problemId,
  children,
}: {
  go: () => string | { problem: string };
  submit: string;
  problemId: string;
  children: (problemId: string | undefined) => ComponentChildren;
}) {
  const { route } = useLocation();
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        const to = go();
        if (typeof to === 'string') {
          setProblem(null);
          route(to);
        } else setProblem(to.problem);
      }}
    >
      {children(problem ? problemId : undefined)}
      <button type="submit" class="primary">
        {submit}
      </button>
      {problem && (
        <p id={problemId} class="problem" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}

export function EntryForm({ initial }: { initial?: number }) {
  const [text, setText] = useState(initial === undefined ? '' : String(initial));
  return (
    <GoForm
      submit="Verify entry"
      problemId="verify-seq-problem"
      go={() => {
        const seq = wholeNumber(text, 0);
        return seq === undefined
          ? { problem: 'An entry number is a whole number from 0 (the seq of the entry in the log).' }
          : `/audit/entries/${seq}`;
      }}
    >
      {(problemId) => (
        <NumberField
          id="verify-seq"
          name="seq"
          label="Entry number (seq)"
          value={text}
          onInput={setText}
          problemId={problemId}
        />
      )}
    </GoForm>
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
  const [a, setA] = useState(from === undefined ? '' : String(from));
  const [b, setB] = useState(to === undefined ? '' : String(to));
  return (
    <GoForm
      submit="Check consistency"
      problemId="cons-problem"
      go={() => {
        const x = wholeNumber(a, 1);
        const y = wholeNumber(b, 1);
        if (x === undefined || y === undefined)
          return {
            problem: 'Give the sizes of two signed checkpoints (whole numbers from 1), as in the history.',
          };
        if (x === y)
          return { problem: 'Pick two different checkpoints: a checkpoint is consistent with itself.' };
        return `/audit/consistency?from=${Math.min(x, y)}&to=${Math.max(x, y)}`;
      }}
    >
      {(problemId) => (
        <>
          <NumberField
            id="cons-from"
            name="from"
            label="Older checkpoint (size)"
            list="checkpoint-sizes"
            value={a}
            onInput={setA}
            problemId={problemId}
          />
          <NumberField
            id="cons-to"
            name="to"
            label="Newer checkpoint (size)"
            list="checkpoint-sizes"
            value={b}
            onInput={setB}
            problemId={problemId}
          />
          {sizes && (
            <datalist id="checkpoint-sizes">
              {sizes.map((s) => (
                <option key={s} value={String(s)} />
              ))}
            </datalist>
          )}
        </>
      )}
    </GoForm>
  );
}
