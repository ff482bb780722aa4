/** Escape text for HTML element content and quoted attribute values (every report string goes through it). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A share as a percentage with one decimal (`12.3%`). */
export function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** An integer with thin-space thousands separators, locale-independent (`10 000 000`). */
export function integer(value: number): string {
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
}

/** A coordinate for SVG: at most 2 decimals, no trailing zeros (keeps pages small and stable). */
export function coord(value: number): string {
  return String(Math.round(value * 100) / 100);
}
