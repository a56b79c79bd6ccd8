//! The simulated Entra tenant: who can ask for tokens (managed identities) and
//! for what (registered resources). Ids are fixed, GUID-shaped constants so
//! tests and demo transcripts are stable; only keys and secrets vary per start.

/// Token format a resource app asks Entra for (`requestedAccessTokenVersion`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenVersion {
    /// `ver 1.0`: `iss https://sts.windows.net/<tid>/`, `aud` = requested string.
    V1,
    /// `ver 2.0`: `iss https://login.microsoftonline.com/<tid>/v2.0`, `aud` = app GUID.
    V2,
}

/// System- or user-assigned managed identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdentityKind {
    SystemAssigned,
    UserAssigned,
}

/// A managed identity assigned to the simulated App Service site / VM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimIdentity {
    pub kind: IdentityKind,
    /// Display name (the UAMI resource name; `demo-app` for system-assigned).
    pub name: String,
    /// Application (client) id: `appid`/`azp` in tokens, `client_id` selector.
    pub client_id: String,
    /// Service principal object id: `oid` and `sub` in tokens.
    pub object_id: String,
    /// ARM resource id: `xms_mirid` in tokens, `mi_res_id` selector (user-assigned).
    pub resource_id: String,
}

/// An app registration that exposes an App ID URI and can be a token audience.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimApp {
    pub name: String,
    /// Application (client) id GUID.
    pub app_id: String,
    /// App ID URI, `api://<app_id>`.
    pub identifier_uri: String,
    pub token_version: TokenVersion,
}

/// Everything the simulated tenant knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimTenant {
    pub tenant_id: String,
    pub subscription_id: String,
    pub resource_group: String,
    pub system: SimIdentity,
    pub user_assigned: Vec<SimIdentity>,
    /// Default manifest (v1 tokens).
    pub app_v1: SimApp,
    /// `requestedAccessTokenVersion = 2` (v2 tokens).
    pub app_v2: SimApp,
}

/// Azure Resource Manager, a first-party v1 resource every tenant has.
pub const ARM_RESOURCE: &str = "https://management.azure.com/";

/// What a `resource=` parameter resolved to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ResolvedResource {
    pub version: TokenVersion,
    /// Value of the `aud` claim.
    pub aud: String,
}

impl SimTenant {
    /// The fixed demo tenant.
    pub fn demo() -> Self {
        let sub = "8c5b1f2e-3d4a-4b6c-9e7f-0a1b2c3d4e5f";
        let rg = "demo-rg";
        let uami = |name: &str, client: &str, object: &str| SimIdentity {
            kind: IdentityKind::UserAssigned,
            name: name.to_string(),
            client_id: client.to_string(),
            object_id: object.to_string(),
            resource_id: format!(
                "/subscriptions/{sub}/resourcegroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}"
            ),
        };
        let app = |name: &str, id: &str, version| SimApp {
            name: name.to_string(),
            app_id: id.to_string(),
            identifier_uri: format!("api://{id}"),
            token_version: version,
        };
        SimTenant {
            tenant_id: "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c".into(),
            subscription_id: sub.into(),
            resource_group: rg.into(),
            system: SimIdentity {
                kind: IdentityKind::SystemAssigned,
                name: "demo-app".into(),
                client_id: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d".into(),
                object_id: "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e".into(),
                resource_id: format!(
                    "/subscriptions/{sub}/resourcegroups/{rg}/providers/Microsoft.Web/sites/demo-app"
                ),
            },
            user_assigned: vec![
                uami(
                    "demo-uami-gcp",
                    "c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e7f",
                    "d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7f80",
                ),
                uami(
                    "demo-uami-other",
                    "e5f6a7b8-c9d0-4e1f-8a2b-4c5d6e7f8091",
                    "f6a7b8c9-d0e1-4f2a-9b3c-5d6e7f8091a2",
                ),
            ],
            app_v1: app(
                "wif-demo-v1",
                "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d",
                TokenVersion::V1,
            ),
            app_v2: app(
                "wif-demo-v2",
                "1b0a9c8d-7e6f-4b5a-9d3c-2f1e0a9b8c7d",
                TokenVersion::V2,
            ),
        }
    }

    /// All identities, system-assigned first.
    pub fn identities(&self) -> impl Iterator<Item = &SimIdentity> {
        std::iter::once(&self.system).chain(self.user_assigned.iter())
    }

    pub(crate) fn by_client_id(&self, id: &str) -> Option<&SimIdentity> {
        self.identities()
            .find(|i| i.client_id.eq_ignore_ascii_case(id.trim()))
    }

    pub(crate) fn by_object_id(&self, id: &str) -> Option<&SimIdentity> {
        self.identities()
            .find(|i| i.object_id.eq_ignore_ascii_case(id.trim()))
    }

    /// Only user-assigned identities are selectable by resource id.
    pub(crate) fn by_resource_id(&self, id: &str) -> Option<&SimIdentity> {
        let id = id.trim().trim_end_matches('/');
        self.user_assigned
            .iter()
            .find(|i| i.resource_id.eq_ignore_ascii_case(id))
    }

    /// Maps a `resource=` value onto a registered resource, like Entra does:
    /// identifier URIs and app ids are matched case-insensitively; a v1 `aud`
    /// echoes the requested string byte for byte; `/.default` scopes and
    /// unknown URIs resolve to nothing.
    pub(crate) fn resolve_resource(&self, resource: &str) -> Option<ResolvedResource> {
        let arm = [
            "https://management.azure.com/",
            "https://management.azure.com",
        ];
        if arm.iter().any(|a| a.eq_ignore_ascii_case(resource)) {
            return Some(ResolvedResource {
                version: TokenVersion::V1,
                aud: resource.to_string(),
            });
        }
        [&self.app_v1, &self.app_v2]
            .into_iter()
            .find(|app| {
                app.identifier_uri.eq_ignore_ascii_case(resource)
                    || app.app_id.eq_ignore_ascii_case(resource)
            })
            .map(|app| ResolvedResource {
                version: app.token_version,
                aud: match app.token_version {
                    TokenVersion::V1 => resource.to_string(),
                    TokenVersion::V2 => app.app_id.clone(),
                },
            })
    }

    /// `iss` for a token version.
    pub fn issuer(&self, version: TokenVersion) -> String {
        match version {
            TokenVersion::V1 => format!("https://sts.windows.net/{}/", self.tenant_id),
            TokenVersion::V2 => {
                format!("https://login.microsoftonline.com/{}/v2.0", self.tenant_id)
            }
        }
    }
}
