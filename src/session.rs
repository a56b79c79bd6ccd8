//! One run's engine: settings plus the HTTP clients, and the operations every face
//! (CLI, wizard) builds on. Knows nothing of terminals.

use crate::azure::{self, AzureError, AzureToken, ErrorKind, Plan};
use crate::gcp::{
    self, ConfigInputs, GoogleInputs, GoogleValues, TokenFacts, UserAssignedSelector,
};
use crate::http::{Http, HttpError};
use crate::jwt::{self, DecodedJwt, TokenSummary};
use crate::settings::{IdentitySelector, Settings, SourceChoice, value_of};

/// A fetched and locally decoded token.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub plan: Plan,
    pub token: AzureToken,
    pub jwt: DecodedJwt,
    pub summary: TokenSummary,
}

impl Fetched {
    /// Expiry: the response's field when it had one, else the JWT `exp`.
    pub fn expires_at(&self) -> Option<(i64, &'static str)> {
        self.token
            .expiry
            .as_ref()
            .map(|e| (e.at, e.from))
            .or_else(|| self.jwt.exp().map(|e| (e, "JWT exp claim")))
    }
}

/// Settings and clients for one run.
#[derive(Debug, Clone)]
pub struct Session {
    pub settings: Settings,
    pub http: Http,
}

pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl Session {
    pub fn new(settings: Settings) -> Result<Session, HttpError> {
        let http = Http::new(&settings)?;
        Ok(Session { settings, http })
    }

    /// The session of `subject-token`, which only fetches the managed-identity token. Building
    /// the clients parses no certificate (the roots load on a background thread, needed only
    /// for an https identity endpoint), so this is [`Session::new`] under the name of its use.
    pub fn identity_only(settings: Settings) -> Result<Session, HttpError> {
        Session::new(settings)
    }

    /// Which token source applies.
    pub fn plan(&self) -> Result<Plan, AzureError> {
        azure::detect(&self.settings)
    }

    /// Detect the source, fetch the token and decode it locally.
    pub async fn fetch(&self) -> Result<Fetched, AzureError> {
        // The header is in use again: keep it among the secrets the registry never drops.
        for header in [&self.settings.identity_header, &self.settings.msi_secret]
            .into_iter()
            .flatten()
        {
            crate::secret::registry().add(&header.value);
        }
        let plan = self.plan()?;
        let token = azure::fetch_token(&self.http, &self.settings, &plan).await?;
        let decoded = jwt::decode(token.token.expose()).map_err(|e| {
            AzureError::new(
                ErrorKind::BadResponse,
                crate::msg!("azure.session.not_jwt.summary"),
                e.to_string(),
                crate::msg!("azure.session.not_jwt.fix"),
            )
        })?;
        let mut summary = TokenSummary::new(&decoded, now());
        summary.sha256 = Some(jwt::sha256_hex(token.token.expose()));
        Ok(Fetched {
            plan,
            token,
            jwt: decoded,
            summary,
        })
    }

    pub fn google_inputs(&self) -> GoogleInputs {
        let s = &self.settings;
        let v = value_of;
        GoogleInputs {
            project_number: v(&s.project_number),
            project_id: v(&s.project_id),
            pool: v(&s.pool),
            provider: v(&s.provider),
            service_account: v(&s.service_account),
            token_url: s.token_url.value.clone(),
            universe_domain: s.universe_domain.value.clone(),
            subject_token_type: s.subject_token_type.value.clone(),
            location: Some(s.location.value.clone()),
        }
    }

    /// The Google values for a token (placeholders where settings or claims are missing).
    pub fn values(&self, token: Option<&DecodedJwt>) -> GoogleValues {
        let facts = token.map(TokenFacts::from).unwrap_or(TokenFacts {
            iss: None,
            aud: Vec::new(),
            sub: None,
            tid: None,
        });
        gcp::derive(&self.google_inputs(), &facts)
    }

    /// The settings the STS audience is built from that are not set, as flag (variable).
    fn missing_audience_settings(&self) -> Vec<&'static str> {
        let s = &self.settings;
        [
            (
                s.project_number.is_none(),
                "--project-number (GCP_PROJECT_NUMBER)",
            ),
            (s.pool.is_none(), "--pool (GCP_WORKLOAD_IDENTITY_POOL_ID)"),
            (
                s.provider.is_none(),
                "--provider (GCP_WORKLOAD_IDENTITY_PROVIDER_ID)",
            ),
        ]
        .into_iter()
        .filter_map(|(missing, name)| missing.then_some(name))
        .collect()
    }

    /// Inputs for the credential configuration, or the settings that are missing.
    pub fn config_inputs(&self) -> Result<ConfigInputs, Vec<&'static str>> {
        let s = &self.settings;
        let mut missing = self.missing_audience_settings();
        if s.identity_endpoint.is_none() {
            missing.push("--identity-endpoint (IDENTITY_ENDPOINT)");
        }
        if s.identity_header.is_none() {
            missing.push("--identity-header (IDENTITY_HEADER)");
        }
        let (Some(n), Some(p), Some(v), Some(ep), Some(h)) = (
            &s.project_number,
            &s.pool,
            &s.provider,
            &s.identity_endpoint,
            &s.identity_header,
        ) else {
            return Err(missing);
        };
        Ok(ConfigInputs {
            universe_domain: s.universe_domain.value.clone(),
            credential_type: gcp::defaults::CREDENTIAL_TYPE.into(),
            audience: gcp::sts_audience(&n.value, &p.value, &v.value),
            subject_token_type: s.subject_token_type.value.clone(),
            token_url: s.token_url.value.clone(),
            identity_endpoint: ep.value.clone(),
            identity_header: h.value.clone(),
            resource: s.resource.value.clone(),
            api_version: if s.api_version.is_default() {
                crate::settings::DEFAULT_API_VERSION.into()
            } else {
                s.api_version.value.clone()
            },
            user_assigned: s.selector.as_ref().map(|sel| match &sel.value {
                IdentitySelector::ClientId(v) => UserAssignedSelector::ClientId(v.clone()),
                IdentitySelector::ObjectId(v) => UserAssignedSelector::PrincipalId(v.clone()),
                IdentitySelector::ResourceId(v) => UserAssignedSelector::ResourceId(v.clone()),
            }),
            subject_token_field_name: gcp::defaults::SUBJECT_TOKEN_FIELD_NAME.into(),
            service_account: s.service_account.as_ref().map(|x| x.value.clone()),
        })
    }

    /// The non-secret settings `subject-token` needs to fetch the same token as this run,
    /// as one `--flag=value` word each. The endpoint and header are left out on purpose:
    /// they are read live on every call (they change when the container restarts).
    pub fn subject_token_flags(&self) -> Vec<String> {
        let s = &self.settings;
        let mut out = vec![format!("--resource={}", s.resource.value.trim())];
        if !s.api_version.is_default() {
            out.push(format!("--api-version={}", s.api_version.value.trim()));
        }
        if let Some(sel) = &s.selector {
            out.push(match &sel.value {
                IdentitySelector::ClientId(v) => format!("--client-id={}", v.trim()),
                IdentitySelector::ObjectId(v) => format!("--object-id={}", v.trim()),
                IdentitySelector::ResourceId(v) => format!("--msi-resource-id={}", v.trim()),
            });
        }
        let source = match s.source {
            SourceChoice::Auto => None,
            SourceChoice::AppService => Some("app-service"),
            SourceChoice::MsiLegacy => Some("msi-legacy"),
            SourceChoice::Imds => Some("imds"),
            SourceChoice::Aks => Some("aks"),
        };
        if let Some(src) = source {
            out.push(format!("--source={src}"));
        }
        if s.timeout != crate::settings::DEFAULT_TIMEOUT {
            out.push(format!("--timeout={}ms", s.timeout.as_millis()));
        }
        out
    }

    /// Inputs for the executable-sourced credential configuration, or the settings that
    /// are missing. `args` follow the program: `subject-token` and its flags.
    pub fn executable_inputs(
        &self,
        program: String,
        timeout_millis: u64,
        output_file: Option<String>,
    ) -> Result<gcp::executable::ExecutableInputs, Vec<&'static str>> {
        let s = &self.settings;
        let (Some(n), Some(p), Some(v)) = (&s.project_number, &s.pool, &s.provider) else {
            return Err(self.missing_audience_settings());
        };
        let mut args = vec![gcp::executable::SUBJECT_TOKEN_COMMAND.to_string()];
        args.extend(self.subject_token_flags());
        args.push(format!(
            "--deadline={}ms",
            gcp::executable::deadline_millis(timeout_millis)
        ));
        Ok(gcp::executable::ExecutableInputs {
            universe_domain: s.universe_domain.value.clone(),
            audience: gcp::sts_audience(&n.value, &p.value, &v.value),
            subject_token_type: s.subject_token_type.value.clone(),
            token_url: s.token_url.value.clone(),
            service_account: s.service_account.as_ref().map(|x| x.value.clone()),
            program,
            args,
            timeout_millis,
            output_file,
        })
    }
}
