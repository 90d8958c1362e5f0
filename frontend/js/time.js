// Wall-clock times in a circle's or roster's time zone, whatever zone this device is in.
// A family in Chicago asks for dinner at 18:00 Chicago time even if their sister fills the
// form from Madrid; the API wants that moment as ISO 8601 with its offset.

function offsetMinutes(utcMillis, timeZone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", {
    timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(utcMillis)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return Math.round((asUtc - utcMillis) / 60000);
}

// "2026-11-25", "18:00", "America/Chicago" -> "2026-11-25T18:00:00-06:00"
export function zonedISO(date, time, timeZone) {
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm] = time.split(":").map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  // Two passes settle the offset even on the day the clocks change.
  let offset = offsetMinutes(wall, timeZone);
  offset = offsetMinutes(wall - offset * 60000, timeZone);
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date}T${pad(hh)}:${pad(mm)}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

// Today's date ("YYYY-MM-DD") in the zone.
export function todayIn(timeZone, plusDays = 0) {
  const now = new Date(Date.now() + plusDays * 86400000);
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}

export function addDays(date, days) {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

// 0 = Monday … 6 = Sunday, for a "YYYY-MM-DD" date.
export function weekdayIndex(date) {
  const [y, m, d] = date.split("-").map(Number);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

export const BYDAY = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

// The simple choices on the form ("Mon, Wed, Fri for 3 weeks from the 25th") as an RRULE
// with an exact COUNT, plus the first date that matches (the series starts there).
export function weeklyRule(startDate, weekdays, weeks) {
  const chosen = [...new Set(weekdays)].sort();
  let first = null;
  let count = 0;
  for (let i = 0; i < weeks * 7; i += 1) {
    const date = addDays(startDate, i);
    if (chosen.includes(weekdayIndex(date))) {
      first = first || date;
      count += 1;
    }
  }
  if (!count) return null;
  return { first, count, rrule: `FREQ=WEEKLY;BYDAY=${chosen.map((i) => BYDAY[i]).join(",")};COUNT=${count}` };
}

export function minutesBetween(startTime, endTime) {
  const [sh, sm] = startTime.split(":").map(Number);
  const [eh, em] = endTime.split(":").map(Number);
  return eh * 60 + em - (sh * 60 + sm);
}
