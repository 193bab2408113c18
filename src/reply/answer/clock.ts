/** Time and date answers in the person's time zone, through Intl (no time-zone tables of our own). */

/** True when Intl knows this IANA time zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** True when Intl can format for this locale tag. */
export function isValidLocale(locale: string): boolean {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([locale]).length > 0;
  } catch {
    return false;
  }
}

/** Time zone and locale to format with, falling back to UTC and en-GB when the given ones are unusable. */
export interface ClockPlace {
  timeZone: string;
  locale: string;
  /** True when the requested time zone was unusable and UTC is used instead. */
  fellBack: boolean;
}

export function clockPlace(timeZone: string, locale: string): ClockPlace {
  const zoneOk = isValidTimeZone(timeZone);
  return { timeZone: zoneOk ? timeZone : 'UTC', locale: isValidLocale(locale) ? locale : 'en-GB', fellBack: !zoneOk };
}

/** "3:20 PM" / "15:20", as the locale writes times. */
export function formatTime(now: Date, place: ClockPlace): string {
  return new Intl.DateTimeFormat(place.locale, { timeZone: place.timeZone, hour: 'numeric', minute: '2-digit' }).format(
    now,
  );
}

/** "Tuesday 4 March 2025", as the locale writes dates. */
export function formatDate(now: Date, place: ClockPlace): string {
  return new Intl.DateTimeFormat(place.locale, {
    timeZone: place.timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(now);
}

/** Hour of day 0–23 in the place's time zone, for "good evening" and late-night care. */
export function hourIn(now: Date, place: ClockPlace): number {
  const hour = new Intl.DateTimeFormat('en-GB', { timeZone: place.timeZone, hour: 'numeric', hourCycle: 'h23' }).format(
    now,
  );
  return Number.parseInt(hour, 10);
}

/** "morning", "afternoon", "evening" or "night" for an hour of day. */
export function partOfDay(hour: number): 'morning' | 'afternoon' | 'evening' | 'night' {
  if (hour >= 5 && hour < 12) return 'morning';
  if (hour >= 12 && hour < 18) return 'afternoon';
  if (hour >= 18 && hour < 23) return 'evening';
  return 'night';
}
