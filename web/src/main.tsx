import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { useTranslation } from 'react-i18next';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { ApiError } from './api/client.ts';
import { WaitingRoomOverlay } from './components/WaitingRoomOverlay.tsx';
import './i18n/index.ts';
import { routes } from './routes.tsx';

const queryClient = new QueryClient({
  defaultOptions: {
    // A refusal (4xx) will not change by asking again; a dropped connection might.
    queries: { retry: (n, e) => n < 2 && !(e instanceof ApiError && e.status >= 400 && e.status < 500), refetchOnWindowFocus: true },
    mutations: { retry: false },
  },
});
const router = createBrowserRouter(routes);

function Root() {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider locale={i18n.language.startsWith('zh') ? zhCN : enUS} theme={{ token: { colorPrimary: '#1456a0', colorLink: '#1456a0', colorTextDescription: 'rgba(0, 0, 0, 0.65)' },
      // Descriptions' labels default to 45 % black: 3.3:1, below WCAG AA's 4.5:1.
      components: { Descriptions: { labelColor: 'rgba(0, 0, 0, 0.65)' } } }}
      // Ant Design spaces out two-character Chinese labels ("通 过"), which screen readers then spell out.
      button={{ autoInsertSpace: false }}>
      <AntApp>
        <QueryClientProvider client={queryClient}>
          <RouterProvider router={router} />
          <WaitingRoomOverlay />
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}

createRoot(document.getElementById('root')!).render(<StrictMode><Root /></StrictMode>);
