//! Scheduling: what waits for what, and the event stream.
//!
//! ```text
//! gcp.settings ─┐                       ┌─ token.signature (discovery + JWKS)
//! config.file  ─┤                       │
//! azure.source → azure.token → token.claims ─┤
//!                                       └─ sts.exchange → iam.impersonation → ┬ gcp.permissions
//!                                                                            └ vertex.call
//! ```

use super::{CheckId, Finding, Report, claims, google, local, signature};
use crate::azure::AzureError;
use crate::msg;
use crate::secret::Secret;
use crate::session::{Fetched, Session, now};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc::UnboundedSender;

/// What the engine reports while it runs.
#[derive(Debug, Clone)]
pub enum Event {
    /// A check began (its network step may take a while).
    Started(CheckId),
    /// A check finished.
    Finished(Finding),
    /// The Azure token (or why there is none), so a face can show it without fetching again.
    Token(Box<Result<Fetched, AzureError>>),
}

struct Emitter {
    tx: UnboundedSender<Event>,
}

impl Emitter {
    fn start(&self, id: CheckId) -> Instant {
        let _ = self.tx.send(Event::Started(id));
        Instant::now()
    }

    /// Every finding leaves the engine scrubbed of the run's secrets.
    fn finish(&self, started: Instant, f: Finding) -> Finding {
        let mut f = f.scrubbed();
        f.elapsed_ms = started.elapsed().as_millis() as u64;
        let _ = self.tx.send(Event::Finished(f.clone()));
        f
    }

    fn now(&self, f: Finding) -> Finding {
        let t = self.start(f.id);
        self.finish(t, f)
    }
}

/// Run every check, streaming events to `tx`; returns the findings in display order.
pub async fn run(session: Arc<Session>, tx: UnboundedSender<Event>) -> Report {
    run_with(session, None, tx).await
}

/// Like [`run`], reusing a token fetched before (a settings change that does not affect
/// the Azure side re-runs the Google checks only).
pub async fn run_with(
    session: Arc<Session>,
    token: Option<Fetched>,
    tx: UnboundedSender<Event>,
) -> Report {
    let e = Emitter { tx };
    let mut findings = Vec::with_capacity(CheckId::ALL.len());

    findings.push(e.now(local::settings(&session.settings)));
    // STS still runs on a doubtful value (a project ID in place of the number, say): its
    // answer is evidence too. Only an audience that cannot be formed at all stops it.
    let s = &session.settings;
    let audience_known = s.project_number.is_some() && s.pool.is_some() && s.provider.is_some();
    // Never send a credential to a host the settings got wrong.
    let endpoints_safe = local::endpoint_problems(s).is_empty();

    let plan = session.plan();
    findings.push(e.now(local::source(&plan)));
    // While the identity request is in flight, open the connections every later hop needs.
    if plan.is_ok() {
        session
            .http
            .warm(warm_hosts(s, endpoints_safe && audience_known));
    }

    let t = e.start(CheckId::AzureToken);
    let source_ok = plan.is_ok();
    let result = match (plan, token) {
        (Err(err), _) => Err(err),
        (Ok(_), Some(f)) => Ok(f),
        (Ok(_), None) => session.fetch().await,
    };
    let _ = e.tx.send(Event::Token(Box::new(result.clone())));
    let fetched: Option<Fetched> = match result {
        Ok(f) => {
            findings.push(e.finish(t, local::token(&f)));
            Some(f)
        }
        Err(err) => {
            let finding = if source_ok {
                local::token_error(&err)
            } else {
                Finding::skip(CheckId::AzureToken, msg!("claims.skip.no_source"))
            };
            findings.push(e.finish(t, finding));
            None
        }
    };

    // The config lint compares against the live endpoint/header, so it follows the source;
    // with a token it runs while the first Google and Entra requests are in flight.
    let Some(f) = fetched else {
        findings.push(e.now(local::config_file(&session.settings, None).await));
        for id in [
            CheckId::TokenClaims,
            CheckId::TokenSignature,
            CheckId::StsExchange,
        ] {
            findings.push(e.now(Finding::skip(id, msg!("claims.skip.no_token"))));
        }
        for id in [
            CheckId::IamImpersonation,
            CheckId::GcpPermissions,
            CheckId::VertexCall,
        ] {
            findings.push(e.now(Finding::skip(id, msg!("claims.skip.no_federated"))));
        }
        return Report::from_findings(findings);
    };
    findings.push(e.now(claims::check(&f.jwt, now())));

    let signature = async {
        let t = e.start(CheckId::TokenSignature);
        e.finish(
            t,
            signature::check(&session.http, &f.jwt, &f.token.token).await,
        )
    };
    let chain = async {
        let mut out = Vec::new();
        let t = e.start(CheckId::StsExchange);
        let (sts, federated) = if !endpoints_safe {
            (
                Finding::skip(CheckId::StsExchange, msg!("claims.skip.unsafe_endpoint")),
                None,
            )
        } else if audience_known {
            google::sts(&session, &f).await
        } else {
            (
                Finding::skip(
                    CheckId::StsExchange,
                    msg!("claims.skip.incomplete_settings"),
                ),
                None,
            )
        };
        out.push(e.finish(t, sts));
        let Some(federated) = federated else {
            for id in [
                CheckId::IamImpersonation,
                CheckId::GcpPermissions,
                CheckId::VertexCall,
            ] {
                out.push(e.now(Finding::skip(id, msg!("claims.skip.no_federated"))));
            }
            return out;
        };
        let t = e.start(CheckId::IamImpersonation);
        let (imp, bearer): (Finding, Option<Secret>) =
            google::impersonate(&session, &f, &federated).await;
        out.push(e.finish(t, imp));
        let Some(bearer) = bearer else {
            for id in [CheckId::GcpPermissions, CheckId::VertexCall] {
                out.push(e.now(Finding::skip(id, msg!("claims.skip.no_sa_token"))));
            }
            return out;
        };
        let permissions = async {
            let t = e.start(CheckId::GcpPermissions);
            e.finish(t, google::permissions(&session, &f, &bearer).await)
        };
        let vertex = async {
            let t = e.start(CheckId::VertexCall);
            e.finish(t, google::vertex(&session, &f, &bearer).await)
        };
        let (p, v) = tokio::join!(permissions, vertex);
        out.push(p);
        out.push(v);
        out
    };
    // `join!` polls in order: both requests are on their way before the lint's CPU work.
    // An executable-sourced file is run too (bounded by its timeout_millis), beside the network.
    let lint = async {
        let t = e.start(CheckId::ConfigFile);
        let config = local::config_file(&session.settings, Some(&f)).await;
        e.finish(t, config)
    };
    let (sig, rest, config) = tokio::join!(signature, chain, lint);
    findings.push(config);
    findings.push(sig);
    findings.extend(rest);
    Report::from_findings(findings)
}

/// The hosts a run will talk to after the token arrives, known from the settings alone: the
/// Entra discovery hosts of the public cloud and, when the settings lint accepted the Google
/// endpoints, STS, IAM Credentials (with a service account), Resource Manager and Vertex AI.
pub fn warm_hosts(s: &crate::settings::Settings, google: bool) -> Vec<String> {
    let mut hosts: Vec<String> = ENTRA_HOSTS.iter().map(|h| h.to_string()).collect();
    if !google {
        return hosts;
    }
    let universe = s.universe_domain.value.trim();
    if let Some(h) = url::Url::parse(s.token_url.value.trim())
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
    {
        hosts.push(h);
    }
    if let Some(sa) = &s.service_account
        && super::google::service_account_rejections(s, &sa.value).is_empty()
    {
        hosts.push(format!("iamcredentials.{universe}"));
    }
    hosts.push(format!("cloudresourcemanager.{universe}"));
    let location = s.location.value.trim();
    hosts.push(if location == "global" {
        format!("aiplatform.{universe}")
    } else {
        format!("{location}-aiplatform.{universe}")
    });
    hosts
}

/// v1 tokens are issued by `sts.windows.net` (discovery there, keys on `login…`); v2 by `login…`.
const ENTRA_HOSTS: &[&str] = &["sts.windows.net", "login.microsoftonline.com"];

/// Run without a listener (tests, `--json`).
pub async fn run_to_report(session: Arc<Session>) -> Report {
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    run(session, tx).await
}
