//! Validation of Google identifiers, shared with the settings module. Problems are
//! [`Text`] (catalogue `gcp.*`, see `assets/i18n/gcp.toml`): predicates that follow the value
//! or the setting they describe.

use super::quote::shell_quote;
use crate::i18n::{Lang, Text};
use crate::msg;

/// Checks a workload identity pool or provider ID: 4–32 characters of `[a-z0-9-]`, not
/// starting with `gcp-` (reserved). Messages follow the Terraform provider's wording.
pub fn validate_pool_or_provider_id(s: &str) -> Result<(), Text> {
    let value = format!("{s:?}");
    if s.starts_with("gcp-") {
        return Err(msg!("gcp.id.gcp_prefix", value = value).into());
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        let key = if s.bytes().any(|b| b.is_ascii_uppercase()) {
            "gcp.id.chars_upper"
        } else {
            "gcp.id.chars"
        };
        return Err(msg!(key, value = value).into());
    }
    if s.len() < 4 {
        return Err(msg!("gcp.id.too_short", value = value).into());
    }
    if s.len() > 32 {
        return Err(msg!("gcp.id.too_long", value = value).into());
    }
    Ok(())
}

/// `gcloud projects describe PROJECT --format='value(projectNumber)'`: a command, the same in
/// every language.
pub fn project_number_command(project: &str) -> String {
    msg!("gcp.cmd.project_number", project = shell_quote(project)).render(Lang::En)
}

/// Checks a Google Cloud project number (digits only). A value that looks like a project ID
/// gets a hint on how to look the number up.
pub fn validate_project_number(s: &str) -> Result<(), Text> {
    if s.is_empty() {
        return Err(msg!("gcp.project_number.empty").into());
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    let looks_like_id = s.len() <= 64
        && s.bytes().any(|b| b.is_ascii_alphabetic())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b':' || b == b'.');
    if looks_like_id {
        Err(msg!(
            "gcp.project_number.looks_like_id",
            value = format!("{s:?}"),
            command = project_number_command(s)
        )
        .into())
    } else {
        Err(msg!("gcp.project_number.digits_only").into())
    }
}

/// `Some(problem)` when `s` is not a valid project ID (6–30 of lowercase letters, digits and
/// hyphens, starting with a letter, not ending with a hyphen; a legacy `domain:` prefix is
/// allowed). The problem is a predicate: "the project ID X {problem}".
pub fn project_id_problem(s: &str) -> Option<Text> {
    let id = match s.rsplit_once(':') {
        Some((domain, id)) if domain.contains('.') => id,
        _ => s,
    };
    let problem = if id.bytes().all(|b| b.is_ascii_digit()) && !id.is_empty() {
        msg!("gcp.project_id.all_digits")
    } else if id.len() < 6 || id.len() > 30 {
        msg!("gcp.project_id.length", count = id.chars().count())
    } else if id.bytes().any(|b| b.is_ascii_uppercase()) {
        msg!("gcp.project_id.uppercase")
    } else if !id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        msg!("gcp.project_id.chars")
    } else if !id.as_bytes()[0].is_ascii_lowercase() {
        msg!("gcp.project_id.start_letter")
    } else if id.ends_with('-') {
        msg!("gcp.project_id.end_hyphen")
    } else {
        return None;
    };
    Some(problem.into())
}

/// A project ID as Google allows it (6–30 of `[a-z0-9-]`, starting with a letter).
pub fn validate_project_id(s: &str) -> Result<(), Text> {
    match project_id_problem(s) {
        Some(problem) => Err(msg!("gcp.project_id.invalid", problem = problem).into()),
        None => Ok(()),
    }
}

/// A service-account email as it may appear in a URL path and a credential file: one `@`,
/// a non-empty name and a dotted domain, only `[A-Za-z0-9._+-]` (no `/`, `?`, `#`, `%`,
/// spaces or quotes that would change the generateAccessToken URL). Which names Google
/// accepts is the settings lint's business; this is the line below which no request is made.
/// The problem is a predicate: "service account X {problem}".
pub fn validate_service_account_email(s: &str) -> Result<(), Text> {
    let Some((name, domain)) = s.split_once('@') else {
        return Err(msg!("gcp.service_account.no_at").into());
    };
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"._+-".contains(&b);
    if name.is_empty() || domain.is_empty() {
        return Err(msg!("gcp.service_account.empty_part").into());
    }
    if let Some(c) = s
        .chars()
        .find(|c| *c != '@' && !(c.is_ascii() && allowed(*c as u8)))
    {
        return Err(msg!("gcp.service_account.bad_char", char = format!("{c:?}")).into());
    }
    if domain.contains('@') {
        return Err(msg!("gcp.service_account.two_at").into());
    }
    if !domain.contains('.') || domain.split('.').any(str::is_empty) {
        return Err(msg!("gcp.service_account.no_domain").into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en(r: Result<(), Text>) -> Result<(), String> {
        r.map_err(|e| e.en())
    }

    #[test]
    fn service_account_emails() {
        for ok in [
            "wif-sa@my-project.iam.gserviceaccount.com",
            "123-compute@developer.gserviceaccount.com",
            "my-project@appspot.gserviceaccount.com",
        ] {
            assert_eq!(validate_service_account_email(ok), Ok(()), "{ok}");
        }
        for bad in [
            "a@b.iam.gserviceaccount.com/../../x?",
            "a@b.iam.gserviceaccount.com#frag",
            "a%40b@c.com",
            "a b@c.com",
            "\"a@c.com\"",
            "nobody",
            "@c.com",
            "a@",
            "a@b@c.com",
            "a@localhost",
            "a@b..com",
        ] {
            assert!(validate_service_account_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pool_and_provider_ids() {
        for ok in ["azure-pool", "abcd", "a-b-", "0123", &"a".repeat(32)] {
            assert_eq!(validate_pool_or_provider_id(ok), Ok(()), "{ok}");
        }
        assert_eq!(
            en(validate_pool_or_provider_id("gcp-pool")),
            Err(r#""gcp-pool" can not start with "gcp-""#.to_string())
        );
        assert_eq!(
            en(validate_pool_or_provider_id("abc")),
            Err(r#""abc" cannot be smaller than 4 characters"#.to_string())
        );
        assert!(
            validate_pool_or_provider_id(&"a".repeat(33))
                .unwrap_err()
                .en()
                .ends_with("cannot be greater than 32 characters")
        );
        assert_eq!(
            en(validate_pool_or_provider_id("Azure-Pool")),
            Err(r#""Azure-Pool" must contain only lowercase letters (a-z), numbers (0-9), or dashes (-) (use lowercase)"#.to_string())
        );
        assert!(
            validate_pool_or_provider_id("azure_pool")
                .unwrap_err()
                .en()
                .contains("only lowercase")
        );
        assert!(
            validate_pool_or_provider_id("")
                .unwrap_err()
                .en()
                .contains("smaller than 4")
        );
    }

    #[test]
    fn project_numbers() {
        assert_eq!(validate_project_number("123456789012"), Ok(()));
        assert_eq!(
            en(validate_project_number("my-project")),
            Err(r#""my-project" is not a project number: this looks like a project ID; use the project number: gcloud projects describe my-project --format='value(projectNumber)'"#.to_string())
        );
        assert!(
            validate_project_number("example.com:my-proj")
                .unwrap_err()
                .en()
                .contains("looks like a project ID")
        );
        assert_eq!(
            en(validate_project_number("12 34")),
            Err("the project number must contain only digits (0-9)".to_string())
        );
        assert_eq!(
            en(validate_project_number("")),
            Err("the project number is empty".to_string())
        );
    }
}
