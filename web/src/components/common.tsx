// Small pieces every page uses: loading a value, showing an error in plain words, explaining a
// plan gate, and the balance figure that tools read (`data-testid="credit-balance"`).
import { useCallback, useEffect, useRef, useState, type DependencyList, type ReactNode } from 'react';
import { ApiError } from '../api.ts';
import { useSession } from '../session.tsx';

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/** Runs `load` when `deps` change (and on reload()), keeping the last data while it reloads. */
export function useAsync<T>(load: () => Promise<T>, deps: DependencyList): AsyncState<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let cancelled = false;
    setState((previous) => ({ ...previous, loading: true }));
    loadRef.current().then(
      (data) => !cancelled && setState({ data, error: undefined, loading: false }),
      (error: unknown) => !cancelled && setState({ data: undefined, error, loading: false }),
    );
    return () => {
      cancelled = true;
    };
    // The caller's deps decide when to load again, as with useEffect; `load` itself is read
    // through a ref so that an inline function does not reload on every render.
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { ...state, reload };
}

/** One page of a list answered with a cursor, as every list endpoint of the API answers. */
export interface CursorPage<T> {
  data: T[];
  next_cursor: string | null;
}

export interface PagedList<T> {
  /** The first page's load (its error, or undefined data while it loads). */
  first: AsyncState<CursorPage<T>>;
  /** Every item shown so far: the first page, then the pages "load more" added. */
  items: T[];
  /** The cursor of the next page; null when the last one is shown. */
  cursor: string | null;
  loadingMore: boolean;
  /** The error of the last "load more", if it failed. */
  moreError: unknown;
  loadMore(): Promise<void>;
}

/** A cursor-paged list: the first page on mount (the caller keys the component to start over), then "load more". */
export function usePagedList<T>(load: (cursor: string | undefined) => Promise<CursorPage<T>>): PagedList<T> {
  const first = useAsync(() => load(undefined), []);
  const [more, setMore] = useState<{ items: T[]; cursor: string | null; error?: unknown }>({ items: [], cursor: null });
  const [loadingMore, setLoadingMore] = useState(false);
  const items = [...(first.data?.data ?? []), ...more.items];
  const cursor = more.items.length > 0 ? more.cursor : (first.data?.next_cursor ?? null);
  const loadMore = async () => {
    setLoadingMore(true);
    try {
      const page = await load(cursor ?? undefined);
      setMore({ items: [...more.items, ...page.data], cursor: page.next_cursor });
    } catch (error) {
      setMore({ ...more, error });
    } finally {
      setLoadingMore(false);
    }
  };
  return { first, items, cursor, loadingMore, moreError: more.error, loadMore };
}

/** What went wrong, in words a customer understands. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'insufficient_credits':
        return 'You do not have enough credits for this. Buy a top-up on the Credits page, or ask your account manager.';
      case 'feature_not_in_plan':
        return `Your plan does not include this. (${error.message})`;
      case 'not_found':
        return 'Not found. It may not exist, or it belongs to another account.';
      case 'forbidden':
        return `You are not allowed to do this: ${error.message}`;
      case 'rate_limited':
        return 'Too many requests at once. Wait a moment and try again.';
      default:
        return error.message;
    }
  }
  if (error instanceof TypeError) return 'The server could not be reached. Check your connection and try again.';
  return error instanceof Error ? error.message : 'Something went wrong.';
}

export function ErrorMessage({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  return (
    <p className="message message-error" role="alert">
      {errorText(error)}
    </p>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="muted" role="status">
      {label}
    </p>
  );
}

/** The balance as a bare number, for people and for tools (`data-testid="credit-balance"`). */
export function CreditBalance({ className }: { className?: string }) {
  const { balance } = useSession();
  return (
    <span className={className} data-testid="credit-balance">
      {balance ?? '…'}
    </span>
  );
}

/** A plain explanation where the plan does not include a page or a feature. */
export function PlanGate({ title, children }: { title: string; children: ReactNode }) {
  const { account } = useSession();
  return (
    <section className="panel gate" aria-labelledby="gate-title">
      <h2 id="gate-title">{title}</h2>
      {children}
      {account && (
        <p className="muted">
          Your account is on the <strong>{account.plan.name}</strong> plan ({account.plan.features.join(', ')}). To change plans, contact your account
          manager.
        </p>
      )}
    </section>
  );
}

/** The page's title: the one h1, focused after each navigation so screen readers announce the new page. */
export function PageTitle({ children, subtitle }: { children: ReactNode; subtitle?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
  }, []);
  return (
    <header className="page-title">
      <h1 tabIndex={-1} ref={heading}>
        {children}
      </h1>
      {subtitle && <p className="muted">{subtitle}</p>}
    </header>
  );
}

/** For data pages: the app's data needs the web_app feature. */
export function WebAppGate({ children }: { children: ReactNode }) {
  const { hasFeature, account } = useSession();
  if (!account || hasFeature('web_app')) return <>{children}</>;
  return (
    <PlanGate title="This page is not part of your plan">
      <p>
        Your plan gives access to Quarry's data through the API only. In the web app you can manage your account: watch your balance and usage, read
        the credit ledger, buy top-ups and manage API keys and team members. Searching and unlocking companies here needs a plan with the web app.
      </p>
    </PlanGate>
  );
}

/** For the website-visitors pages (Sites, Visitors): they need the website_visitors feature. */
export function WebsiteVisitorsGate({ children }: { children: ReactNode }) {
  const { hasFeature, account } = useSession();
  if (!account || hasFeature('website_visitors')) return <>{children}</>;
  return (
    <PlanGate title="Website visitors are not part of your plan">
      <p>
        With website visitors, you paste a small snippet into your website's pages, and Quarry shows which companies visit it, which pages they read
        and where they came from. Each company identified this way is unlocked for free for 12 months. It comes with plans that include{' '}
        <strong>website_visitors</strong>.
      </p>
    </PlanGate>
  );
}

/**
 * The words of an API refusal that names `field` (`domain`, or `body.domain` from schema
 * validation), without the field's name in front, for showing next to that field; undefined when
 * the error is about something else.
 */
export function fieldErrorText(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError) || error.field === undefined) return undefined;
  if (error.field !== field && !error.field.endsWith(`.${field}`)) return undefined;
  const message = error.message.startsWith(`${error.field}: `) ? error.message.slice(error.field.length + 2) : error.message;
  return message.charAt(0).toUpperCase() + message.slice(1);
}
