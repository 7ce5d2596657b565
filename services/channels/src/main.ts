import 'reflect-metadata';
import { runService } from '@waybill/eventing';
import { ChannelsConfig } from './channels.config';
import { ChannelsModule } from './channels.module';
import { CHANNELS_MIGRATIONS } from './persistence/migrations';

void runService({
  service: 'channels',
  config: ChannelsConfig,
  module: (config) => ChannelsModule.forRoot(config),
  migrations: CHANNELS_MIGRATIONS,
});
