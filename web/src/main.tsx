import { StrictMode, Suspense, lazy } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes, useLocation } from 'react-router-dom';
import { App as AntApp, ConfigProvider, Spin } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import 'dayjs/locale/zh-cn';
import dayjs from 'dayjs';
import { AuthProvider, useAuth } from './auth';
import { SignIn } from './pages/SignIn';
import { AppLayout } from './Layout';
import { PageErrorBoundary } from './components/PageError';

dayjs.locale('zh-cn');

// A tab left open across an upgrade asks for page chunks the new build no longer has: it loads the
// new build instead of going blank. At most once a minute, so a chunk that is really missing (a
// broken deployment) shows its error rather than reloading for ever.
window.addEventListener('vite:preloadError', (event) => {
  const last = Number(sessionStorage.getItem('xgz-reloaded-for-build') ?? 0);
  if (Date.now() - last < 60_000) return;
  sessionStorage.setItem('xgz-reloaded-for-build', String(Date.now()));
  event.preventDefault();
  window.location.reload();
});

const Home = lazy(() => import('./pages/Home'));
const Stations = lazy(() => import('./pages/Stations'));
const Units = lazy(() => import('./pages/Units'));
const Accounts = lazy(() => import('./pages/Accounts'));
const Sessions = lazy(() => import('./pages/Sessions'));
const ServiceAccounts = lazy(() => import('./pages/ServiceAccounts'));
const Settings = lazy(() => import('./pages/Settings'));
const Audit = lazy(() => import('./pages/Audit'));
const Entities = lazy(() => import('./pages/Entities'));
const Unassigned = lazy(() => import('./pages/Unassigned'));
const EntityDetail = lazy(() => import('./pages/EntityDetail'));
const ExitReviews = lazy(() => import('./pages/ExitReviews'));
const Zones = lazy(() => import('./pages/Zones'));
const Imports = lazy(() => import('./pages/Imports'));
const Members = lazy(() => import('./pages/Members'));
const Discovery = lazy(() => import('./pages/Discovery'));
const SelfReport = lazy(() => import('./pages/SelfReport'));
const Coverage = lazy(() => import('./pages/Coverage'));
const Dashboard = lazy(() => import('./pages/Dashboard'));
const Orgs = lazy(() => import('./pages/Orgs'));
const Proposals = lazy(() => import('./pages/Proposals'));
const Instructors = lazy(() => import('./pages/Instructors'));
const GuidancePost = lazy(() => import('./pages/GuidancePost'));
const Sanliang = lazy(() => import('./pages/Sanliang'));
const Verify = lazy(() => import('./pages/Verify'));
const Points = lazy(() => import('./pages/Points'));
const Honours = lazy(() => import('./pages/Honours'));
const Education = lazy(() => import('./pages/Education'));
const NewEmployment = lazy(() => import('./pages/NewEmployment'));
const Assistance = lazy(() => import('./pages/Assistance'));
const Appeal = lazy(() => import('./pages/Appeal'));
const Appeals = lazy(() => import('./pages/Appeals'));
const Reports = lazy(() => import('./pages/Reports'));
const ReportPrint = lazy(() => import('./pages/ReportPrint'));
const Assessment = lazy(() => import('./pages/Assessment'));
const Work = lazy(() => import('./pages/Work'));
const WorkDetail = lazy(() => import('./pages/WorkDetail'));
const Digest = lazy(() => import('./pages/Digest'));

function Shell() {
  const { me, loading } = useAuth();
  const { pathname } = useLocation();
  // Public pages need no account.
  if (window.location.pathname.startsWith('/self-report'))
    return (
      <Suspense fallback={<Spin />}>
        <SelfReport />
      </Suspense>
    );
  if (window.location.pathname.startsWith('/verify/'))
    return (
      <Suspense fallback={<Spin />}>
        <Verify />
      </Suspense>
    );
  if (/^\/appeal(\/|$)/.test(window.location.pathname))
    return (
      <Suspense fallback={<Spin />}>
        <Appeal />
      </Suspense>
    );
  if (loading) return <Spin size="large" style={{ display: 'block', marginTop: '30vh' }} />;
  if (!me || me.stage !== 'full') return <SignIn />;
  return (
    <AppLayout>
      <PageErrorBoundary at={pathname}>
        <Suspense fallback={<Spin />}>
          <Routes>
            <Route path="/" element={<Home />} />
            <Route path="/stations" element={<Stations />} />
            <Route path="/units" element={<Units />} />
            <Route path="/accounts" element={<Accounts />} />
            <Route path="/sessions" element={<Sessions />} />
            <Route path="/service-accounts" element={<ServiceAccounts />} />
            <Route path="/settings" element={<Settings />} />
            <Route path="/audit" element={<Audit />} />
            <Route path="/entities" element={<Entities />} />
            <Route path="/entities/unassigned" element={<Unassigned />} />
            <Route path="/entities/:id" element={<EntityDetail />} />
            <Route path="/zones" element={<Zones />} />
            <Route path="/imports" element={<Imports />} />
            <Route path="/members" element={<Members />} />
            <Route path="/discovery" element={<Discovery />} />
            <Route path="/coverage" element={<Coverage />} />
            <Route path="/dashboard" element={<Dashboard />} />
            <Route path="/orgs" element={<Orgs />} />
            <Route path="/proposals" element={<Proposals />} />
            <Route path="/instructors" element={<Instructors />} />
            <Route path="/guidance-posts/:code" element={<GuidancePost />} />
            <Route path="/sanliang/*" element={<Sanliang />} />
            <Route path="/points" element={<Points />} />
            <Route path="/honours" element={<Honours />} />
            <Route path="/exit-reviews" element={<ExitReviews />} />
            <Route path="/education" element={<Education />} />
            <Route path="/new-employment" element={<NewEmployment />} />
            <Route path="/assistance" element={<Assistance />} />
            <Route path="/appeals" element={<Appeals />} />
            <Route path="/reports" element={<Reports />} />
            <Route path="/reports/:id/print" element={<ReportPrint />} />
            <Route path="/assessment" element={<Assessment />} />
            <Route path="/work" element={<Work />} />
            <Route path="/work/:id" element={<WorkDetail />} />
            <Route path="/notifications" element={<Digest />} />
            <Route path="*" element={<Home />} />
          </Routes>
        </Suspense>
      </PageErrorBoundary>
    </AppLayout>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ConfigProvider
      locale={zhCN}
      theme={{ token: { colorPrimary: '#c62828', borderRadius: 6 } }}
      // A drawer's ✕ at its header's end: at the start it sat under the centred 已保存 toast, which
      // takes the click and, hovered, stays (CI saw a clerk's click land on 已标记为已建 for 30 s).
      drawer={{ closable: { placement: 'end' } }}
    >
      <AntApp>
        <BrowserRouter>
          <AuthProvider>
            <Shell />
          </AuthProvider>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  </StrictMode>,
);
