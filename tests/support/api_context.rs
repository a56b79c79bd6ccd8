//! The token and settings the Google API diagnosis tests explain against: one federated
//! identity (v1 token, pool `azure-pool` in project 123456789012 / `my-proj`) impersonating
//! `wif-sa`, or using direct access.
#![allow(dead_code)]

use wif_doctor::diagnose::Context;
use wif_doctor::jwt::TokenVersion;

pub const NOW: i64 = 1_795_863_600;
pub const SUB: &str = "5d1a2b3c-1111-4222-8333-44445555abcd";
pub const SA: &str = "wif-sa@my-proj.iam.gserviceaccount.com";
pub const PRINCIPAL: &str = "principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/subject/5d1a2b3c-1111-4222-8333-44445555abcd";
pub const PRINCIPAL_SET: &str = "principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/attribute.subject/5d1a2b3c-1111-4222-8333-44445555abcd";

/// Impersonating [`SA`].
pub fn ctx() -> Context {
    Context {
        token_iss: Some("https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/".into()),
        token_aud: vec!["api://wif-app".into()],
        token_sub: Some(SUB.into()),
        token_tid: Some("72f988bf-86f1-41af-91ab-2d7cd011db47".into()),
        token_iat: Some(NOW - 60),
        token_exp: Some(NOW + 86_000),
        token_version: Some(TokenVersion::V1),
        project_number: Some("123456789012".into()),
        project_id: Some("my-proj".into()),
        pool: Some("azure-pool".into()),
        provider: Some("azure-mi".into()),
        service_account: Some(SA.into()),
        resource: Some("api://wif-app".into()),
        audience: None,
        now: NOW,
    }
}

/// Direct access (no service account), the recommended setup for Vertex AI.
pub fn direct() -> Context {
    Context {
        service_account: None,
        ..ctx()
    }
}
