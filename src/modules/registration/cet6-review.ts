/**
 * CET6 eligibility review (REG-4, seed 002): the candidate gives a CET4 admission-ticket number;
 * its score record decides.
 * - the record's ID number is the candidate's (student record) → APPROVED at once, whatever the
 *   name says (names get mistyped; the ID number is the identity);
 * - another ID number but the same name → PENDING (未复核): the institution decides by hand;
 * - neither → the review cannot be filed.
 * A score under the threshold (425, configuration) cannot be filed either.
 * ID numbers are compared by their keyed lookup hashes (OPS-6): equal hashes, equal numbers.
 */
export interface Cet4Record {
  ticketNo: string;
  idNumberHash: Uint8Array;
  name: string;
  score: number;
}

export type Cet6ReviewDecision =
  | { filed: true; status: 'APPROVED' | 'PENDING' }
  | { filed: false; code: 'CET4_TICKET_NOT_FOUND' | 'CET4_SCORE_TOO_LOW' | 'CET4_IDENTITY_MISMATCH' };

const normaliseName = (s: string) => s.replace(/\s+/g, '');

export function decideCet6Review(input: {
  candidate: { idNumberHash: Uint8Array; name: string };
  record: Cet4Record | null;
  threshold: number;
}): Cet6ReviewDecision {
  const { candidate, record } = input;
  if (!record) return { filed: false, code: 'CET4_TICKET_NOT_FOUND' };
  if (record.score < input.threshold) return { filed: false, code: 'CET4_SCORE_TOO_LOW' };
  if (Buffer.from(record.idNumberHash).equals(candidate.idNumberHash)) return { filed: true, status: 'APPROVED' };
  if (normaliseName(record.name) === normaliseName(candidate.name)) return { filed: true, status: 'PENDING' };
  return { filed: false, code: 'CET4_IDENTITY_MISMATCH' };
}
