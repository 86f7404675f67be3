// Who is signed in, their account, and the live balance, for every page.
//
// On load the app asks GET /v1/session (the HttpOnly cookie answers for us). Signed in as a
// customer user, it opens GET /v1/events: the server pushes a `balance` event after every credit
// movement of the account, from any channel (the API, another user, an operator), so the balance
// in the header follows without a reload. `ledgerSeq` moves with it, and pages that show credit
// figures reload them when it changes.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, onSessionEnded, setCsrfToken, unwrap } from './api.ts';
import type { Account, Session } from './types.ts';

type SignedIn = Session & { user: NonNullable<Session['user']> };

export interface SessionState {
  /** undefined while the first GET /v1/session is under way. */
  session: SignedIn | null | undefined;
  account: Account | null;
  /** The live balance (the latest `balance` event), or the account's when no event came yet. */
  balance: number | null;
  /** The sequence of the latest ledger entry the page knows of. */
  ledgerSeq: number | null;
  /** Whether the live stream is connected. */
  live: boolean;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  refreshAccount(): Promise<void>;
  hasFeature(feature: 'web_app' | 'api_basic' | 'api_advanced' | 'website_visitors'): boolean;
}

const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}

function isSignedIn(session: Session): session is SignedIn {
  return session.user !== null;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SignedIn | null | undefined>(undefined);
  const [account, setAccount] = useState<Account | null>(null);
  const [live, setLive] = useState<{ balance: number; ledgerSeq: number } | null>(null);
  const [connected, setConnected] = useState(false);

  const adopt = useCallback((next: Session | null) => {
    const signedIn = next !== null && isSignedIn(next) ? next : null;
    setCsrfToken(signedIn?.csrf_token ?? null);
    setSession(signedIn);
    setAccount(signedIn?.account ?? null);
    setLive(null);
  }, []);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const { data } = await api.GET('/v1/session');
      if (!cancelled) adopt(data ?? null);
    })().catch(() => {
      if (!cancelled) adopt(null);
    });
    return () => {
      cancelled = true;
    };
  }, [adopt]);

  useEffect(() => onSessionEnded(() => adopt(null)), [adopt]);

  const accountId = session?.account?.id;
  useEffect(() => {
    if (!accountId) return;
    const events = new EventSource('/v1/events');
    events.addEventListener('open', () => setConnected(true));
    events.addEventListener('error', () => setConnected(false));
    events.addEventListener('balance', (event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as { balance: number; ledger_seq: number };
      setLive((previous) => (previous && previous.ledgerSeq > data.ledger_seq ? previous : { balance: data.balance, ledgerSeq: data.ledger_seq }));
    });
    return () => {
      events.close();
      setConnected(false);
    };
  }, [accountId]);

  const refreshAccount = useCallback(async () => {
    if (!accountId) return;
    setAccount(await unwrap(api.GET('/v1/account')));
  }, [accountId]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      adopt(await unwrap(api.POST('/v1/session', { body: { email, password } })));
    },
    [adopt],
  );

  const signOut = useCallback(async () => {
    try {
      await unwrap(api.DELETE('/v1/session'));
    } finally {
      adopt(null);
    }
  }, [adopt]);

  const value = useMemo<SessionState>(
    () => ({
      session,
      account,
      balance: live?.balance ?? account?.credits.balance ?? null,
      ledgerSeq: live?.ledgerSeq ?? null,
      live: connected,
      signIn,
      signOut,
      refreshAccount,
      hasFeature: (feature) => account?.plan.features.includes(feature) ?? false,
    }),
    [session, account, live, connected, signIn, signOut, refreshAccount],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
