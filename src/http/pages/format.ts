// Times on pages: epoch seconds shown in UTC ("25 Nov 2026, 19:40 UTC") or relative to now ("3 hours ago").

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

function toDate(epochSeconds: number): Date | undefined {
  const date = new Date(epochSeconds * 1000);
  return Number.isFinite(date.getTime()) ? date : undefined;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** "25 Nov 2026, 19:40 UTC" */
export function formatUtc(epochSeconds: number): string {
  const d = toDate(epochSeconds);
  if (!d) return 'an unknown date';
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** ISO 8601 for a <time datetime> attribute; empty when the time is not valid. */
export function isoUtc(epochSeconds: number): string {
  const d = toDate(epochSeconds);
  return d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '';
}

const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'} ago`;

/** "just now", "5 minutes ago", "3 hours ago", "yesterday", "4 days ago", then the UTC date. */
export function formatRelative(epochSeconds: number, nowSeconds: number): string {
  const ago = Math.floor(nowSeconds - epochSeconds);
  if (!Number.isFinite(ago) || ago < -300) return formatUtc(epochSeconds);
  if (ago < 60) return 'just now';
  if (ago < 3600) return plural(Math.floor(ago / 60), 'minute');
  if (ago < 86400) return plural(Math.floor(ago / 3600), 'hour');
  const days = Math.floor(ago / 86400);
  if (days === 1) return 'yesterday';
  if (days < 7) return plural(days, 'day');
  return formatUtc(epochSeconds);
}

const amount = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** A lifetime in words, rounded up to the largest whole unit: "30 seconds", "10 minutes", "1 hour", "2 days". */
export function formatLifetime(seconds: number): string {
  if (seconds < 60) return amount(Math.max(1, Math.ceil(seconds)), 'second');
  if (seconds < 3600) return amount(Math.ceil(seconds / 60), 'minute');
  if (seconds < 86400) return amount(Math.ceil(seconds / 3600), 'hour');
  return amount(Math.ceil(seconds / 86400), 'day');
}
