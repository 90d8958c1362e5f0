// A coordinator's home: the open places across every circle and roster they run, soonest first
// (a missed meal starts as a gap nobody saw), then each circle and roster with its own count and
// a way in. One endpoint (me/gaps/) answers for all of them.
import { getAll } from "../api.js";
import { formatDay, formatRange, t } from "../i18n.js";
import { empty, h, link, load, page } from "../ui.js";

export const OVERVIEW_PERIODS = [7, 14, 31];

// Where a gap is dealt with: a circle's calendar and members, or a roster's dashboard.
function gapHref(gap) {
  if (gap.roster_kind === "circle") return gap.circle ? `#/circles/${gap.circle}` : "#/circles";
  return `#/rosters/${gap.roster}/dashboard`;
}

function kindTag(kind) {
  return h("span", { class: "tag muted" }, kind === "circle" ? t("overview.kind_circle") : t("overview.kind_roster"));
}

function gapCard(gap) {
  const zone = gap.time_zone;
  const when = gap.is_flexible ? t("slot.flexible", { day: formatDay(gap.starts_at, zone) }) : `${formatDay(gap.starts_at, zone)}, ${formatRange(gap.starts_at, gap.ends_at, zone)}`;
  return h("li", { class: "card" },
    h("h3", {}, h("a", { href: gapHref(gap) }, gap.title || t("slot.untitled"))),
    h("p", { class: "meta" }, when),
    h("p", { class: "meta" }, kindTag(gap.roster_kind), " ", gap.roster_name),
    h("p", {}, h("span", { class: "tag danger" }, t("slot.places_left", { count: gap.needed })), " ",
      h("span", { class: "meta" }, t("overview.filled_of", { filled: gap.filled, capacity: gap.capacity }))));
}

function placeList(title, places, emptyText) {
  return h("section", { class: "stack" }, h("h2", {}, title),
    places.length ? h("ul", { class: "list" }, places.map((place) => h("li", { class: "card row" },
      h("a", { href: place.href }, place.name),
      place.gaps ? h("span", { class: "tag danger" }, t("overview.open_n", { count: place.gaps })) : h("span", { class: "tag ok" }, t("overview.covered")))))
      : h("p", {}, emptyText));
}

export async function overviewView({ query }) {
  const { body } = page(t("overview.title"));
  const days = OVERVIEW_PERIODS.includes(Number(query.get("days"))) ? Number(query.get("days")) : 7;
  await load(body, async () => {
    const [gaps, circles, rosters, organisations] = await Promise.all([
      getAll("me/gaps/", { days }, 5),
      getAll("circles/"),
      getAll("rosters/"),
      getAll("organisations/").catch(() => []),
    ]);
    return { gaps, circles, rosters, organisations };
  }, ({ gaps, circles, rosters, organisations }) => {
    const runs = new Set(organisations.filter((o) => (o.my_role || o.role) === "coordinator" && (o.my_status || o.status) === "active").map((o) => o.id));
    const openBy = new Map();
    for (const gap of gaps) openBy.set(gap.roster, (openBy.get(gap.roster) || 0) + 1);
    const circleGaps = new Map();
    for (const gap of gaps) if (gap.circle) circleGaps.set(gap.circle, (circleGaps.get(gap.circle) || 0) + 1);
    const myCircles = circles.filter((c) => c.my_role === "coordinator" && c.status !== "closed")
      .map((c) => ({ name: c.name, href: `#/circles/${c.id}`, gaps: circleGaps.get(c.id) || 0 }));
    // A roster is mine when I coordinate its organisation, or when it has a gap I was shown.
    const myRosters = rosters.filter((r) => r.kind === "duty" && (runs.has(r.organisation) || openBy.has(r.id)))
      .map((r) => ({ name: r.name, href: `#/rosters/${r.id}/dashboard`, gaps: openBy.get(r.id) || 0 }));
    if (!myCircles.length && !myRosters.length && !gaps.length) {
      return empty(t("overview.nothing"), link(t("nav.requests"), "#/requests", "primary"));
    }
    const periods = h("div", { class: "segmented", role: "group", "aria-label": t("dash.period") },
      OVERVIEW_PERIODS.map((n) => h("a", { class: "button secondary", href: `#/dashboard?days=${n}`, "aria-current": n === days ? "true" : null }, t("dash.days", { count: n }))));
    const gapsSection = gaps.length
      ? h("section", { class: "stack" }, h("h2", {}, t("overview.gaps_n", { count: gaps.length, days })),
        h("ul", { class: "list" }, gaps.map(gapCard)))
      : h("section", { class: "stack" }, h("h2", {}, t("dash.gaps")), h("p", { class: "card success" }, t("overview.no_gaps", { days })));
    return h("div", { class: "stack" },
      periods,
      gapsSection,
      placeList(t("overview.circles"), myCircles, t("overview.no_circles")),
      placeList(t("overview.rosters"), myRosters, t("overview.no_rosters")));
  }, t("overview.loading"));
}
