/** ID numbers as pages and mails show them (OPS-6): the first 3 and last 4 characters. */
export function maskIdNumber(id: string): string {
  return id.length <= 7 ? '*'.repeat(id.length) : `${id.slice(0, 3)}${'*'.repeat(id.length - 7)}${id.slice(-4)}`;
}
