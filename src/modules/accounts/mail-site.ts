import type { DbOrTrx } from '../../db/database.ts';
import type { MailSite } from './account-mail.ts';

/** What account mails say about where they come from: the authority's name and our address. */
export async function mailSite(db: DbOrTrx, authorityId: bigint, baseUrl: string): Promise<MailSite> {
  const a = await db.selectFrom('authority').select('name').where('id', '=', authorityId).executeTakeFirstOrThrow();
  return { authorityName: a.name, baseUrl };
}
