use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};

use super::DATETIME_MARKER;

/// A point in time, in UTC, with nanosecond resolution.
///
/// On the wire it is written as `YYYYMMDDTHH:MM:SSZ` (inside
/// `<dateTime.iso8601>` for XML-RPC, as a string for JSON-RPC); sub-second
/// digits are not sent. Reading accepts the forms real servers produce:
///
/// * `20240420T12:00:00Z` and the same without the `Z`;
/// * ISO 8601 with dashes, `2024-04-20T12:00:00Z`, optionally with a
///   fraction of a second and a `+hh:mm`/`-hh:mm`/`+hhmm` offset
///   (a missing zone means UTC);
/// * seconds since the Unix epoch, as an integer, a float, or a string
///   holding either.
///
/// The default value is the epoch, `19700101T00:00:00Z`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    secs: i64,
    nanos: u32,
}

/// Why a text could not be read as a [`DateTime`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a recognised date-time: {0:?}")]
pub struct DateTimeError(pub String);

impl DateTime {
    /// The Unix epoch.
    pub const EPOCH: DateTime = DateTime { secs: 0, nanos: 0 };

    /// The instant `secs` seconds after the epoch (negative: before).
    pub const fn from_unix(secs: i64) -> DateTime {
        DateTime { secs, nanos: 0 }
    }

    /// The instant `secs` seconds plus `nanos` nanoseconds after the epoch;
    /// `nanos` above 999,999,999 carries into the seconds.
    pub fn from_unix_nanos(secs: i64, nanos: u32) -> DateTime {
        DateTime { secs: secs.saturating_add(i64::from(nanos / 1_000_000_000)), nanos: nanos % 1_000_000_000 }
    }

    /// Builds a date-time from calendar fields in UTC, checking ranges.
    pub fn from_civil(year: i32, month: u32, day: u32, hour: u32, min: u32, sec: u32) -> Option<DateTime> {
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(i64::from(year), month)
            || hour > 23
            || min > 59
            || sec > 60
        {
            return None;
        }
        let days = days_from_civil(i64::from(year), month, day);
        let secs = days * 86_400 + i64::from(hour * 3600 + min * 60 + sec);
        Some(DateTime { secs, nanos: 0 })
    }

    /// The current time.
    pub fn now() -> DateTime {
        DateTime::from(SystemTime::now())
    }

    /// Whole seconds since the epoch (rounded towards minus infinity).
    pub const fn unix_seconds(&self) -> i64 {
        self.secs
    }

    /// The nanoseconds past [`unix_seconds`](Self::unix_seconds).
    pub const fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Calendar fields in UTC: (year, month, day, hour, minute, second).
    pub fn to_civil(&self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400) as u32;
        let (y, m, d) = civil_from_days(days);
        (y, m, d, rem / 3600, rem / 60 % 60, rem % 60)
    }

    /// The XML-RPC form, `YYYYMMDDTHH:MM:SSZ` (also what `Display` prints).
    pub fn to_xmlrpc_string(&self) -> String {
        self.to_string()
    }

    /// ISO 8601 with dashes, `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn to_iso8601(&self) -> String {
        let (y, mo, d, h, mi, s) = self.to_civil();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }

    /// Reads any of the accepted forms (see the type's documentation).
    pub fn parse(text: &str) -> Result<DateTime, DateTimeError> {
        let t = text.trim();
        let err = || DateTimeError(text.to_string());
        if t.is_empty() {
            return Err(err());
        }
        if !t.contains(['T', 't', ' ', ':']) {
            // Epoch seconds as text.
            if let Ok(secs) = t.parse::<i64>() {
                return Ok(DateTime::from_unix(secs));
            }
            return t.parse::<f64>().ok().and_then(from_epoch_f64).ok_or_else(err);
        }
        parse_calendar(t.as_bytes()).ok_or_else(err)
    }
}

fn from_epoch_f64(v: f64) -> Option<DateTime> {
    if !v.is_finite() || v.abs() > 9.0e15 {
        return None;
    }
    let secs = v.floor();
    let nanos = ((v - secs) * 1e9).round().min(999_999_999.0) as u32;
    Some(DateTime { secs: secs as i64, nanos })
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Option<u32> {
        let s = self.b.get(self.i..self.i + n)?;
        let mut v = 0u32;
        for &c in s {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        self.i += n;
        Some(v)
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
}

fn parse_calendar(b: &[u8]) -> Option<DateTime> {
    let mut c = Cursor { b, i: 0 };
    let year = c.digits(4)?;
    let dashed = c.eat(b'-');
    let month = c.digits(2)?;
    if dashed && !c.eat(b'-') {
        return None;
    }
    let day = c.digits(2)?;
    if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
        return None;
    }
    let hour = c.digits(2)?;
    let colon = c.eat(b':');
    let min = c.digits(2)?;
    if colon && !c.eat(b':') {
        return None;
    }
    let sec = c.digits(2)?;
    let mut nanos = 0u32;
    if c.eat(b'.') || c.eat(b',') {
        let start = c.i;
        let mut scale = 100_000_000u32;
        while let Some(d) = c.peek().filter(u8::is_ascii_digit) {
            nanos += u32::from(d - b'0') * scale;
            scale /= 10;
            c.i += 1;
        }
        if c.i == start {
            return None;
        }
    }
    let offset_secs: i64 = match c.peek() {
        None => 0,
        Some(b'Z') | Some(b'z') => {
            c.i += 1;
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            c.i += 1;
            let oh = c.digits(2)?;
            c.eat(b':');
            let om = if c.peek().is_some() { c.digits(2)? } else { 0 };
            if oh > 23 || om > 59 {
                return None;
            }
            let off = i64::from(oh * 3600 + om * 60);
            if sign == b'-' {
                -off
            } else {
                off
            }
        }
        Some(_) => return None,
    };
    if c.i != b.len() {
        return None;
    }
    let base = DateTime::from_civil(year as i32, month, day, hour, min, sec)?;
    Some(DateTime { secs: base.secs - offset_secs, nanos })
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date. Years are
/// shifted to start in March so the leap day falls at the end of a cycle.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let cycle = y.div_euclid(400);
    let year_in_cycle = y - cycle * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_in_cycle = year_in_cycle * 365 + year_in_cycle / 4 - year_in_cycle / 100 + day_of_year;
    cycle * 146_097 + day_in_cycle - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let cycle = z.div_euclid(146_097);
    let day_in_cycle = z - cycle * 146_097;
    let year_in_cycle = (day_in_cycle - day_in_cycle / 1460 + day_in_cycle / 36_524 - day_in_cycle / 146_096) / 365;
    let day_of_year = day_in_cycle - (365 * year_in_cycle + year_in_cycle / 4 - year_in_cycle / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 } as u32;
    let year = year_in_cycle + cycle * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s) = self.to_civil();
        write!(f, "{y:04}{mo:02}{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }
}

impl FromStr for DateTime {
    type Err = DateTimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DateTime::parse(s)
    }
}

impl From<SystemTime> for DateTime {
    fn from(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => DateTime::from_unix_nanos(d.as_secs() as i64, d.subsec_nanos()),
            Err(e) => {
                let d = e.duration();
                let mut secs = -(d.as_secs() as i64);
                let mut nanos = d.subsec_nanos();
                if nanos > 0 {
                    secs -= 1;
                    nanos = 1_000_000_000 - nanos;
                }
                DateTime { secs, nanos }
            }
        }
    }
}

impl From<DateTime> for SystemTime {
    fn from(t: DateTime) -> Self {
        if t.secs >= 0 {
            UNIX_EPOCH + Duration::new(t.secs as u64, t.nanos)
        } else {
            UNIX_EPOCH - Duration::from_secs(t.secs.unsigned_abs()) + Duration::from_nanos(u64::from(t.nanos))
        }
    }
}

impl DateTime {
    /// The `Display` form written into `buf` without allocating, for
    /// years 0 to 9999 (`None` for others).
    fn compact_in<'b>(&self, buf: &'b mut [u8; 18]) -> Option<&'b str> {
        let (y, mo, d, h, mi, s) = self.to_civil();
        if !(0..=9999).contains(&y) {
            return None;
        }
        let mut put = |at: usize, v: u32, width: usize| {
            let mut v = v;
            for k in (0..width).rev() {
                buf[at + k] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        };
        put(0, y as u32, 4);
        put(4, mo, 2);
        put(6, d, 2);
        put(9, h, 2);
        put(12, mi, 2);
        put(15, s, 2);
        buf[8] = b'T';
        buf[11] = b':';
        buf[14] = b':';
        buf[17] = b'Z';
        std::str::from_utf8(&buf[..]).ok()
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 18];
        match self.compact_in(&mut buf) {
            Some(text) => serializer.serialize_newtype_struct(DATETIME_MARKER, text),
            None => serializer.serialize_newtype_struct(DATETIME_MARKER, &self.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DateTimeVisitor)
    }
}

struct DateTimeVisitor;

impl Visitor<'_> for DateTimeVisitor {
    type Value = DateTime;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a date-time string or seconds since the epoch")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<DateTime, E> {
        DateTime::parse(v).map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<DateTime, E> {
        Ok(DateTime::from_unix(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<DateTime, E> {
        i64::try_from(v).map(DateTime::from_unix).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<DateTime, E> {
        from_epoch_f64(v).ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_round_trip_over_many_days() {
        for days in (-800_000i64..800_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn compact_form_matches_display() {
        for secs in [0i64, 1_713_614_400, -86_400, 253_402_300_799, -62_167_219_200, 86_399] {
            let t = DateTime::from_unix(secs);
            let mut buf = [0u8; 18];
            assert_eq!(t.compact_in(&mut buf), Some(t.to_string().as_str()), "{secs}");
        }
        let far = DateTime::from_unix(253_402_300_800);
        assert_eq!(far.compact_in(&mut [0u8; 18]), None);
    }

    #[test]
    fn known_instants() {
        let t = DateTime::parse("20240420T12:00:00Z").unwrap();
        assert_eq!(t.unix_seconds(), 1_713_614_400);
        assert_eq!(t.to_string(), "20240420T12:00:00Z");
        assert_eq!(t.to_iso8601(), "2024-04-20T12:00:00Z");
        for form in [
            "20240420T12:00:00",
            "2024-04-20T12:00:00Z",
            "2024-04-20t12:00:00z",
            "2024-04-20 12:00:00",
            "2024-04-20T14:00:00+02:00",
            "2024-04-20T14:00:00+0200",
            "2024-04-20T07:30:00-04:30",
            "20240420T120000Z",
            "1713614400",
        ] {
            assert_eq!(DateTime::parse(form).unwrap(), t, "{form}");
        }
        let f = DateTime::parse("2024-04-20T12:00:00.25Z").unwrap();
        assert_eq!((f.unix_seconds(), f.subsec_nanos()), (1_713_614_400, 250_000_000));
        assert_eq!(DateTime::parse("1713614400.5").unwrap().subsec_nanos(), 500_000_000);
        assert_eq!(DateTime::default().to_string(), "19700101T00:00:00Z");
        assert_eq!(DateTime::from_unix(-1).to_string(), "19691231T23:59:59Z");
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "yesterday",
            "2024-13-01T00:00:00Z",
            "20240230T00:00:00Z",
            "2024-04-20T25:00:00Z",
            "2024-04-20T12:00",
            "2024-04-20T12:00:00Zjunk",
            "2024-04-20T12:00:00.Z",
            "NaN",
            "1e300",
        ] {
            assert!(DateTime::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn system_time_conversions() {
        let t = DateTime::from_unix_nanos(-5, 250);
        assert_eq!(DateTime::from(SystemTime::from(t)), t);
        let t = DateTime::from_unix_nanos(1_700_000_000, 999_999_999);
        assert_eq!(DateTime::from(SystemTime::from(t)), t);
    }
}
