import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { UnitsOfWork } from '@waybill/eventing';
import { ApiDoc, DEFAULT_PAGE_LIMIT, RequireScopes } from '@waybill/platform';
import type { ConnectionView } from '../domain/connection';
import { ConnectionPage, ConnectionQueries } from '../policies/connection-queries';
import { PutConnection } from '../connections/put-connection.service';
import { PollerView, ReconcileOrders } from '../reconcile-orders/reconcile-orders.service';
import { CONNECTIONS_API } from './channels.openapi';
import { ConnectionListQuery, ConnectionParams, PutConnectionBody } from './connection.dto';

/** Connections hold platform credentials: only the admin key (or a key given this scope) manages them. */
@Controller('v1/channels/connections')
@RequireScopes('channels:admin')
export class ConnectionsController {
  constructor(
    private readonly units: UnitsOfWork,
    private readonly putConnection: PutConnection,
    private readonly queries: ConnectionQueries,
    private readonly reconcile: ReconcileOrders,
  ) {}

  @Put(':id')
  @ApiDoc(CONNECTIONS_API.put)
  async put(@Param() { id }: ConnectionParams, @Body() body: PutConnectionBody): Promise<ConnectionView> {
    const result = await this.units.run((uow) =>
      this.putConnection.execute(uow, {
        settings: {
          id,
          channel: body.channel,
          store: body.store,
          storefrontId: body.storefrontId,
          apiBase: body.api.base,
          defaults: { currency: body.defaults.currency, timezone: body.defaults.timezone },
          ...(body.mapping && { mapping: { overlay: body.mapping.overlay } }),
        },
        secrets: { signingSecret: body.signingSecret, credentials: body.api.credentials },
      }),
    );
    return result.connection;
  }

  @Get(':id')
  @ApiDoc(CONNECTIONS_API.get)
  get(@Param() { id }: ConnectionParams): Promise<ConnectionView> {
    return this.queries.get(id);
  }

  @Get()
  @ApiDoc(CONNECTIONS_API.list)
  list(@Query() query: ConnectionListQuery): Promise<ConnectionPage> {
    return this.queries.list({ cursor: query.cursor, limit: query.limit ?? DEFAULT_PAGE_LIMIT });
  }

  @Get(':id/poller')
  @ApiDoc(CONNECTIONS_API.poller)
  poller(@Param() { id }: ConnectionParams): Promise<PollerView> {
    return this.reconcile.view(id);
  }

  @Post(':id/poll')
  @HttpCode(202)
  @ApiDoc(CONNECTIONS_API.pollNow)
  async pollNow(@Param() { id }: ConnectionParams): Promise<PollerView> {
    await this.reconcile.pollNow(id);
    return this.reconcile.view(id);
  }
}
