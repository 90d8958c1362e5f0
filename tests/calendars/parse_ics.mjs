// Parse an iCalendar file from stdin with Mozilla's ical.js (Thunderbird's parser) and print
// its events as JSON, so the Python tests can check what a real client reads.
import ICAL from "ical.js";

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;

const root = new ICAL.Component(ICAL.parse(input));
for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}

const utc = (time) => {
  if (!time) return null;
  if (time.isDate) return time.toString();
  return time.convertToZone(ICAL.Timezone.utcTimezone).toString();
};

const events = root.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  const start = vevent.getFirstProperty("dtstart");
  return {
    uid: event.uid,
    summary: event.summary,
    status: vevent.getFirstPropertyValue("status"),
    sequence: event.sequence,
    start_utc: utc(event.startDate),
    end_utc: utc(event.endDate),
    start_local: event.startDate.toString(),
    is_date: event.startDate.isDate,
    tzid: start.getParameter("tzid") || null,
    location: event.location,
    description: event.description,
    alarms: vevent.getAllSubcomponents("valarm").map((a) => a.getFirstPropertyValue("trigger").toString()),
  };
});

process.stdout.write(
  JSON.stringify({
    name: root.getFirstPropertyValue("x-wr-calname"),
    timezones: root.getAllSubcomponents("vtimezone").map((tz) => tz.getFirstPropertyValue("tzid")),
    events,
  }),
);
