// Honest when stale: while the figures may be old, a banner in the header says since when
// and why, and the figures are dimmed. The verdict on the worker is the server's
// (dashboards/wall/freshness.py); that this page hears nothing only the page can tell.
"use strict";

const FRESHNESS_WORDS = {
  id: {
    asOf: "Data per",
    behind: (count) => `worker tertinggal ${count} kejadian`,
    unknown: "Kafka tidak terjangkau, ketertinggalan tidak diketahui",
    silent: "layar ini tidak menerima pembaruan",
  },
  en: {
    asOf: "Data from",
    behind: (count, n) => `worker behind by ${count} ${n === 1 ? "event" : "events"}`,
    unknown: "Kafka unreachable, worker lag unknown",
    silent: "no updates are reaching this screen",
  },
};

// What the banner must say, or null when the figures are current: from the freshness of
// the last snapshot, the time it arrived and now (both in milliseconds). Silence comes
// first: what the last snapshot said about the worker is as old as the snapshot.
function freshnessNotice(freshness, receivedAt, now) {
  if (!freshness) return null;
  if (now - receivedAt > freshness.silent_after_seconds * 1000) {
    return { state: "stale", reason: "silent", asOf: freshness.as_of ?? freshness.checked_at, lag: null };
  }
  if (freshness.worker === "behind") {
    return { state: "stale", reason: "behind", asOf: freshness.as_of, lag: freshness.events_behind };
  }
  if (freshness.worker === "unknown") {
    return { state: "unknown", reason: "unknown", asOf: freshness.as_of, lag: null };
  }
  return null;
}

// "14.02" (or "14:02") in the city's zone; with the day when it is not today's.
function freshnessTime(iso, page, now) {
  const at = new Date(iso);
  const { locale, timeZone } = page;
  const time = at.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit", timeZone });
  const day = (date) => date.toLocaleDateString(locale, { timeZone });
  if (day(at) === day(new Date(now))) return time;
  return `${at.toLocaleDateString(locale, { day: "numeric", month: "short", timeZone })} ${time}`;
}

// "Data per 14.02, worker tertinggal 3.200 kejadian" / "Data from 14:02, worker behind by
// 3,200 events". `page` is { lang, locale, timeZone }.
function freshnessText(notice, page, now) {
  const words = FRESHNESS_WORDS[page.lang];
  const reason = notice.reason === "behind"
    ? words.behind(new Intl.NumberFormat(page.locale, { maximumFractionDigits: 0 }).format(notice.lag), notice.lag)
    : words[notice.reason];
  if (!notice.asOf) return reason.charAt(0).toUpperCase() + reason.slice(1);
  return `${words.asOf} ${freshnessTime(notice.asOf, page, now)}, ${reason}`;
}

const freshnessHeard = { freshness: null, receivedAt: 0 };

function freshnessReceived(freshness, page) {
  freshnessHeard.freshness = freshness;
  freshnessHeard.receivedAt = Date.now();
  showFreshness(page);
}

// On every snapshot and every second, so that silence shows without a snapshot.
function showFreshness(page) {
  const now = Date.now();
  const notice = freshnessNotice(freshnessHeard.freshness, freshnessHeard.receivedAt, now);
  const banner = document.getElementById("freshness");
  document.body.dataset.freshness = notice ? notice.state : "current";
  banner.hidden = !notice;
  const text = notice ? freshnessText(notice, page, now) : "";
  if (banner.textContent !== text) banner.textContent = text;
  banner.dataset.reason = notice ? notice.reason : "";
  banner.dataset.asOf = notice?.asOf ?? "";
  banner.dataset.lag = notice?.lag ?? "";
}
