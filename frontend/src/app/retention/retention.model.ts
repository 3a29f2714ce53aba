import type { ExportQuery } from '@parley/contract';

/** How long a number of days keeps messages, in the page's words (0 and null both keep them forever). */
export function daysLabel(days: number | null): string {
  if (days === null || days === 0) return 'Kept forever';
  return days === 1 ? '1 day' : `${days} days`;
}

/** The export's address from the form: blank fields are left out, so the server applies no filter for them. */
export function exportHref(form: { conversation: string; after: string; before: string }): string {
  const query: ExportQuery = {};
  const conversation = form.conversation.trim();
  if (conversation) query.conversation = conversation;
  if (form.after) query.after = form.after;
  if (form.before) query.before = form.before;
  const search = new URLSearchParams(query as Record<string, string>).toString();
  return search ? `/api/admin/export?${search}` : '/api/admin/export';
}

/** What is wrong with the override form before anything is sent; null when it can go. */
export function overrideProblem(conversation: string, days: number | null): string | null {
  if (!conversation.trim()) return 'Enter a conversation, for example channel:ops.';
  if (days === null || !Number.isInteger(days) || days < 0) return 'Enter a whole number of days, 0 or more (0 keeps them forever).';
  return null;
}
