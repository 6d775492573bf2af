// The form controls every settings panel uses: a labelled field with a one-line explanation
// (linked for screen readers), a select, a number input and a checkbox.
import { useId, type ReactNode } from 'react';

interface FieldProps {
  label: string;
  help: string;
  children: (id: string, helpId: string) => ReactNode;
}

export function Field({ label, help, children }: FieldProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id, `${id}-help`)}
      <p className="field__help" id={`${id}-help`}>
        {help}
      </p>
    </div>
  );
}

export type Edit = (path: string, value: unknown, extra?: [string, unknown][]) => void;

export function Select({ label, help, value, options, onChange }: { label: string; help: string; value: string; options: [string, string][]; onChange: (v: string) => void }) {
  return (
    <Field label={label} help={help}>
      {(id, helpId) => (
        <select id={id} aria-describedby={helpId} value={value} onChange={(e) => onChange(e.target.value)}>
          {options.map(([v, text]) => (
            <option key={v} value={v}>
              {text}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function NumberInput({ label, help, value, min, max, step, onChange }: { label: string; help: string; value: number; min: number; max: number; step: number; onChange: (v: number) => void }) {
  return (
    <Field label={label} help={help}>
      {(id, helpId) => <input id={id} aria-describedby={helpId} type="number" value={value} min={min} max={max} step={step} onChange={(e) => e.target.value !== '' && onChange(Number(e.target.value))} />}
    </Field>
  );
}

export function Checkbox({ label, help, checked, onChange }: { label: string; help: string; checked: boolean; onChange: (v: boolean) => void }) {
  const id = useId();
  return (
    <div className="field field--checkbox">
      <input id={id} type="checkbox" aria-describedby={`${id}-help`} checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id}>{label}</label>
      <p className="field__help" id={`${id}-help`}>
        {help}
      </p>
    </div>
  );
}
