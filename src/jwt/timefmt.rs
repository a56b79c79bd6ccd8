//! Presentation of token times: absolute UTC and "in 23 h 58 m" / "2 h 3 m ago".

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
/// `Display` gives `in 23 h 58 m`, `2 h 3 m ago`, `in 42 s` or `now`; callers add their verb:
/// `if r.is_past() { format!("expired {r}") } else { format!("expires {r}") }`.
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

/// Same as `relative(epoch, now).to_string()`.
pub fn format_relative(epoch: i64, now: i64) -> String {
    relative(epoch, now).to_string()
}

impl Relative {
    pub fn is_past(&self) -> bool {
        self.seconds < 0
    }
    pub fn is_future(&self) -> bool {
        self.seconds > 0
    }
    /// The distance without direction: `42 s`, `5 m 3 s`, `23 h 58 m`, `3 d 4 h`.
    ///
    /// Two units at most, the smaller dropped when zero; whole hours up to 48 h (an Azure
    /// managed-identity token lives about 24 h, which reads better as `24 h 5 m`).
    pub fn magnitude(&self) -> String {
        let s = self.seconds.unsigned_abs();
        let (d, h, m, sec) = (s / 86_400, s / 3_600, (s % 3_600) / 60, s % 60);
        let two = |a: u64, ua: &str, b: u64, ub: &str| {
            if b == 0 {
                format!("{a} {ua}")
            } else {
                format!("{a} {ua} {b} {ub}")
            }
        };
        if s < 60 {
            format!("{s} s")
        } else if s < 3_600 {
            two(m, "m", sec, "s")
        } else if s < 48 * 3_600 {
            two(h, "h", m, "m")
        } else {
            two(d, "d", (s % 86_400) / 3_600, "h")
        }
    }
}

impl fmt::Display for Relative {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.seconds {
            0 => f.write_str("now"),
            s if s > 0 => write!(f, "in {}", self.magnitude()),
            _ => write!(f, "{} ago", self.magnitude()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(format_relative(100, 100), "now");
        assert_eq!(format_relative(101, 100), "in 1 s");
        assert_eq!(format_relative(159, 100), "in 59 s");
        assert_eq!(format_relative(160, 100), "in 1 m");
        assert_eq!(format_relative(100, 161), "1 m 1 s ago");
        assert_eq!(format_relative(0, 3_599), "59 m 59 s ago");
        assert_eq!(format_relative(3_600, 0), "in 1 h");
        assert_eq!(format_relative(0, 2 * 3_600 + 3 * 60 + 59), "2 h 3 m ago");
        assert_eq!(
            format_relative(23 * 3_600 + 58 * 60 + 30, 0),
            "in 23 h 58 m"
        );
        assert_eq!(format_relative(86_700, 0), "in 24 h 5 m");
        assert_eq!(format_relative(48 * 3_600, 0), "in 2 d");
        assert_eq!(
            format_relative(0, 3 * 86_400 + 4 * 3_600 + 5),
            "3 d 4 h ago"
        );
        // No overflow at the extremes.
        assert!(format_relative(i64::MIN, i64::MAX).ends_with(" ago"));
        assert!(format_relative(i64::MAX, i64::MIN).starts_with("in "));
    }

    #[test]
    fn relative_direction() {
        let r = relative(10, 20);
        assert!(r.is_past() && !r.is_future());
        assert_eq!(r.magnitude(), "10 s");
        assert_eq!(format!("expired {r}"), "expired 10 s ago");
        let r = relative(20, 10);
        assert_eq!(format!("expires {r}"), "expires in 10 s");
    }
}
