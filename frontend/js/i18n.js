// English and Spanish. The choice is remembered on this device (localStorage) and, when
// logged in, saved to the person's profile so e-mails come in the same language.
import en from "./i18n/en.js";
import es from "./i18n/es.js";

const DICTIONARIES = { en, es };
const STORAGE_KEY = "village.lang";
const listeners = new Set();

function initialLanguage() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved && DICTIONARIES[saved]) return saved;
  } catch { /* private mode: fall through */ }
  const browser = (navigator.language || "en").slice(0, 2).toLowerCase();
  return DICTIONARIES[browser] ? browser : "en";
}

let current = initialLanguage();

export function lang() {
  return current;
}

export function setLang(next, { remember = true } = {}) {
  if (!DICTIONARIES[next] || next === current) return;
  current = next;
  if (remember) {
    try { localStorage.setItem(STORAGE_KEY, next); } catch { /* nothing to do */ }
  }
  document.documentElement.lang = next;
  for (const listener of listeners) listener(next);
}

export function onLangChange(listener) {
  listeners.add(listener);
}

// t("claim.title", {name: "Ana"}) — "{name}" placeholders; a `count` picks key.one / key.other.
export function t(key, vars = {}) {
  let lookup = key;
  if (typeof vars.count === "number") {
    const form = new Intl.PluralRules(current).select(vars.count);
    lookup = `${key}.${form === "one" ? "one" : "other"}`;
  }
  const text = DICTIONARIES[current][lookup] ?? DICTIONARIES.en[lookup] ?? DICTIONARIES[current][key] ?? DICTIONARIES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in vars ? String(vars[name]) : match));
}

export function has(key) {
  return key in DICTIONARIES[current];
}

// Fills static text in index.html (header, footer) marked with data-i18n.
export function translateStatic(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n);
  }
}

function zoned(timeZone) {
  // An unknown zone from the server must not blank the page; fall back to the device's zone.
  try {
    new Intl.DateTimeFormat("en", { timeZone }).format(0);
    return timeZone;
  } catch {
    return undefined;
  }
}

export function formatDay(value, timeZone) {
  return new Intl.DateTimeFormat(current, {
    weekday: "long", month: "long", day: "numeric", timeZone: zoned(timeZone),
  }).format(new Date(value));
}

export function formatShortDay(value, timeZone) {
  return new Intl.DateTimeFormat(current, {
    weekday: "short", month: "short", day: "numeric", timeZone: zoned(timeZone),
  }).format(new Date(value));
}

export function formatTime(value, timeZone) {
  return new Intl.DateTimeFormat(current, { hour: "numeric", minute: "2-digit", timeZone: zoned(timeZone) }).format(new Date(value));
}

export function formatDateTime(value, timeZone) {
  return `${formatShortDay(value, timeZone)}, ${formatTime(value, timeZone)}`;
}

export function formatRange(start, end, timeZone) {
  return `${formatTime(start, timeZone)} – ${formatTime(end, timeZone)}`;
}

// "2026-11-23" in the given zone: the key slots are grouped by.
export function dayKey(value, timeZone) {
  const parts = new Intl.DateTimeFormat("en-CA", {
    year: "numeric", month: "2-digit", day: "2-digit", timeZone: zoned(timeZone),
  }).format(new Date(value));
  return parts;
}

export function monthName(year, month) {
  return new Intl.DateTimeFormat(current, { month: "long", year: "numeric", timeZone: "UTC" }).format(Date.UTC(year, month, 1));
}

export function weekdayNames(style = "short") {
  // Monday first (ISO 8601), the same order the calendar grid and the recurrence form use.
  const base = Date.UTC(2024, 0, 1); // a Monday
  return Array.from({ length: 7 }, (_, i) =>
    new Intl.DateTimeFormat(current, { weekday: style, timeZone: "UTC" }).format(base + i * 86400000));
}

document.documentElement.lang = current;
