import type { StatusMapping } from '../domain/tracking-update';
import { AFTERSHIP_STATUS_TABLE } from './aftership.carrier';
import { EASYPOST_STATUS_TABLE } from './easypost.carrier';
import { KUAIDI100_STATUS_TABLE } from './kuaidi100.protocol';
import { SF_STATUS_TABLE } from './sf.protocol';
import { WAYBILL_STATUS_TABLE } from './waybill-tracking-webhook';
import { ZTO_STATUS_TABLE } from './zto.protocol';

/** Every carrier's mapping table, as the README documents it (readme-status-table.spec.ts checks). */
export const STATUS_TABLES: readonly {
  readonly carriers: string;
  readonly table: readonly StatusMapping[];
}[] = [
  { carriers: 'aftership', table: AFTERSHIP_STATUS_TABLE },
  { carriers: 'easypost', table: EASYPOST_STATUS_TABLE },
  { carriers: 'direct, sandbox', table: WAYBILL_STATUS_TABLE },
  { carriers: 'kuaidi100', table: KUAIDI100_STATUS_TABLE },
  { carriers: 'sf', table: SF_STATUS_TABLE },
  { carriers: 'zto', table: ZTO_STATUS_TABLE },
];

export function renderStatusTable(): string {
  const rows = STATUS_TABLES.flatMap(({ carriers, table }) =>
    table.map((row) => `| ${carriers} | \`${row.carrierStatus}\` | \`${row.status}\` | ${row.note ?? ''} |`),
  );
  return ['| carrier | carrier status | canonical status | why |', '| --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
}
