import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '../db/database.ts';
import { loadConfiguration, parseConfiguration, type LoadedExam } from '../modules/exams/load-configuration.ts';
import type { PersonalDataKeys } from '../shared/personal-data.ts';

/** The five seed systems as configuration data files (fixtures/seeds/*.json). */
export const SEED_CONFIGURATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/seeds');

export function seedConfigurationFiles(): string[] {
  return fs.readdirSync(SEED_CONFIGURATIONS_DIR).filter((f) => /^\d{3}-[a-z0-9-]+\.json$/.test(f)).sort().map((f) => path.join(SEED_CONFIGURATIONS_DIR, f));
}

export function readConfiguration(file: string) {
  return parseConfiguration(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** Loads each seed configuration whose authority does not exist yet; returns what it created. */
export async function seedConfigurations(ctx: { db: Db; personalData: PersonalDataKeys }, now: Date): Promise<(LoadedExam & { examName: string })[]> {
  const loaded: (LoadedExam & { examName: string })[] = [];
  for (const file of seedConfigurationFiles()) {
    const config = readConfiguration(file);
    const exam = await loadConfiguration(ctx, config, now);
    if (exam) loaded.push({ ...exam, examName: config.exam.name });
  }
  return loaded;
}
