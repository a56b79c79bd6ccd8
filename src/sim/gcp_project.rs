//! The simulated Google Cloud project: one workload identity pool with an
//! OIDC provider trusting the simulated Entra tenant, one service account, and
//! the IAM bindings that connect them to Vertex AI (reference §4, §5, §6).
//! Scenarios switch single pieces of this configuration off or make them wrong.
//!
//! Only the small slice of IAM the client exercises is modelled: project-level
//! and service-account-level bindings, exact member strings, and two roles
//! reduced to the permissions the probes ask about.

use serde_json::Value;

use super::scenario::{GoogleFault, Scenario};
use super::tenant::{SimTenant, TokenVersion};

pub(crate) const PROJECT_NUMBER: &str = "123456789012";
pub(crate) const PROJECT_ID: &str = "demo-project";
pub(crate) const POOL_ID: &str = "azure-pool";
pub(crate) const PROVIDER_ID: &str = "azure-mi";
pub(crate) const SERVICE_ACCOUNT: &str = "vertex-caller@demo-project.iam.gserviceaccount.com";
pub(crate) const LOCATION: &str = "us-central1";
pub(crate) const MODEL: &str = "gemini-2.5-flash";
/// Condition of the `attribute-condition` scenario (a tenant that is not ours).
pub(crate) const FOREIGN_TENANT_CONDITION: &str =
    "assertion.tid=='00000000-0000-0000-0000-000000000000'";
/// Only audience the provider allows in the `audience-mismatch` scenario.
pub(crate) const WRONG_AUDIENCE: &str = "api://wrong-app";

pub(crate) const ROLE_VERTEX_USER: &str = "roles/aiplatform.user";
pub(crate) const ROLE_WORKLOAD_IDENTITY_USER: &str = "roles/iam.workloadIdentityUser";
pub(crate) const PERM_PREDICT: &str = "aiplatform.endpoints.predict";
pub(crate) const PERM_GET_ACCESS_TOKEN: &str = "iam.serviceAccounts.getAccessToken";
pub(crate) const PERM_PROJECTS_GET: &str = "resourcemanager.projects.get";
/// Display name and creation time of the simulated project (`projects.get`).
pub(crate) const PROJECT_NAME: &str = "Demo Project";
pub(crate) const PROJECT_CREATED: &str = "2024-01-15T09:30:00.000Z";

/// Publisher models countTokens knows about (per location the same set).
pub(crate) const MODELS: &[&str] = &[
    "gemini-2.5-flash",
    "gemini-2.5-pro",
    "gemini-2.5-flash-lite",
    "gemini-2.0-flash-001",
];
/// Vertex AI locations served (`global` only via `aiplatform.googleapis.com`).
pub(crate) const LOCATIONS: &[&str] = &[
    "global",
    "us-central1",
    "us-east1",
    "us-east4",
    "europe-west1",
    "europe-west4",
    "asia-northeast1",
];

/// Permissions of the modelled predefined roles (the real roles hold more).
/// `roles/aiplatform.user` holds `resourcemanager.projects.get` as Google's does
/// (reference §11): client libraries read the project ID with it.
fn role_permissions(role: &str) -> &'static [&'static str] {
    match role {
        ROLE_VERTEX_USER => &[
            PERM_PREDICT,
            PERM_PROJECTS_GET,
            "aiplatform.endpoints.get",
            "aiplatform.endpoints.list",
            "aiplatform.models.get",
            "aiplatform.models.list",
        ],
        ROLE_WORKLOAD_IDENTITY_USER => {
            &[PERM_GET_ACCESS_TOKEN, "iam.serviceAccounts.getOpenIdToken"]
        }
        _ => &[],
    }
}

/// `role` granted to `member` (exact IAM member string).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Binding {
    pub role: &'static str,
    pub member: String,
}

#[derive(Clone, Debug)]
pub(crate) struct Provider {
    pub id: String,
    pub disabled: bool,
    /// `oidc.issuerUri`.
    pub issuer_uri: String,
    /// `oidc.allowedAudiences` (empty = the provider's own resource names).
    pub allowed_audiences: Vec<String>,
    /// `(target, claim)`: `target = assertion.<claim>`.
    pub attribute_mapping: Vec<(String, String)>,
    pub attribute_condition: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Pool {
    pub id: String,
    pub disabled: bool,
    pub providers: Vec<Provider>,
}

#[derive(Clone, Debug)]
pub(crate) struct ServiceAccount {
    pub email: String,
    pub bindings: Vec<Binding>,
}

/// The whole project.
#[derive(Clone, Debug)]
pub(crate) struct GcpProject {
    pub number: String,
    pub id: String,
    pub pools: Vec<Pool>,
    pub service_accounts: Vec<ServiceAccount>,
    pub bindings: Vec<Binding>,
    pub vertex_enabled: bool,
}

/// Who presents a Google access token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Caller {
    /// A federated token: the pool it came from, the mapped `google.subject`
    /// and the mapped `attribute.*` values.
    Federated {
        project_number: String,
        pool: String,
        subject: String,
        attributes: Vec<(String, String)>,
    },
    ServiceAccount(String),
}

impl Caller {
    /// Every IAM member string that designates this caller.
    pub(crate) fn members(&self) -> Vec<String> {
        match self {
            Caller::Federated {
                project_number,
                pool,
                subject,
                attributes,
            } => {
                let prefix = pool_member_prefix(project_number, pool);
                let mut m = vec![
                    format!("principal://{prefix}/subject/{subject}"),
                    format!("principalSet://{prefix}/*"),
                ];
                m.extend(
                    attributes
                        .iter()
                        .map(|(k, v)| format!("principalSet://{prefix}/attribute.{k}/{v}")),
                );
                m
            }
            Caller::ServiceAccount(email) => vec![format!("serviceAccount:{email}")],
        }
    }
}

/// `iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P`.
pub(crate) fn pool_member_prefix(project_number: &str, pool: &str) -> String {
    format!(
        "iam.googleapis.com/projects/{project_number}/locations/global/workloadIdentityPools/{pool}"
    )
}

fn grants(bindings: &[Binding], caller: &Caller, permission: &str) -> bool {
    let members = caller.members();
    bindings
        .iter()
        .any(|b| role_permissions(b.role).contains(&permission) && members.contains(&b.member))
}

impl GcpProject {
    /// The demo project as configured for `scenario`.
    pub(crate) fn demo(tenant: &SimTenant, scenario: Scenario) -> Self {
        let fault = scenario.google_fault();
        let prefix = pool_member_prefix(PROJECT_NUMBER, POOL_ID);
        let oid = &tenant.system.object_id;
        let principal = format!("principal://{prefix}/subject/{oid}");
        let principal_set = format!("principalSet://{prefix}/attribute.subject/{oid}");
        let sa_member = format!("serviceAccount:{SERVICE_ACCOUNT}");

        let issuer_uri = match fault {
            Some(GoogleFault::IssuerMismatch) => tenant.issuer(TokenVersion::V2),
            // Google's documented form for v1 tokens: no trailing slash.
            _ => tenant
                .issuer(TokenVersion::V1)
                .trim_end_matches('/')
                .to_string(),
        };
        let allowed_audiences = match fault {
            Some(GoogleFault::AudienceMismatch) => vec![WRONG_AUDIENCE.to_string()],
            _ => vec![tenant.app_v1.identifier_uri.clone()],
        };
        let attribute_condition = (fault == Some(GoogleFault::AttributeCondition))
            .then(|| FOREIGN_TENANT_CONDITION.to_string());

        let mut bindings = vec![Binding {
            role: ROLE_VERTEX_USER,
            member: sa_member,
        }];
        if fault != Some(GoogleFault::MissingVertexBinding) {
            bindings.push(Binding {
                role: ROLE_VERTEX_USER,
                member: principal_set,
            });
        }
        let mut sa_bindings = Vec::new();
        if fault != Some(GoogleFault::MissingWorkloadIdentityUser) {
            sa_bindings.push(Binding {
                role: ROLE_WORKLOAD_IDENTITY_USER,
                member: principal,
            });
        }

        GcpProject {
            number: PROJECT_NUMBER.into(),
            id: PROJECT_ID.into(),
            pools: vec![Pool {
                id: POOL_ID.into(),
                disabled: fault == Some(GoogleFault::DisabledPool),
                providers: vec![Provider {
                    id: PROVIDER_ID.into(),
                    disabled: false,
                    issuer_uri,
                    allowed_audiences,
                    attribute_mapping: vec![
                        ("google.subject".into(), "sub".into()),
                        ("attribute.subject".into(), "sub".into()),
                    ],
                    attribute_condition,
                }],
            }],
            service_accounts: vec![ServiceAccount {
                email: SERVICE_ACCOUNT.into(),
                bindings: sa_bindings,
            }],
            bindings,
            vertex_enabled: fault != Some(GoogleFault::VertexDisabled),
        }
    }

    /// Whether `name` (project ID or number) designates this project.
    pub(crate) fn is_named(&self, name: &str) -> bool {
        name == self.number || name == self.id
    }

    /// Enabled pool + enabled provider, addressed by project *number*.
    pub(crate) fn active_provider(
        &self,
        project_number: &str,
        pool: &str,
        provider: &str,
    ) -> Option<&Provider> {
        if project_number != self.number {
            return None;
        }
        let pool = self.pools.iter().find(|p| p.id == pool && !p.disabled)?;
        pool.providers
            .iter()
            .find(|p| p.id == provider && !p.disabled)
    }

    /// Whether a pool that issued tokens still grants access (a disabled or
    /// deleted pool revokes its tokens; reference §5).
    pub(crate) fn pool_active(&self, project_number: &str, pool: &str) -> bool {
        project_number == self.number && self.pools.iter().any(|p| p.id == pool && !p.disabled)
    }

    pub(crate) fn service_account(&self, email: &str) -> Option<&ServiceAccount> {
        self.service_accounts
            .iter()
            .find(|s| s.email.eq_ignore_ascii_case(email))
    }

    /// Project-level permission check (no inheritance modelled).
    pub(crate) fn project_allows(&self, caller: &Caller, permission: &str) -> bool {
        grants(&self.bindings, caller, permission)
    }
}

impl ServiceAccount {
    pub(crate) fn allows(&self, caller: &Caller, permission: &str) -> bool {
        grants(&self.bindings, caller, permission)
    }
}

/// Why attribute mapping failed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum MappingError {
    /// The expression for `target` did not yield a string.
    NotString(String),
}

impl Provider {
    /// `(google.subject, [(attribute name, value)])` for the claims.
    pub(crate) fn map_attributes(
        &self,
        claims: &Value,
    ) -> Result<(String, Vec<(String, String)>), MappingError> {
        let mut subject = None;
        let mut attributes = Vec::new();
        for (target, claim) in &self.attribute_mapping {
            let Some(value) = claims.get(claim).and_then(Value::as_str) else {
                return Err(MappingError::NotString(target.clone()));
            };
            if target == "google.subject" {
                subject = Some(value.to_string());
            } else if let Some(name) = target.strip_prefix("attribute.") {
                attributes.push((name.to_string(), value.to_string()));
            }
        }
        subject
            .map(|s| (s, attributes))
            .ok_or_else(|| MappingError::NotString("google.subject".into()))
    }

    /// Evaluates the attribute condition; `true` when there is none. Only the
    /// `assertion.<claim> == '<literal>'` / `!=` subset of CEL is understood;
    /// anything else (like a CEL evaluation error) rejects.
    pub(crate) fn condition_accepts(&self, claims: &Value) -> bool {
        let Some(cond) = &self.attribute_condition else {
            return true;
        };
        eval_simple_condition(cond, claims).unwrap_or(false)
    }
}

fn eval_simple_condition(cond: &str, claims: &Value) -> Option<bool> {
    let (lhs, rhs, negate) = if let Some((l, r)) = cond.split_once("==") {
        (l, r, false)
    } else {
        let (l, r) = cond.split_once("!=")?;
        (l, r, true)
    };
    let claim = lhs.trim().strip_prefix("assertion.")?;
    let rhs = rhs.trim();
    let literal = rhs
        .strip_prefix('\'')
        .and_then(|r| r.strip_suffix('\''))
        .or_else(|| rhs.strip_prefix('"').and_then(|r| r.strip_suffix('"')))?;
    let actual = claims.get(claim)?.as_str()?;
    Some((actual == literal) != negate)
}

/// Read-only description of the simulated Google project, as the client's
/// settings should reference it for the current scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimGoogle {
    /// Project number for the STS audience. The `project-id-audience`
    /// scenario deliberately reports the project *ID* here.
    pub project_number: String,
    pub project_id: String,
    /// Workload identity pool ID.
    pub pool: String,
    /// Provider ID within the pool.
    pub provider: String,
    /// Service account the client should impersonate, or `None` for direct
    /// resource access (set only in scenarios that expect impersonation).
    pub service_account: Option<String>,
    /// The service account that exists in the project (always set).
    pub service_account_email: String,
    /// Vertex AI location.
    pub location: String,
    /// Vertex AI publisher model.
    pub model: String,
    /// Azure resource (App ID URI) to request tokens for: the v1 app.
    pub app_id_uri: String,
}

impl SimGoogle {
    /// The app settings (the seed's names) a client of this simulator is configured with:
    /// `AZURE_RESOURCE_URI`, the `GCP_*` values, and `GCP_SERVICE_ACCOUNT` when the scenario
    /// expects impersonation.
    pub fn app_settings(&self) -> Vec<(&'static str, String)> {
        let mut vars = vec![
            ("AZURE_RESOURCE_URI", self.app_id_uri.clone()),
            ("GCP_PROJECT_NUMBER", self.project_number.clone()),
            ("GCP_PROJECT_ID", self.project_id.clone()),
            ("GCP_WORKLOAD_IDENTITY_POOL_ID", self.pool.clone()),
            ("GCP_WORKLOAD_IDENTITY_PROVIDER_ID", self.provider.clone()),
            ("GCP_LOCATION", self.location.clone()),
            ("GCP_VERTEX_MODEL", self.model.clone()),
        ];
        if let Some(sa) = &self.service_account {
            vars.push(("GCP_SERVICE_ACCOUNT", sa.clone()));
        }
        vars
    }

    pub(crate) fn for_scenario(tenant: &SimTenant, scenario: Scenario) -> Self {
        let project_number = if scenario.google_fault() == Some(GoogleFault::ProjectIdInSettings) {
            PROJECT_ID
        } else {
            PROJECT_NUMBER
        };
        SimGoogle {
            project_number: project_number.into(),
            project_id: PROJECT_ID.into(),
            pool: POOL_ID.into(),
            provider: PROVIDER_ID.into(),
            service_account: scenario
                .expects_impersonation()
                .then(|| SERVICE_ACCOUNT.to_string()),
            service_account_email: SERVICE_ACCOUNT.into(),
            location: LOCATION.into(),
            model: MODEL.into(),
            app_id_uri: tenant.app_v1.identifier_uri.clone(),
        }
    }

    /// Whether the client is expected to impersonate the service account.
    pub fn impersonate(&self) -> bool {
        self.service_account.is_some()
    }

    /// STS audience built from these settings:
    /// `//iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/V`.
    pub fn audience(&self) -> String {
        format!(
            "//{}/providers/{}",
            pool_member_prefix(&self.project_number, &self.pool),
            self.provider
        )
    }
}
