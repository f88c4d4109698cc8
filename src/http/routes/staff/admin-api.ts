import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { staffApi } from '../../plugins/staff-auth.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { institutionRoutes } from '../institution/institution.routes.ts';
import { institutionBillRoutes } from '../institution/institution-bill.routes.ts';
import { institutionConsoleRoutes } from '../institution/institution-console.routes.ts';
import { adminRoutes } from './admin.routes.ts';
import { operationsRoutes } from './operations.routes.ts';
import { configurationRoutes } from './configuration.routes.ts';
import { sittingPartRoutes } from './sitting-parts.routes.ts';
import { importExportRoutes } from './import-export.routes.ts';
import { refundRoutes } from './refund.routes.ts';
import { staffReadRoutes } from './staff-read.routes.ts';
import { staffSessionRoutes } from './staff-session.routes.ts';
import { appealStaffRoutes } from './appeal.routes.ts';

/** /api/v1/admin: the authority's roles (authority admin, finance, read-only). */
export function adminApi(deps: RouteDeps): FastifyPluginAsyncTypebox {
  return staffApi('admin', deps, async (app) => {
    await app.register(staffSessionRoutes('admin', '/api/v1/admin', deps));
    await app.register(staffReadRoutes('/api/v1/admin', deps));
    await app.register(adminRoutes(deps));
    await app.register(refundRoutes(deps));
    await app.register(operationsRoutes(deps));
    await app.register(configurationRoutes(deps));
    await app.register(sittingPartRoutes(deps));
    await app.register(importExportRoutes('/api/v1/admin', deps));
    await app.register(appealStaffRoutes('/api/v1/admin', deps));
  });
}

/** /api/v1/institution: institution staff, inside their institution. */
export function institutionApi(deps: RouteDeps): FastifyPluginAsyncTypebox {
  return staffApi('institution', deps, async (app) => {
    await app.register(staffSessionRoutes('institution', '/api/v1/institution', deps));
    await app.register(staffReadRoutes('/api/v1/institution', deps));
    await app.register(institutionRoutes(deps));
    await app.register(institutionBillRoutes(deps));
    await app.register(importExportRoutes('/api/v1/institution', deps));
    await app.register(appealStaffRoutes('/api/v1/institution', deps));
    await app.register(institutionConsoleRoutes(deps));
  });
}
