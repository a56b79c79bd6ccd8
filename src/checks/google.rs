//! Checks that call Google: the STS exchange, impersonation, the permission probe and a
//! free Vertex AI call. Failures are explained by the catalogue in `diagnose`.

use super::{CheckId, Finding, tls};
use crate::diagnose::{self, Context, Explanation};
use crate::google::{self, CallError, StsRequest};
use crate::secret::Secret;
use crate::session::{Fetched, Session, now};
use crate::settings::value_of;
use serde_json::json;

const WANTED: &[&str] = &["aiplatform.endpoints.predict"];

fn context(s: &Session, f: &Fetched) -> Context {
    // Explanations and the audience use the values without copy/paste whitespace;
    // gcp.settings reports the raw ones.
    let v = |o| value_of(o).map(|x| x.trim().to_string());
    Context {
        project_number: v(&s.settings.project_number),
        project_id: v(&s.settings.project_id),
        pool: v(&s.settings.pool),
        provider: v(&s.settings.provider),
        service_account: v(&s.settings.service_account),
        resource: Some(s.settings.resource.value.clone()),
        now: now(),
        ..Default::default()
    }
    .with_token(&f.jwt)
}

fn explained(id: CheckId, e: Explanation, status: u16, body: &str) -> Finding {
    let mut detail = e.summary.clone();
    detail.line(e.detail);
    Finding::fail(id, detail, e.fix).with_data(json!({
        "explanation": e.id, "retryable": e.retryable, "status": status,
        "body": crate::http::excerpt(body.as_bytes(), 1000),
    }))
}

/// Why the settings lint rejects the service account, if it does. A rejected value is never
/// sent, nor is its host even connected to (it could change the request URL, and Google would
/// only answer 400 anyway).
pub(crate) fn service_account_rejections(
    settings: &crate::settings::Settings,
    sa: &str,
) -> Vec<String> {
    diagnose::text::service_account_issues(
        "service_account",
        sa,
        value_of(&settings.project_id).as_deref(),
    )
    .into_iter()
    .filter(|i| i.severity == diagnose::Severity::Fail)
    .map(|i| i.message.to_string())
    .collect()
}

fn unreachable(s: &Session, id: CheckId, what: &str, e: &CallError) -> Finding {
    let fix = "check outbound HTTPS from this machine to *.googleapis.com (HTTPS_PROXY / NO_PROXY, firewall)";
    match e {
        CallError::Transport(failure) => Finding::fail(
            id,
            tls::with_note(format!("{what}: {e}"), &s.http.roots()),
            tls::fix(&s.http.roots(), failure, fix),
        )
        .with_data(json!({"tls_roots": tls::id(&s.http.roots())})),
        // Nothing was sent: the setting named in `m` cannot form the request.
        CallError::Setting(m) => Finding::fail(
            id,
            format!("not called: {m}"),
            "correct the setting (see gcp.settings; wif-doctor env shows where it came from)",
        ),
        _ => Finding::fail(id, format!("{what}: {e}"), fix),
    }
}

/// sts.exchange: returns the federated token on success.
pub async fn sts(s: &Session, f: &Fetched) -> (Finding, Option<Secret>) {
    let id = CheckId::StsExchange;
    let ctx = context(s, f);
    let audience = ctx.sts_audience();
    let req = StsRequest {
        token_url: &s.settings.token_url.value,
        audience: &audience,
        subject_token: &f.token.token,
        subject_token_type: &s.settings.subject_token_type.value,
    };
    match google::sts_exchange(&s.http, &req).await {
        Ok(t) => {
            let expires = t
                .expires_in
                .map(|e| format!(", valid for {e} s"))
                .unwrap_or_default();
            let finding = Finding::pass(
                id,
                format!(
                    "STS accepted the token for {audience}{expires}\nfederated principal: {}",
                    ctx.principal()
                ),
            )
            .with_data(json!({
                "audience": audience, "expires_in": t.expires_in,
                "principal": ctx.principal(), "principal_set": ctx.principal_set(),
            }));
            (finding, Some(t.access_token))
        }
        Err(CallError::Status { status, body }) => {
            let e = diagnose::explain_sts(status, &body, &ctx);
            let compare = compare_sts(&e.id, &body, &ctx, &audience);
            let mut f = explained(id, e, status, &body);
            f.data["compare"] = json!(compare);
            (f, None)
        }
        Err(e) => (
            unreachable(
                s,
                id,
                &format!(
                    "cannot complete the exchange at {}",
                    s.settings.token_url.value
                ),
                &e,
            ),
            None,
        ),
    }
}

/// iam.impersonation: with a service account, swap the federated token for the SA's.
/// Without one, the federated token is the bearer for the remaining checks.
pub async fn impersonate(
    s: &Session,
    f: &Fetched,
    federated: &Secret,
) -> (Finding, Option<Secret>) {
    let id = CheckId::IamImpersonation;
    let Some(sa) = &s.settings.service_account else {
        return (
            Finding::skip(
                id,
                "no service account set: the federated token is used directly (recommended for Vertex AI)",
            ),
            Some(federated.clone()),
        );
    };
    let rejected = service_account_rejections(&s.settings, &sa.value);
    if !rejected.is_empty() {
        return (
            Finding::skip(
                id,
                format!(
                    "not called: the service account setting is invalid (see gcp.settings): {}",
                    rejected.join("; ")
                ),
            )
            .with_data(json!({"service_account": crate::diagnose::visible(&sa.value), "reasons": rejected})),
            None,
        );
    }
    let ctx = context(s, f);
    match google::generate_access_token(
        &s.http,
        &s.settings.universe_domain.value,
        &sa.value,
        federated,
    )
    .await
    {
        Ok(t) => (
            Finding::pass(
                id,
                format!(
                    "{} issued an access token{}",
                    sa.value,
                    t.expire_time
                        .as_ref()
                        .map(|e| format!(" (expires {e})"))
                        .unwrap_or_default()
                ),
            )
            .with_data(json!({"service_account": sa.value})),
            Some(t.access_token),
        ),
        Err(CallError::Status { status, body }) => (
            explained(
                id,
                diagnose::explain_impersonation(status, &body, &ctx),
                status,
                &body,
            ),
            None,
        ),
        Err(e) => (
            unreachable(s, id, "cannot reach iamcredentials.googleapis.com", &e),
            None,
        ),
    }
}

fn project_id(s: &Session) -> Option<String> {
    s.settings
        .project_id
        .as_ref()
        .map(|p| p.value.trim().to_string())
        .filter(|p| !p.is_empty())
}

/// gcp.permissions: the free testIamPermissions probe for aiplatform.endpoints.predict.
pub async fn permissions(s: &Session, f: &Fetched, bearer: &Secret) -> Finding {
    let id = CheckId::GcpPermissions;
    let Some(project) = project_id(s) else {
        return Finding::skip(id, "no project ID: set --project-id (GCP_PROJECT_ID)");
    };
    let ctx = context(s, f);
    match google::test_iam_permissions(
        &s.http,
        &s.settings.universe_domain.value,
        &project,
        bearer,
        WANTED,
    )
    .await
    {
        Ok(granted) => {
            let wanted: Vec<String> = WANTED.iter().map(|w| w.to_string()).collect();
            match diagnose::explain_permissions(&granted, &wanted, &ctx) {
                None => Finding::pass(
                    id,
                    format!("holds {} on project {project}", WANTED.join(", ")),
                )
                .with_data(json!({"granted": granted})),
                Some(e) => explained(id, e, 200, "")
                    .with_data(json!({"granted": granted, "wanted": wanted})),
            }
        }
        Err(CallError::Status { status, body }) => explained(
            id,
            diagnose::explain_permissions_error(status, &body, &ctx),
            status,
            &body,
        ),
        Err(e) => unreachable(
            s,
            id,
            "cannot reach cloudresourcemanager.googleapis.com",
            &e,
        ),
    }
}

/// vertex.call: countTokens on the publisher model, a real call that costs nothing.
pub async fn vertex(s: &Session, f: &Fetched, bearer: &Secret) -> Finding {
    let id = CheckId::VertexCall;
    let Some(project) = project_id(s) else {
        return Finding::skip(id, "no project ID: set --project-id (GCP_PROJECT_ID)");
    };
    let (location, model) = (&s.settings.location.value, &s.settings.model.value);
    let ctx = context(s, f);
    match google::count_tokens(
        &s.http,
        &s.settings.universe_domain.value,
        location,
        &project,
        model,
        bearer,
    )
    .await
    {
        Ok(c) => Finding::pass(
            id,
            format!(
                "countTokens on {model} in {location} answered{}",
                c.total_tokens
                    .map(|n| format!(" ({n} tokens)"))
                    .unwrap_or_default()
            ),
        )
        .with_data(json!({"model": model, "location": location, "total_tokens": c.total_tokens})),
        Err(CallError::Status { status, body }) => explained(
            id,
            diagnose::explain_vertex(status, &body, &ctx, location, model),
            status,
            &body,
        ),
        Err(e) => unreachable(s, id, &format!("cannot reach Vertex AI in {location}"), &e),
    }
}

/// "Token says / provider expects" for the STS failures where both sides are known
/// (the provider's side from the error text or from the settings), for side-by-side display.
fn compare_sts(
    explanation: &str,
    body: &str,
    ctx: &Context,
    audience: &str,
) -> Vec<serde_json::Value> {
    let description = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error_description"].as_str().map(str::to_string))
        .unwrap_or_default();
    let row = |what: &str, token: &str, expected: &str| json!({"what": what, "token_says": token, "provider_expects": expected});
    let iss = ctx.token_iss.clone().unwrap_or_else(|| "(none)".into());
    match explanation {
        "sts.audience_mismatch" => vec![row(
            "aud",
            &ctx.token_aud.join(", "),
            &format!(
                "one of provider {}'s allowed audiences (this value is not among them)",
                ctx.provider_or_placeholder()
            ),
        )],
        "sts.issuer_mismatch" => {
            let expected = ["expected one in config: ", "expected ones: "]
                .iter()
                .find_map(|m| {
                    description
                        .split_once(m)
                        .map(|(_, rest)| rest.trim().trim_end_matches('.').to_string())
                })
                .unwrap_or_else(|| "the provider's issuer URI".into());
            vec![row("iss", &iss, &expected)]
        }
        "sts.token_stale" => vec![row(
            "exp",
            &ctx.token_exp
                .map(crate::jwt::format_utc)
                .unwrap_or_else(|| "(none)".into()),
            &format!(
                "later than now ({}), within about 60 s",
                crate::jwt::format_utc(ctx.now)
            ),
        )],
        "sts.invalid_target" | "sts.audience_format" => vec![row(
            "audience",
            audience,
            "//iam.googleapis.com/projects/<NUMBER>/locations/global/workloadIdentityPools/<POOL>/providers/<PROVIDER> of an active provider",
        )],
        "sts.attribute_condition" => vec![row(
            "tid / sub",
            &format!(
                "{} / {}",
                ctx.token_tid.as_deref().unwrap_or("(none)"),
                ctx.token_sub.as_deref().unwrap_or("(none)")
            ),
            "values the provider's attribute condition accepts",
        )],
        _ => Vec::new(),
    }
}
