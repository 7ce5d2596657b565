import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderStatusTable } from './status-table';

const README = path.join(__dirname, '..', '..', 'README.md');
const START = '<!-- status-table:start (checked by src/carriers/readme-status-table.spec.ts) -->';
const END = '<!-- status-table:end -->';

describe('the README mapping table', () => {
  it('is exactly what the carriers map (paste the expected block below into services/logistics/README.md)', () => {
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    expect(readme.slice(start + START.length, end).trim()).toBe(renderStatusTable());
  });
});
