import { useExceptions } from '../queries.ts';

/**
 * The Exceptions nav line's badge: how many exceptions in force expire soon (requirements.exceptionWarnDays). Shares
 * the register's query (one request, cached), so the warning is on every page, not only on the register.
 */
export function ExceptionsNavBadge() {
  const exceptions = useExceptions();
  const soon = (exceptions.data ?? []).filter((e) => e.expiresSoon).length;
  if (!soon) return null;
  return (
    <span className="nav-badge" title={`${soon} expiring soon`}>
      {soon}
      <span className="visually-hidden"> expiring soon</span>
    </span>
  );
}
