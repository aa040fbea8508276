import type { ReactNode } from 'react';

export function Section(props: { title: string; children: ReactNode }) {
  return (
    <section className="settings-section">
      <h3>{props.title}</h3>
      {props.children}
    </section>
  );
}

export function Tags({ items, empty = 'none', mono }: { items: string[]; empty?: string; mono?: boolean }) {
  if (!items.length) return <span className="muted">{empty}</span>;
  return (
    <ul className="taglist-inline">
      {items.map((x, i) => (
        <li key={`${x}\n${i}`} className={mono ? 'tag mono' : 'tag'}>
          {x}
        </li>
      ))}
    </ul>
  );
}
