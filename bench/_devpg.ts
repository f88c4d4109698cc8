import { startBenchDatabase } from './lib/postgres.ts';
const db = await startBenchDatabase();
console.log('URL', db.url);
process.on('SIGTERM', () => { void db.stop().then(() => process.exit(0)); });
setInterval(() => undefined, 1 << 30);
