import { Injectable } from '@nestjs/common';
import { Page, pageOf } from '@waybill/platform';
import { DataSource } from 'typeorm';
import { ConnectionRecord, ConnectionRepository } from '../persistence/connection.repository';
import type { ConnectionSecrets, ConnectionView } from '../domain/connection';
import { ConnectionSecretsBox } from './connection-secrets-box';
import { ConnectionNotFound } from './connection.errors';
import { viewOf } from './connection-view';

export type ConnectionPage = Page<ConnectionView>;

/** Reads connections: views for the API, the opened secrets only for the code that verifies and calls. */
@Injectable()
export class ConnectionQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly connections: ConnectionRepository,
    private readonly secretsBox: ConnectionSecretsBox,
  ) {}

  async get(id: string): Promise<ConnectionView> {
    return viewOf(await this.record(id));
  }

  async list(page: { cursor?: string; limit: number }): Promise<ConnectionPage> {
    const records = await this.connections.list(this.dataSource, {
      after: page.cursor,
      limit: page.limit + 1,
    });
    return pageOf(records, page.limit, viewOf, (view) => view.id);
  }

  /** For intake (signature checks) and the poller and dispatcher (API calls); never for an answer. */
  async withSecrets(id: string): Promise<{ connection: ConnectionView; secrets: ConnectionSecrets }> {
    const record = await this.record(id);
    return { connection: viewOf(record), secrets: this.secretsBox.open(record.id, record.secrets) };
  }

  private async record(id: string): Promise<ConnectionRecord> {
    const record = await this.connections.get(this.dataSource, id);
    if (!record) {
      throw new ConnectionNotFound(id);
    }
    return record;
  }
}
