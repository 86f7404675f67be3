// How numbers and times read on every page: credits grouped by thousands, times in the reader's
// own time zone with the zone named, so "expires at" never leaves a doubt.
const creditsFormat = new Intl.NumberFormat('en-US');
const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
const moneyFormats = new Map<string, Intl.NumberFormat>();

export function formatCredits(credits: number): string {
  return creditsFormat.format(credits);
}

/** "+5" or "−1": a ledger movement with its sign. */
export function formatSignedCredits(credits: number): string {
  return credits > 0 ? `+${creditsFormat.format(credits)}` : credits < 0 ? `−${creditsFormat.format(-credits)}` : '0';
}

export function formatDate(iso: string): string {
  return dateFormat.format(new Date(iso));
}

export function formatDateTime(iso: string): string {
  return dateTimeFormat.format(new Date(iso));
}

export function formatMoney(amountCents: number, currency: string): string {
  let format = moneyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    moneyFormats.set(currency, format);
  }
  return format.format(amountCents / 100);
}

const compactFormat = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

export function formatCompact(value: number): string {
  return compactFormat.format(value);
}

/** Whole days from now until `iso` (0 when it is today or past). */
export function daysUntil(iso: string, now = Date.now()): number {
  return Math.max(0, Math.ceil((Date.parse(iso) - now) / 86_400_000));
}

/** How a record subscription started, as the pages name it. */
export const subscriptionSourceLabels = { credit: '1 credit', web_visit: 'Website visit (free)', grant: 'Granted (free)' } as const;
