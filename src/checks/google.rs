//! Checks that call Google: the STS exchange, impersonation, the permission probe and a
//! free Vertex AI call. Failures are explained by the catalogue in `diagnose`.

use super::{CheckId, Finding, tls};
use crate::diagnose::{self, Context, Explanation};
use crate::google::{self, CallError, StsRequest};
use crate::i18n::Text;
use crate::msg;
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
) -> Vec<Text> {
    diagnose::text::service_account_issues(
        "service_account",
        sa,
        value_of(&settings.project_id).as_deref(),
    )
    .into_iter()
    .filter(|i| i.severity == diagnose::Severity::Fail)
    .map(|i| i.message)
    .collect()
}

fn unreachable(s: &Session, id: CheckId, what: impl Into<Text>, e: &CallError) -> Finding {
    let fix = msg!("google.reach.fix");
    let detail = msg!("google.reach.failed", what = what.into(), error = e.text());
    match e {
        CallError::Transport(failure) => {
            let roots = s.http.roots();
            // The TLS note and the bundled-roots fix come from checks::tls.
            let detail = tls::with_note(detail, &roots);
            let fix = tls::fix(&roots, failure, fix);
            Finding::fail(id, detail, fix).with_data(json!({"tls_roots": tls::id(&roots)}))
        }
        // Nothing was sent: the setting named in `m` cannot form the request.
        CallError::Setting(m) => Finding::fail(
            id,
            msg!("google.reach.not_called", why = m),
            msg!("google.reach.setting_fix"),
        ),
        _ => Finding::fail(id, detail, fix),
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
                .map(|e| Text::from(msg!("google.sts.valid_for", seconds = e)))
                .unwrap_or_default();
            let mut detail = Text::from(msg!(
                "google.sts.accepted",
                audience = audience.as_str(),
                expires = expires
            ));
            detail.line(msg!("google.sts.principal", principal = ctx.principal()));
            let finding = Finding::pass(id, detail).with_data(json!({
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
                msg!(
                    "google.reach.sts",
                    url = s.settings.token_url.value.as_str()
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
            Finding::skip(id, msg!("google.impersonation.no_sa")),
            Some(federated.clone()),
        );
    };
    let rejected = service_account_rejections(&s.settings, &sa.value);
    if !rejected.is_empty() {
        return (
            Finding::skip(
                id,
                msg!(
                    "google.impersonation.invalid_sa",
                    reasons = Text::join(rejected.clone(), "; ")
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
                msg!(
                    "google.impersonation.issued",
                    sa = sa.value.as_str(),
                    expires = t
                        .expire_time
                        .as_ref()
                        .map(|e| Text::from(msg!("google.impersonation.expires", time = e)))
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
            unreachable(s, id, msg!("google.reach.iamcredentials"), &e),
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
        return Finding::skip(id, msg!("google.permissions.no_project"));
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
                    msg!(
                        "google.permissions.holds",
                        permissions = WANTED.join(", "),
                        project = project.as_str()
                    ),
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
        Err(e) => unreachable(s, id, msg!("google.reach.resource_manager"), &e),
    }
}

/// vertex.call: countTokens on the publisher model, a real call that costs nothing.
pub async fn vertex(s: &Session, f: &Fetched, bearer: &Secret) -> Finding {
    let id = CheckId::VertexCall;
    let Some(project) = project_id(s) else {
        return Finding::skip(id, msg!("google.permissions.no_project"));
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
            msg!(
                "google.vertex.answered",
                model = model.as_str(),
                location = location.as_str(),
                tokens = c
                    .total_tokens
                    .map(|n| Text::from(msg!("google.vertex.tokens", count = n)))
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
        Err(e) => unreachable(
            s,
            id,
            msg!("google.reach.vertex", location = location.as_str()),
            &e,
        ),
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
    // Text cells serialize in the process language, like every `--json` text field.
    let row = |what: &str, token: Text, expected: Text| json!({"what": what, "token_says": token, "provider_expects": expected});
    let none = || Text::from(msg!("google.none"));
    let iss = ctx
        .token_iss
        .as_deref()
        .map(Text::value)
        .unwrap_or_else(none);
    match explanation {
        "sts.audience_mismatch" => vec![row(
            "aud",
            Text::value(ctx.token_aud.join(", ")),
            msg!(
                "google.compare.audiences",
                provider = ctx.provider_or_placeholder()
            )
            .into(),
        )],
        "sts.issuer_mismatch" => {
            let expected = ["expected one in config: ", "expected ones: "]
                .iter()
                .find_map(|m| {
                    description
                        .split_once(m)
                        .map(|(_, rest)| Text::value(rest.trim().trim_end_matches('.')))
                })
                .unwrap_or_else(|| msg!("google.compare.issuer").into());
            vec![row("iss", iss, expected)]
        }
        "sts.token_stale" => vec![row(
            "exp",
            ctx.token_exp
                .map(|e| Text::value(crate::jwt::format_utc(e)))
                .unwrap_or_else(none),
            msg!("google.compare.exp", now = crate::jwt::format_utc(ctx.now)).into(),
        )],
        "sts.invalid_target" | "sts.audience_format" => vec![row(
            "audience",
            Text::value(audience),
            msg!(
                "google.compare.audience",
                shape = "//iam.googleapis.com/projects/<NUMBER>/locations/global/workloadIdentityPools/<POOL>/providers/<PROVIDER>"
            )
            .into(),
        )],
        "sts.attribute_condition" => vec![row(
            "tid / sub",
            Text::join(
                [ctx.token_tid.as_deref(), ctx.token_sub.as_deref()]
                    .map(|v| v.map(Text::value).unwrap_or_else(none)),
                " / ",
            ),
            msg!("google.compare.condition").into(),
        )],
        _ => Vec::new(),
    }
}
