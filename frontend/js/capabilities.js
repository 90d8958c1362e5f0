// Which parts of the API this build of the web app uses. A screen is wired only once its
// endpoints exist on the server; nothing is faked. Flip a flag when its API lands.
export const capabilities = {
  ics: true,             // calendars: signups/{id}/ics/
  feeds: true,           // calendars: me/feeds/
  notifications: true,   // notifications/, me/notification-preferences/
  practical: true,       // circles/, circles/{id}/requests/, requests/{id}/claim/
  rosters: true,         // rosters/{id}/coverage/, autofill
};
