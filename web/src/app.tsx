// Which page the URL names, for whom: the sign-in page when signed out, the operator console for
// operators, the customer pages for customer users.
import { useEffect, type ReactNode } from 'react';
import { Layout } from './components/layout.tsx';
import { Loading, PageTitle } from './components/common.tsx';
import { Link, matchPath, navigate, useLocation } from './router.tsx';
import { useSession } from './session.tsx';
import { SignInPage } from './pages/sign_in.tsx';
import { DashboardPage } from './pages/dashboard.tsx';
import { SearchPage } from './pages/search.tsx';
import { CompanyPage } from './pages/company.tsx';
import { SubscriptionsPage } from './pages/subscriptions.tsx';
import { VisitorsPage } from './pages/visitors.tsx';
import { SitesPage } from './pages/sites.tsx';
import { CreditsPage } from './pages/credits.tsx';
import { ApiKeysPage } from './pages/api_keys.tsx';
import { TeamPage } from './pages/team.tsx';
import { OperatorAccountsPage } from './pages/operator/accounts.tsx';
import { OperatorAccountPage } from './pages/operator/account.tsx';

interface Route {
  pattern: string;
  render(params: Record<string, string>): ReactNode;
}

const customerRoutes: Route[] = [
  { pattern: '/', render: () => <DashboardPage /> },
  { pattern: '/search', render: () => <SearchPage /> },
  { pattern: '/companies/:id', render: (params) => <CompanyPage key={params.id} id={params.id!} /> },
  { pattern: '/subscriptions', render: () => <SubscriptionsPage /> },
  { pattern: '/visitors', render: () => <VisitorsPage /> },
  { pattern: '/sites', render: () => <SitesPage /> },
  { pattern: '/credits', render: () => <CreditsPage /> },
  { pattern: '/api-keys', render: () => <ApiKeysPage /> },
  { pattern: '/team', render: () => <TeamPage /> },
];

const operatorRoutes: Route[] = [
  { pattern: '/operator', render: () => <OperatorAccountsPage /> },
  { pattern: '/operator/accounts/:id', render: (params) => <OperatorAccountPage key={params.id} id={params.id!} /> },
];

function render(routes: Route[], pathname: string): ReactNode {
  for (const route of routes) {
    const params = matchPath(route.pattern, pathname);
    if (params) return route.render(params);
  }
  return <NotFoundPage />;
}

function NotFoundPage() {
  return (
    <div className="page">
      <PageTitle>Page not found</PageTitle>
      <p>
        There is no page at this address. <Link to="/">Go to the start page</Link>.
      </p>
    </div>
  );
}

export function App() {
  const { session } = useSession();
  const { pathname } = useLocation();
  const operator = session?.user.role === 'operator';

  // After signing in (or out), the address shows where the person now is.
  useEffect(() => {
    if (!session) return;
    if (pathname === '/sign-in') navigate(operator ? '/operator' : '/', { replace: true });
    else if (operator && !pathname.startsWith('/operator')) navigate('/operator', { replace: true });
  }, [session, operator, pathname]);

  if (session === undefined) {
    return (
      <main id="main" className="sign-in">
        <Loading />
      </main>
    );
  }
  if (session === null) return <SignInPage />;
  return <Layout>{render(operator ? operatorRoutes : customerRoutes, pathname)}</Layout>;
}
