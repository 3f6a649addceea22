/** An instant as ISO 8601 UTC text with milliseconds ("2026-11-25T21:39:51.123Z"); sorts as text. */
export type Timestamp = string;

export function timestamp(date: Date): Timestamp {
  return date.toISOString();
}

export function addSeconds(at: Timestamp, seconds: number): Timestamp {
  return new Date(Date.parse(at) + seconds * 1000).toISOString();
}
