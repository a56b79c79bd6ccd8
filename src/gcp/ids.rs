//! Validation of Google identifiers, shared with the settings module.

use super::quote::shell_quote;

/// Checks a workload identity pool or provider ID: 4–32 characters of `[a-z0-9-]`, not
/// starting with `gcp-` (reserved). Messages follow the Terraform provider's wording.
pub fn validate_pool_or_provider_id(s: &str) -> Result<(), String> {
    if s.starts_with("gcp-") {
        return Err(format!("{:?} can not start with \"gcp-\"", s));
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        let hint = if s.bytes().any(|b| b.is_ascii_uppercase()) {
            " (use lowercase)"
        } else {
            ""
        };
        return Err(format!(
            "{:?} must contain only lowercase letters (a-z), numbers (0-9), or dashes (-){hint}",
            s
        ));
    }
    if s.len() < 4 {
        return Err(format!("{:?} cannot be smaller than 4 characters", s));
    }
    if s.len() > 32 {
        return Err(format!("{:?} cannot be greater than 32 characters", s));
    }
    Ok(())
}

/// Checks a Google Cloud project number (digits only). A value that looks like a project ID
/// gets a hint on how to look the number up.
pub fn validate_project_number(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("the project number is empty".to_string());
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    let looks_like_id = s.len() <= 64
        && s.bytes().any(|b| b.is_ascii_alphabetic())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b':' || b == b'.');
    if looks_like_id {
        Err(format!(
            "{s:?} is not a project number: this looks like a project ID; use the project number: gcloud projects describe {} --format='value(projectNumber)'",
            shell_quote(s)
        ))
    } else {
        Err("the project number must contain only digits (0-9)".to_string())
    }
}

/// `Some(problem)` when `s` is not a valid project ID (6–30 of lowercase letters, digits and
/// hyphens, starting with a letter, not ending with a hyphen; a legacy `domain:` prefix is
/// allowed).
pub fn project_id_problem(s: &str) -> Option<String> {
    let id = match s.rsplit_once(':') {
        Some((domain, id)) if domain.contains('.') => id,
        _ => s,
    };
    if id.bytes().all(|b| b.is_ascii_digit()) && !id.is_empty() {
        return Some("is all digits: that is a project number, not a project ID".to_string());
    }
    if id.len() < 6 || id.len() > 30 {
        return Some(format!(
            "has {} characters; a project ID has 6 to 30",
            id.chars().count()
        ));
    }
    if id.bytes().any(|b| b.is_ascii_uppercase()) {
        return Some("contains uppercase letters; project IDs are lowercase".to_string());
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Some(
            "may only contain lowercase letters (a-z), digits (0-9) and hyphens (-)".to_string(),
        );
    }
    if !id.as_bytes()[0].is_ascii_lowercase() {
        return Some("must start with a letter".to_string());
    }
    if id.ends_with('-') {
        return Some("must not end with a hyphen".to_string());
    }
    None
}

/// A project ID as Google allows it (6–30 of `[a-z0-9-]`, starting with a letter).
pub fn validate_project_id(s: &str) -> Result<(), String> {
    match project_id_problem(s) {
        Some(problem) => Err(format!("this project ID {problem}")),
        None => Ok(()),
    }
}

/// A service-account email as it may appear in a URL path and a credential file: one `@`,
/// a non-empty name and a dotted domain, only `[A-Za-z0-9._+-]` (no `/`, `?`, `#`, `%`,
/// spaces or quotes that would change the generateAccessToken URL). Which names Google
/// accepts is the settings lint's business; this is the line below which no request is made.
pub fn validate_service_account_email(s: &str) -> Result<(), String> {
    let Some((name, domain)) = s.split_once('@') else {
        return Err("is not an email address (no @)".into());
    };
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"._+-".contains(&b);
    if name.is_empty() || domain.is_empty() {
        return Err("is not an email address (nothing before or after the @)".into());
    }
    if let Some(c) = s
        .chars()
        .find(|c| *c != '@' && !(c.is_ascii() && allowed(*c as u8)))
    {
        return Err(format!(
            "contains {c:?}, which no service-account email has (it would change the request URL)"
        ));
    }
    if domain.contains('@') {
        return Err("has more than one @".into());
    }
    if !domain.contains('.') || domain.split('.').any(str::is_empty) {
        return Err("has no valid domain after the @".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
            validate_pool_or_provider_id("gcp-pool"),
            Err(r#""gcp-pool" can not start with "gcp-""#.to_string())
        );
        assert_eq!(
            validate_pool_or_provider_id("abc"),
            Err(r#""abc" cannot be smaller than 4 characters"#.to_string())
        );
        assert!(
            validate_pool_or_provider_id(&"a".repeat(33))
                .unwrap_err()
                .ends_with("cannot be greater than 32 characters")
        );
        assert_eq!(
            validate_pool_or_provider_id("Azure-Pool"),
            Err(r#""Azure-Pool" must contain only lowercase letters (a-z), numbers (0-9), or dashes (-) (use lowercase)"#.to_string())
        );
        assert!(
            validate_pool_or_provider_id("azure_pool")
                .unwrap_err()
                .contains("only lowercase")
        );
        assert!(
            validate_pool_or_provider_id("")
                .unwrap_err()
                .contains("smaller than 4")
        );
    }

    #[test]
    fn project_numbers() {
        assert_eq!(validate_project_number("123456789012"), Ok(()));
        assert_eq!(
            validate_project_number("my-project"),
            Err(r#""my-project" is not a project number: this looks like a project ID; use the project number: gcloud projects describe my-project --format='value(projectNumber)'"#.to_string())
        );
        assert!(
            validate_project_number("example.com:my-proj")
                .unwrap_err()
                .contains("looks like a project ID")
        );
        assert_eq!(
            validate_project_number("12 34"),
            Err("the project number must contain only digits (0-9)".to_string())
        );
        assert_eq!(
            validate_project_number(""),
            Err("the project number is empty".to_string())
        );
    }
}
