// tntc JS prelude: the time zones Intl.DateTimeFormat knows (the sandbox's local zone is UTC). Offsets follow the
// current rules of each zone (US DST since 2007, EU since 1996, ...): dates before those rules took effect may be
// off by the DST hour. Unknown zone names are a RangeError like V8's "Invalid time zone specified".
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;

  // name -> [standard offset minutes, DST rule or null, short std, short dst, long std, long dst]
  const US = "us";
  const EU = "eu";
  const AU = "au";
  const NZ = "nz";
  const zones = {
    "America/New_York": [-300, US, "EST", "EDT", "Eastern Standard Time", "Eastern Daylight Time"],
    "America/Detroit": [-300, US, "EST", "EDT", "Eastern Standard Time", "Eastern Daylight Time"],
    "America/Toronto": [-300, US, "EST", "EDT", "Eastern Standard Time", "Eastern Daylight Time"],
    "America/Chicago": [-360, US, "CST", "CDT", "Central Standard Time", "Central Daylight Time"],
    "America/Winnipeg": [-360, US, "CST", "CDT", "Central Standard Time", "Central Daylight Time"],
    "America/Denver": [-420, US, "MST", "MDT", "Mountain Standard Time", "Mountain Daylight Time"],
    "America/Edmonton": [-420, US, "MST", "MDT", "Mountain Standard Time", "Mountain Daylight Time"],
    "America/Phoenix": [-420, null, "MST", "MST", "Mountain Standard Time", "Mountain Standard Time"],
    "America/Los_Angeles": [-480, US, "PST", "PDT", "Pacific Standard Time", "Pacific Daylight Time"],
    "America/Vancouver": [-480, US, "PST", "PDT", "Pacific Standard Time", "Pacific Daylight Time"],
    "America/Anchorage": [-540, US, "AKST", "AKDT", "Alaska Standard Time", "Alaska Daylight Time"],
    "Pacific/Honolulu": [-600, null, "HST", "HST", "Hawaii-Aleutian Standard Time", "Hawaii-Aleutian Standard Time"],
    "America/Halifax": [-240, US, null, null, "Atlantic Standard Time", "Atlantic Daylight Time"],
    "America/Sao_Paulo": [-180, null, null, null, "Brasilia Standard Time", "Brasilia Standard Time"],
    "America/Argentina/Buenos_Aires": [-180, null, null, null, "Argentina Standard Time", "Argentina Standard Time"],
    "America/Mexico_City": [-360, null, "CST", "CST", "Central Standard Time", "Central Standard Time"],
    "America/Bogota": [-300, null, null, null, "Colombia Standard Time", "Colombia Standard Time"],
    "America/Lima": [-300, null, null, null, "Peru Standard Time", "Peru Standard Time"],
    "Europe/London": [0, EU, "GMT", null, "Greenwich Mean Time", "British Summer Time"],
    "Europe/Dublin": [0, EU, "GMT", null, "Greenwich Mean Time", "Irish Standard Time"],
    "Europe/Lisbon": [0, EU, null, null, "Western European Standard Time", "Western European Summer Time"],
    "Europe/Paris": [60, EU, null, null, "Central European Standard Time", "Central European Summer Time"],
    "Europe/Berlin": [60, EU, null, null, "Central European Standard Time", "Central European Summer Time"],
    "Europe/Madrid": [60, EU, null, null, "Central European Standard Time", "Central European Summer Time"],
    "Europe/Rome": [60, EU, null, null, "Central European Standard Time", "Central European Summer Time"],
    "Europe/Amsterdam": [60, EU, null, null, "Central European Standard Time", "Central European Summer Time"],
    "Europe/Brussels": [60, EU, null, null, "Central European Standard Time", "Central European Summer Time"],
    "Europe/Vienna": [60, EU, null, null, "Central European Standard Time", "Central European Summer Time"],
    "Europe/Zurich": [60, EU, null, null, "Central European Standard Time", "Central European Summer Time"],
    "Europe/Stockholm": [60, EU, null, null, "Central European Standard Time", "Central European Summer Time"],
    "Europe/Oslo": [60, EU, null, null, "Central European Standard Time", "Central European Summer Time"],
    "Europe/Copenhagen": [60, EU, null, null, "Central European Standard Time", "Central European Summer Time"],
    "Europe/Warsaw": [60, EU, null, null, "Central European Standard Time", "Central European Summer Time"],
    "Europe/Prague": [60, EU, null, null, "Central European Standard Time", "Central European Summer Time"],
    "Europe/Budapest": [60, EU, null, null, "Central European Standard Time", "Central European Summer Time"],
    "Europe/Athens": [120, EU, null, null, "Eastern European Standard Time", "Eastern European Summer Time"],
    "Europe/Helsinki": [120, EU, null, null, "Eastern European Standard Time", "Eastern European Summer Time"],
    "Europe/Kiev": [120, EU, null, null, "Eastern European Standard Time", "Eastern European Summer Time"],
    "Europe/Kyiv": [120, EU, null, null, "Eastern European Standard Time", "Eastern European Summer Time"],
    "Europe/Bucharest": [120, EU, null, null, "Eastern European Standard Time", "Eastern European Summer Time"],
    "Europe/Istanbul": [180, null, null, null, "GMT+03:00", "GMT+03:00"],
    "Europe/Moscow": [180, null, null, null, "Moscow Standard Time", "Moscow Standard Time"],
    "Africa/Johannesburg": [120, null, null, null, "South Africa Standard Time", "South Africa Standard Time"],
    "Africa/Lagos": [60, null, null, null, "West Africa Standard Time", "West Africa Standard Time"],
    "Africa/Nairobi": [180, null, null, null, "East Africa Time", "East Africa Time"],
    "Asia/Dubai": [240, null, null, null, "Gulf Standard Time", "Gulf Standard Time"],
    "Asia/Karachi": [300, null, null, null, "Pakistan Standard Time", "Pakistan Standard Time"],
    "Asia/Calcutta": [330, null, null, null, "India Standard Time", "India Standard Time"],
    "Asia/Dhaka": [360, null, null, null, "Bangladesh Standard Time", "Bangladesh Standard Time"],
    "Asia/Bangkok": [420, null, null, null, "Indochina Time", "Indochina Time"],
    "Asia/Jakarta": [420, null, null, null, "Western Indonesia Time", "Western Indonesia Time"],
    "Asia/Shanghai": [480, null, null, null, "China Standard Time", "China Standard Time"],
    "Asia/Hong_Kong": [480, null, null, null, "Hong Kong Standard Time", "Hong Kong Standard Time"],
    "Asia/Singapore": [480, null, null, null, "Singapore Standard Time", "Singapore Standard Time"],
    "Asia/Taipei": [480, null, null, null, "Taipei Standard Time", "Taipei Standard Time"],
    "Asia/Manila": [480, null, null, null, "Philippine Standard Time", "Philippine Standard Time"],
    "Australia/Perth": [480, null, null, null, "Australian Western Standard Time", "Australian Western Standard Time"],
    "Asia/Tokyo": [540, null, null, null, "Japan Standard Time", "Japan Standard Time"],
    "Asia/Seoul": [540, null, null, null, "Korean Standard Time", "Korean Standard Time"],
    "Australia/Brisbane": [600, null, null, null, "Australian Eastern Standard Time", "Australian Eastern Standard Time"],
    "Australia/Sydney": [600, AU, null, null, "Australian Eastern Standard Time", "Australian Eastern Daylight Time"],
    "Australia/Melbourne": [600, AU, null, null, "Australian Eastern Standard Time", "Australian Eastern Daylight Time"],
    "Australia/Adelaide": [570, AU, null, null, "Australian Central Standard Time", "Australian Central Daylight Time"],
    "Pacific/Auckland": [720, NZ, null, null, "New Zealand Standard Time", "New Zealand Daylight Time"],
  };
  const aliases = {
    "Asia/Kolkata": "Asia/Calcutta", "US/Eastern": "America/New_York", "US/Central": "America/Chicago",
    "US/Mountain": "America/Denver", "US/Pacific": "America/Los_Angeles", "US/Alaska": "America/Anchorage",
    "US/Hawaii": "Pacific/Honolulu", "US/Arizona": "America/Phoenix",
    "Europe/Belfast": "Europe/London", "GB": "Europe/London", "Japan": "Asia/Tokyo", "PRC": "Asia/Shanghai",
  };
  const utcNames = new Set(["utc", "etc/utc", "gmt", "etc/gmt", "etc/universal", "universal", "etc/zulu", "zulu",
    "uct", "etc/uct", "etc/gmt0", "etc/gmt-0", "etc/gmt+0", "gmt0", "gmt-0", "gmt+0", "etc/greenwich", "greenwich"]);

  const byLowerName = new Map();
  for (const name of Object.keys(zones)) byLowerName.set(name.toLowerCase(), name);
  for (const [alias, target] of Object.entries(aliases)) byLowerName.set(alias.toLowerCase(), target);

  /** Canonical zone name (what resolvedOptions reports), or throws RangeError. */
  function canonicalTimeZone(name) {
    const string = String(name);
    const lower = string.toLowerCase();
    if (utcNames.has(lower)) return "UTC";
    const etc = /^etc\/gmt([+-])(\d{1,2})$/.exec(lower);
    if (etc && Number(etc[2]) <= (etc[1] === "+" ? 12 : 14)) return `Etc/GMT${etc[1]}${Number(etc[2])}`;
    const offset = /^([+-])(\d{2}):?(\d{2})$/.exec(string);
    if (offset && Number(offset[2]) <= 23 && Number(offset[3]) <= 59) return `${offset[1]}${offset[2]}:${offset[3]}`;
    const known = byLowerName.get(lower);
    if (known !== undefined && zones[known] !== undefined) return known;
    throw new RangeError(`Invalid time zone specified: ${string}`);
  }

  // Day of month (1-based) of the n-th (1-based; -1 = last) `weekday` (0 = Sunday) of a month, in UTC terms.
  function nthWeekday(year, month, weekday, n) {
    if (n > 0) {
      const first = new Date(Date.UTC(year, month, 1)).getUTCDay();
      return 1 + ((weekday - first + 7) % 7) + (n - 1) * 7;
    }
    const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    const last = new Date(Date.UTC(year, month, lastDay)).getUTCDay();
    return lastDay - ((last - weekday + 7) % 7);
  }

  function isDst(rule, standard, utc) {
    const year = new Date(utc).getUTCFullYear();
    switch (rule) {
      case US: {
        const start = Date.UTC(year, 2, nthWeekday(year, 2, 0, 2), 2) - standard * 60000;
        const end = Date.UTC(year, 10, nthWeekday(year, 10, 0, 1), 2) - (standard + 60) * 60000;
        return utc >= start && utc < end;
      }
      case EU: {
        const start = Date.UTC(year, 2, nthWeekday(year, 2, 0, -1), 1);
        const end = Date.UTC(year, 9, nthWeekday(year, 9, 0, -1), 1);
        return utc >= start && utc < end;
      }
      case AU: {
        // DST from the first Sunday of October 02:00 standard to the first Sunday of April 03:00 daylight.
        const end = Date.UTC(year, 3, nthWeekday(year, 3, 0, 1), 3) - (standard + 60) * 60000;
        const start = Date.UTC(year, 9, nthWeekday(year, 9, 0, 1), 2) - standard * 60000;
        return utc < end || utc >= start;
      }
      case NZ: {
        const end = Date.UTC(year, 3, nthWeekday(year, 3, 0, 1), 3) - (standard + 60) * 60000;
        const start = Date.UTC(year, 8, nthWeekday(year, 8, 0, -1), 2) - standard * 60000;
        return utc < end || utc >= start;
      }
      default:
        return false;
    }
  }

  function gmtOffset(minutes, long) {
    if (minutes === 0) return "GMT";
    const sign = minutes < 0 ? "-" : "+";
    const abs = Math.abs(minutes);
    const h = Math.floor(abs / 60);
    const m = abs % 60;
    if (long) return `GMT${sign}${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
    return `GMT${sign}${h}${m ? ":" + String(m).padStart(2, "0") : ""}`;
  }

  /** { offset (minutes east of UTC), names: { short, long, shortOffset, longOffset } } for a zone at `utc` ms. */
  function zoneAt(zone, utc) {
    if (zone === "UTC") {
      return { offset: 0, short: "UTC", long: "Coordinated Universal Time", shortOffset: "GMT", longOffset: "GMT" };
    }
    const etc = /^Etc\/GMT([+-])(\d+)$/.exec(zone);
    if (etc) {
      const offset = (etc[1] === "+" ? -1 : 1) * Number(etc[2]) * 60;
      return { offset, short: gmtOffset(offset, false), long: gmtOffset(offset, true), shortOffset: gmtOffset(offset, false), longOffset: gmtOffset(offset, true) };
    }
    const fixed = /^([+-])(\d{2}):(\d{2})$/.exec(zone);
    if (fixed) {
      const offset = (fixed[1] === "-" ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3]));
      return { offset, short: gmtOffset(offset, false), long: gmtOffset(offset, true), shortOffset: gmtOffset(offset, false), longOffset: gmtOffset(offset, true) };
    }
    const [standard, rule, shortStd, shortDst, longStd, longDst] = zones[zone];
    const dst = rule !== null && isDst(rule, standard, utc);
    const offset = standard + (dst ? 60 : 0);
    const short = (dst ? shortDst : shortStd) ?? gmtOffset(offset, false);
    return {
      offset,
      short,
      long: dst ? longDst : longStd,
      shortOffset: gmtOffset(offset, false),
      longOffset: gmtOffset(offset, true),
    };
  }

  internal.timeZones = { canonicalTimeZone, zoneAt };
})();
