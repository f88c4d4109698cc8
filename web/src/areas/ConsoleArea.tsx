import { Spin } from 'antd';
import { Suspense, lazy, type ComponentType } from 'react';
import { useRoutes, type RouteObject } from 'react-router';
import { NotFoundPage } from '../pages/NotFoundPage.tsx';

/*
 * The consoles (charts, spreadsheets, configuration forms) are most of the app's code and no
 * candidate ever opens them; a candidate's phone at registration open should download only the
 * candidate's pages. Each console area is therefore its own chunk, fetched the first time a
 * page under its prefix opens. The area's routes keep their absolute paths in their own file;
 * here they are made relative to the prefix the splat route has already matched.
 */
export function relativeTo(prefix: string, routes: readonly RouteObject[]): RouteObject[] {
  return [
    ...routes.map((r): RouteObject => {
      if (!r.path?.startsWith(prefix)) throw new Error(`${r.path ?? '(no path)'} is not under ${prefix}`);
      const rest = r.path.slice(prefix.length).replace(/^\//, '');
      return rest === '' ? { index: true, element: r.element } : { path: rest, element: r.element };
    }),
    { path: '*', element: <NotFoundPage /> },
  ];
}

function AreaRoutes({ routes }: { routes: RouteObject[] }) {
  return useRoutes(routes);
}

/** A route object for every page under `prefix`, loaded from its own chunk on first use. */
export function consoleArea(prefix: string, load: () => Promise<readonly RouteObject[]>): RouteObject {
  const Area: ComponentType = lazy(async () => {
    const routes = relativeTo(prefix, await load());
    return { default: () => <AreaRoutes routes={routes} /> };
  });
  return {
    path: `${prefix}/*`,
    element: (
      <Suspense fallback={<div style={{ display: 'flex', justifyContent: 'center', padding: 48 }}><Spin size="large" /></div>}>
        <Area />
      </Suspense>
    ),
  };
}
