// Navigation helper shared by every view (kept apart from app.js so views never import it).
export function go(path) {
  if (window.location.hash === `#${path}`) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else window.location.hash = path;
}

// The page a person meant to reach before being asked to log in (only our own hash routes).
export function safeNext(value, fallback = "/") {
  return value && value.startsWith("/") && !value.startsWith("//") ? value : fallback;
}
