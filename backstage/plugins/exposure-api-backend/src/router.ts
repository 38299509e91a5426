// Routes under /api/exposure-api: the exposures of a catalog entity. Every route takes a signed-in
// user, reads the entity with that user's credentials (an entity they may not see is a 404), and
// asks the permission framework about that entity before calling exposure-api.
import type {
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult, type ResourcePermission } from '@backstage/plugin-permission-common';
import {
  type ExposureApiClients,
  type ExposureClient,
  withBackstageErrors,
} from '@exposure-api/backstage-plugin-exposure-api-node';
import type express from 'express';
import type { Request } from 'express';
import Router from 'express-promise-router';
import { type EntityScope, scopeOfEntity } from './entity-scope.ts';
import { relayWatch } from './event-stream.ts';
import { exposureDeletePermission, exposureReadPermission } from './permissions.ts';

/** The label exposure-api puts on each exposure's Service with its id. */
const EXPOSURE_ID_LABEL = 'exposure-api.io/id';
/** The shape of an exposure id; checked before it goes into a label selector. */
const EXPOSURE_ID_SHAPE = /^exp_[0-9a-z]{26}$/;

export interface RouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  clients: ExposureApiClients;
  logger: LoggerService;
}

interface EntityContext {
  entityRef: string;
  scope: EntityScope;
  client: ExposureClient;
}

type EntityParams = { namespace: string; kind: string; name: string };

export function createRouter(options: RouterOptions): express.Router {
  const { httpAuth, permissions, catalog, clients, logger } = options;
  const router = Router();
  const ENTITY_EXPOSURES = '/entities/:namespace/:kind/:name/exposures';

  async function entityContext(
    req: Request<EntityParams>,
    permission: ResourcePermission<'catalog-entity'>,
  ): Promise<EntityContext> {
    const credentials: BackstageCredentials = await httpAuth.credentials(req, { allow: ['user'] });
    const { namespace, kind, name } = req.params;
    const entityRef = stringifyEntityRef({ kind, namespace, name });
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) throw new NotFoundError(`no entity ${entityRef}`);
    const [decision] = await permissions.authorize([{ permission, resourceRef: entityRef }], { credentials });
    if (decision?.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`${permission.name} is not allowed on ${entityRef}`);
    }
    const scope = scopeOfEntity(entity, clients.settings.namespaceOwners);
    if (scope.kind === 'none') logger.debug(`${entityRef} has no exposures: ${scope.reason}`);
    return { entityRef, scope, client: await clients.forCredentials(credentials) };
  }

  /** Whether exposure `id` is one of the entity's, asked of exposure-api with the entity's selector. */
  async function belongsToEntity(context: EntityContext, id: string): Promise<boolean> {
    if (context.scope.kind === 'none') return false;
    const { namespace, labelSelector } = context.scope;
    const page = await withBackstageErrors(() =>
      context.client.list({
        namespace,
        labelSelector: `${labelSelector},${EXPOSURE_ID_LABEL}=${id}`,
        limit: 1,
      }),
    );
    return page.items.some((item) => item.id === id);
  }

  async function entityExposure(req: Request<EntityParams & { id: string }>, context: EntityContext) {
    const { id } = req.params;
    if (!EXPOSURE_ID_SHAPE.test(id)) throw new InputError(`${id} is not an exposure id`);
    if (!(await belongsToEntity(context, id))) {
      throw new NotFoundError(`no exposure ${id} among those of ${context.entityRef}`);
    }
    return id;
  }

  router.get(ENTITY_EXPOSURES, async (req, res) => {
    const context = await entityContext(req, exposureReadPermission);
    const { scope, client } = context;
    if (scope.kind === 'none') {
      res.json({ items: [] });
      return;
    }
    const items = await withBackstageErrors(() =>
      client.listAll({ namespace: scope.namespace, labelSelector: scope.labelSelector }),
    );
    res.json({ items });
  });

  router.get(`${ENTITY_EXPOSURES}/:id`, async (req, res) => {
    const context = await entityContext(req, exposureReadPermission);
    const id = await entityExposure(req, context);
    const { value } = await withBackstageErrors(() => context.client.get(id));
    res.json(value);
  });

  router.get(`${ENTITY_EXPOSURES}/:id/watch`, async (req, res) => {
    const context = await entityContext(req, exposureReadPermission);
    const id = await entityExposure(req, context);
    await relayWatch(req, res, {
      client: context.client,
      id,
      stillBelongs: () => belongsToEntity(context, id),
    });
  });

  router.delete(`${ENTITY_EXPOSURES}/:id`, async (req, res) => {
    const context = await entityContext(req, exposureDeletePermission);
    const id = await entityExposure(req, context);
    const outcome = await withBackstageErrors(() => context.client.delete(id));
    if (outcome.state === 'deleted') res.status(204).end();
    else res.status(202).json(outcome.exposure);
  });

  return router;
}
