//! Presentation of token times: absolute UTC and "in 23 h 58 m" / "2 h 3 m ago".

use crate::i18n::Text;
use std::fmt;
use time::OffsetDateTime;
use time::macros::format_description;

/// `2026-11-28 11:00:00 UTC`. Out-of-range values render as `epoch <n> (out of range)`.
pub fn format_utc(epoch: i64) -> String {
    let fmt = format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    OffsetDateTime::from_unix_timestamp(epoch)
        .ok()
        .and_then(|t| t.format(fmt).ok())
        .unwrap_or_else(|| format!("epoch {epoch} (out of range)"))
}

/// A point in time relative to "now": positive `seconds` = in the future.
///
/// [`Relative::text`] gives `in 23 h 58 m`, `2 h 3 m ago`, `in 42 s` or `now`; callers put
/// it in a catalogue template as an argument (`msg!("claims.expires", when = r)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relative {
    pub seconds: i64,
}

/// `epoch` relative to `now` (both Unix seconds).
pub fn relative(epoch: i64, now: i64) -> Relative {
    Relative {
        seconds: epoch.saturating_sub(now),
    }
}

/// Same as `relative(epoch, now).text()`.
pub fn format_relative(epoch: i64, now: i64) -> Text {
    relative(epoch, now).text()
}

impl Relative {
    pub fn is_past(&self) -> bool {
        self.seconds < 0
    }
    pub fn is_future(&self) -> bool {
        self.seconds > 0
    }
    /// The distance without direction: `42 s`, `5 m 3 s`, `23 h 58 m`, `3 d 4 h` (in
    /// Japanese `42 秒`, `5 分 3 秒`, …: the units are catalogued, `claims.time.unit.*`).
    ///
    /// Two units at most, the smaller dropped when zero; whole hours up to 48 h (an Azure
    /// managed-identity token lives about 24 h, which reads better as `24 h 5 m`).
    pub fn magnitude(&self) -> Text {
        let s = self.seconds.unsigned_abs();
        let (d, h, m, sec) = (s / 86_400, s / 3_600, (s % 3_600) / 60, s % 60);
        let unit = |n: u64, u: &'static str| -> Text {
            crate::msg!(format!("claims.time.unit.{u}"), n = n).into()
        };
        let two = |a: u64, ua: &'static str, b: u64, ub: &'static str| {
            if b == 0 {
                unit(a, ua)
            } else {
                unit(a, ua).and(" ").and(unit(b, ub))
            }
        };
        if s < 60 {
            unit(s, "seconds")
        } else if s < 3_600 {
            two(m, "minutes", sec, "seconds")
        } else if s < 48 * 3_600 {
            two(h, "hours", m, "minutes")
        } else {
            two(d, "days", (s % 86_400) / 3_600, "hours")
        }
    }

    /// `in 23 h 58 m`, `2 h 3 m ago` or `now` (`23 時間 58 分後`, `2 時間 3 分前`, `現在`).
    pub fn text(&self) -> Text {
        match self.seconds {
            0 => crate::msg!("claims.time.now").into(),
            s if s > 0 => crate::msg!("claims.time.in", span = self.magnitude()).into(),
            _ => crate::msg!("claims.time.ago", span = self.magnitude()).into(),
        }
    }
}

impl From<Relative> for Text {
    fn from(r: Relative) -> Text {
        r.text()
    }
}

impl From<Relative> for crate::i18n::Arg {
    fn from(r: Relative) -> crate::i18n::Arg {
        r.text().into()
    }
}

impl fmt::Display for Relative {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.text().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn fr(epoch: i64, now: i64) -> String {
        format_relative(epoch, now).en()
    }

    #[test]
    fn utc() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc(1_795_863_600), "2026-11-28 11:00:00 UTC");
        assert_eq!(
            format_utc(i64::MAX),
            format!("epoch {} (out of range)", i64::MAX)
        );
    }

    #[test]
    fn relative_edges() {
        assert_eq!(fr(100, 100), "now");
        assert_eq!(fr(101, 100), "in 1 s");
        assert_eq!(fr(159, 100), "in 59 s");
        assert_eq!(fr(160, 100), "in 1 m");
        assert_eq!(fr(100, 161), "1 m 1 s ago");
        assert_eq!(fr(0, 3_599), "59 m 59 s ago");
        assert_eq!(fr(3_600, 0), "in 1 h");
        assert_eq!(fr(0, 2 * 3_600 + 3 * 60 + 59), "2 h 3 m ago");
        assert_eq!(fr(23 * 3_600 + 58 * 60 + 30, 0), "in 23 h 58 m");
        assert_eq!(fr(86_700, 0), "in 24 h 5 m");
        assert_eq!(fr(48 * 3_600, 0), "in 2 d");
        assert_eq!(fr(0, 3 * 86_400 + 4 * 3_600 + 5), "3 d 4 h ago");
        // No overflow at the extremes.
        assert!(fr(i64::MIN, i64::MAX).ends_with(" ago"));
        assert!(fr(i64::MAX, i64::MIN).starts_with("in "));
    }

    #[test]
    fn relative_direction() {
        let r = relative(10, 20);
        assert!(r.is_past() && !r.is_future());
        assert_eq!(r.magnitude().en(), "10 s");
        assert_eq!(r.text().en(), "10 s ago");
        let r = relative(20, 10);
        assert_eq!(r.text().en(), "in 10 s");
    }

    #[test]
    fn relative_words_are_japanese_too() {
        let ja = |e, n| format_relative(e, n).render(Lang::Ja);
        assert_eq!(ja(100, 100), "現在");
        assert_eq!(ja(5 * 60, 0), "5 分後");
        assert_eq!(ja(0, 3 * 3_600), "3 時間前");
        assert_eq!(ja(23 * 3_600 + 58 * 60, 0), "23 時間 58 分後");
        assert_eq!(ja(0, 3 * 86_400 + 4 * 3_600), "3 日 4 時間前");
        assert_eq!(ja(42, 0), "42 秒後");
    }
}
