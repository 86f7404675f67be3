// The frame of every signed-in page: a skip link, the header with the navigation, the live
// balance and the user's menu, and the page itself in <main>.
import type { ReactNode } from 'react';
import { Link, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';
import { CreditBalance } from './common.tsx';

interface NavItem {
  to: string;
  label: string;
  /** Data pages: shown only when the plan includes the web app. */
  data?: boolean;
  /** Shown only when the plan includes this feature (the website-visitors pages). */
  feature?: 'website_visitors';
  ownerOnly?: boolean;
}

const customerNav: NavItem[] = [
  { to: '/', label: 'Dashboard' },
  { to: '/search', label: 'Search', data: true },
  { to: '/subscriptions', label: 'Subscriptions', data: true },
  { to: '/visitors', label: 'Visitors', feature: 'website_visitors' },
  { to: '/sites', label: 'Sites', feature: 'website_visitors' },
  { to: '/credits', label: 'Credits' },
  { to: '/api-keys', label: 'API keys' },
  { to: '/team', label: 'Team' },
];

const operatorNav: NavItem[] = [{ to: '/operator', label: 'Accounts' }];

function isCurrent(to: string, pathname: string): boolean {
  if (to === '/') return pathname === '/';
  if (to === '/search') return pathname === '/search' || pathname.startsWith('/companies/');
  return pathname === to || pathname.startsWith(`${to}/`);
}

export function Layout({ children }: { children: ReactNode }) {
  const { session, account, hasFeature, signOut, live } = useSession();
  const { pathname } = useLocation();
  const operator = session?.user.role === 'operator';
  const items = operator ? operatorNav : customerNav.filter((item) => (!item.data || hasFeature('web_app')) && (!item.feature || hasFeature(item.feature)));
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <div className="top-inner">
          <Link to={operator ? '/operator' : '/'} className="brand">
            Quarry{operator && <span className="brand-note"> operator console</span>}
          </Link>
          <nav aria-label="Main">
            <ul>
              {items.map((item) => (
                <li key={item.to}>
                  <Link to={item.to} aria-current={isCurrent(item.to, pathname) ? 'page' : undefined}>
                    {item.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <div className="top-right">
            {account && (
              <Link to="/credits" className="balance-pill" title={live ? 'Live balance' : 'Balance (reconnecting…)'}>
                <span className="visually-hidden">Balance: </span>
                <CreditBalance className="balance-number" /> <span className="balance-unit">credits</span>
                <span className={live ? 'live-dot live' : 'live-dot'} aria-hidden="true" />
              </Link>
            )}
            <span className="user" title={account ? `${session?.user.email} · ${account.name}` : session?.user.email}>
              {session?.user.email}
            </span>
            <button type="button" className="button-quiet" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
