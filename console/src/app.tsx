import { Suspense, useEffect, useRef, useState, type ComponentType, type LazyExoticComponent } from 'react';
import { NavLink, Route, Routes, useLocation } from 'react-router';
import { ROLE_LABEL, useSession } from './session.tsx';
import { ErrorBoundary } from './ui/error-boundary.tsx';
// Every lazy page reloads the tab once when its chunk is gone (a tab older than an upgrade): see ui/lazy-page.ts.
import { lazyPage as lazy } from './ui/lazy-page.ts';
import { focusHeadingOnNextPage } from './ui/page.tsx';
import { ErrorState, Loading } from './ui/states.tsx';
import { SignIn } from './pages/sign-in.tsx';
// The landing page ships in the first bundle: no second round trip for its code before its data is asked for.
import Overview from './pages/overview.tsx';
import { ExceptionsNavBadge } from './pages/exceptions-badge.tsx';

interface NavItem {
  path: string;
  label: string;
  /** the (area, action) the page needs: the server's policy decides, via the session's permissions */
  needs: [string, string];
  page: LazyExoticComponent<ComponentType> | ComponentType;
  /** further routes under this item */
  children?: Array<{ path: string; page: LazyExoticComponent<ComponentType> }>;
  /** shown after the label (a count that needs attention) */
  badge?: ComponentType;
}

const NAV: NavItem[] = [
  { path: '/', label: 'Overview', needs: ['controls', 'read'], page: Overview },
  {
    path: '/controls',
    label: 'Controls',
    needs: ['controls', 'read'],
    page: lazy(() => import('./pages/controls.tsx')),
    children: [{ path: '/controls/:id', page: lazy(() => import('./pages/control-detail.tsx')) }],
  },
  { path: '/policies', label: 'Policies', needs: ['policies', 'read'], page: lazy(() => import('./pages/policies.tsx')) },
  { path: '/decisions', label: 'Decisions', needs: ['decisions', 'read'], page: lazy(() => import('./pages/decisions.tsx')) },
  { path: '/exceptions', label: 'Exceptions', needs: ['exceptions', 'read'], page: lazy(() => import('./pages/exceptions.tsx')), badge: ExceptionsNavBadge },
  {
    path: '/incidents',
    label: 'Incidents',
    needs: ['incidents', 'read'],
    page: lazy(() => import('./pages/incidents.tsx')),
    children: [{ path: '/incidents/:id', page: lazy(() => import('./pages/incidents.tsx')) }],
  },
  { path: '/pii-reveals', label: 'PII reveals', needs: ['pii_reveals', 'read'], page: lazy(() => import('./pages/pii-reveals.tsx')) },
  { path: '/access-review', label: 'Access review', needs: ['evidence', 'read'], page: lazy(() => import('./pages/access-review.tsx')) },
  { path: '/packs', label: 'Evidence packs', needs: ['packs', 'read'], page: lazy(() => import('./pages/packs.tsx')) },
  { path: '/settings', label: 'Settings', needs: ['settings', 'read'], page: lazy(() => import('./pages/settings.tsx')) },
];

export function App() {
  const { session, loading, error } = useSession();
  if (loading) return <Loading label="Starting the console…" />;
  if (!session) return <SignIn startupError={error} />;
  return <Shell />;
}

function Shell() {
  const { session, can, signOut } = useSession();
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const first = useRef(true);

  // After navigation, close the phone menu and move focus to the new page's heading (screen readers announce it).
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- closing the menu belongs with the focus move, after navigation
    setMenuOpen(false);
    if (first.current) {
      first.current = false;
      return;
    }
    focusHeadingOnNextPage();
  }, [location.pathname]);

  const items = NAV.filter((n) => can(...n.needs));
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button type="button" className="btn btn-ghost menu-button" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen((o) => !o)}>
          <span aria-hidden="true">☰</span> Menu
        </button>
        <span className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          Tenet
        </span>
        <div className="user">
          <span className="user-name">{session!.user.name}</span>
          <span className="role-chip">{ROLE_LABEL[session!.user.role] ?? session!.user.role}</span>
          <button type="button" className="btn btn-ghost" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <nav id="main-nav" aria-label="Main" className={menuOpen ? 'nav open' : 'nav'}>
        <ul>
          {items.map((n) => (
            <li key={n.path}>
              <NavLink to={n.path} end={n.path === '/'}>
                {n.label}
                {n.badge ? <n.badge /> : null}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="main">
        <ErrorBoundary key={location.pathname}>
          <Suspense fallback={<Loading />}>
            <Routes>
              {NAV.flatMap((n) =>
                [{ path: n.path, page: n.page }, ...(n.children ?? [])].map(({ path, page: Page }) => (
                  <Route key={path} path={path} element={can(...n.needs) ? <Page /> : <NotAllowed label={n.label} />} />
                )),
              )}
              <Route path="*" element={<ErrorState title="Page not found" error={new Error('There is no page at this address.')} />} />
            </Routes>
          </Suspense>
        </ErrorBoundary>
      </main>
    </div>
  );
}

function NotAllowed(props: { label: string }) {
  const { session } = useSession();
  return <ErrorState title="Not allowed" error={new Error(`The ${ROLE_LABEL[session!.user.role] ?? session!.user.role} role may not open ${props.label}.`)} />;
}
