import { useEffect, useRef, type ReactNode } from 'react';

let focusNextHeading = false;
/** After an in-app navigation the next page's h1 takes focus, so screen readers announce where the user landed. */
export function focusHeadingOnNextPage(): void {
  focusNextHeading = true;
  const h1 = document.getElementById('page-title');
  // The page may already be there (same page, new address); else the page focuses it when it mounts.
  if (h1 && document.querySelector('main')?.contains(h1)) {
    focusNextHeading = false;
    h1.focus();
  }
}

/** Every page: one h1 (the document title follows it), an optional lead and actions. */
export function Page(props: { title: string; lead?: ReactNode; actions?: ReactNode; children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.title} — Tenet`;
    if (focusNextHeading) {
      focusNextHeading = false;
      heading.current?.focus();
    }
  }, [props.title]);
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <div>
          <h1 id="page-title" tabIndex={-1} ref={heading}>
            {props.title}
          </h1>
          {props.lead ? <p className="lead">{props.lead}</p> : null}
        </div>
        {props.actions ? <div className="page-actions">{props.actions}</div> : null}
      </header>
      {props.children}
    </section>
  );
}

/** A titled block inside a page. */
export function Panel(props: { title: string; id?: string; actions?: ReactNode; children: ReactNode; className?: string }) {
  const id = props.id ?? `panel-${props.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section className={`panel ${props.className ?? ''}`} aria-labelledby={id}>
      <header className="panel-header">
        <h2 id={id}>{props.title}</h2>
        {props.actions}
      </header>
      {props.children}
    </section>
  );
}
