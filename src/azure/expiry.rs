//! Lenient expiry parsing: `expires_on` is an epoch string (App Service, IMDS), a JSON
//! number (Azure ML) or a legacy date (2017-09-01); `expires_in` is a string or number.

use serde::Serialize;
use serde_json::Value;
use time::PrimitiveDateTime;
use time::macros::format_description;

/// An absolute expiry and the field it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expiry {
    pub at: i64,
    pub from: &'static str,
}

/// Read the expiry from a token response; `now` anchors `expires_in`.
pub fn parse_expiry(body: &serde_json::Map<String, Value>, now: i64) -> Option<Expiry> {
    if let Some(secs) = body.get("expires_in").and_then(as_int) {
        return Some(Expiry {
            at: now.saturating_add(secs),
            from: "expires_in",
        });
    }
    match body.get("expires_on")? {
        Value::Number(n) => n.as_i64().map(|at| Expiry {
            at,
            from: "expires_on (number)",
        }),
        Value::String(s) => {
            let s = s.trim();
            if let Ok(at) = s.parse::<i64>() {
                Some(Expiry {
                    at,
                    from: "expires_on (epoch string)",
                })
            } else {
                parse_legacy_date(s).map(|at| Expiry {
                    at,
                    from: "expires_on (legacy date)",
                })
            }
        }
        _ => None,
    }
}

fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `06/20/2019 02:57:58 +00:00` (Linux) or `1/16/2020 5:24:12 AM +00:00` (Windows).
fn parse_legacy_date(s: &str) -> Option<i64> {
    let s = s.trim_end_matches("+00:00").trim();
    let parts: Vec<&str> = s.split_whitespace().collect();
    let (date, clock) = (parts.first()?, parts.get(1)?);
    let mut d = date.split('/').map(|x| x.parse::<u32>().ok());
    let (month, day, year) = (d.next()??, d.next()??, d.next()??);
    let mut c = clock.split(':').map(|x| x.parse::<u32>().ok());
    let (mut hour, minute, second) = (c.next()??, c.next()??, c.next()??);
    match parts.get(2).map(|p| p.to_ascii_uppercase()) {
        Some(p) if p == "PM" && hour < 12 => hour += 12,
        Some(p) if p == "AM" && hour == 12 => hour = 0,
        _ => {}
    }
    let text = format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}");
    let fmt = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let dt = PrimitiveDateTime::parse(&text, &fmt).ok()?;
    Some(dt.assume_utc().unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> serde_json::Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn epoch_string_number_and_expires_in() {
        assert_eq!(
            parse_expiry(&obj(json!({"expires_on": "1586984735"})), 0)
                .unwrap()
                .at,
            1586984735
        );
        assert_eq!(
            parse_expiry(&obj(json!({"expires_on": 1586984735})), 0)
                .unwrap()
                .at,
            1586984735
        );
        let e = parse_expiry(&obj(json!({"expires_in": "86400", "expires_on": "1"})), 100).unwrap();
        assert_eq!((e.at, e.from), (86500, "expires_in"));
        assert_eq!(
            parse_expiry(&obj(json!({"expires_in": 60})), 100)
                .unwrap()
                .at,
            160
        );
        assert!(parse_expiry(&obj(json!({"expires_on": true})), 0).is_none());
        assert!(parse_expiry(&obj(json!({})), 0).is_none());
    }

    #[test]
    fn absurd_values_saturate_instead_of_overflowing() {
        let e = parse_expiry(&obj(json!({"expires_in": "9223372036854775807"})), 100).unwrap();
        assert_eq!(e.at, i64::MAX);
        let e = parse_expiry(&obj(json!({"expires_on": i64::MIN})), 100).unwrap();
        assert_eq!(e.at, i64::MIN);
    }

    #[test]
    fn legacy_dates() {
        let linux =
            parse_expiry(&obj(json!({"expires_on": "06/20/2019 02:57:58 +00:00"})), 0).unwrap();
        assert_eq!(linux.at, 1560999478);
        assert_eq!(linux.from, "expires_on (legacy date)");
        let windows = parse_expiry(
            &obj(json!({"expires_on": "1/16/2020 5:24:12 AM +00:00"})),
            0,
        )
        .unwrap();
        assert_eq!(windows.at, 1579152252);
        let pm = parse_expiry(
            &obj(json!({"expires_on": "1/16/2020 5:24:12 PM +00:00"})),
            0,
        )
        .unwrap();
        assert_eq!(pm.at, 1579152252 + 12 * 3600);
        assert!(
            parse_expiry(&obj(json!({"expires_on": "13/45/2020 99:00:00 +00:00"})), 0).is_none()
        );
    }
}
