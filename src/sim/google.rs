//! Dispatch point for the Google side (STS `/v1/token`, iamcredentials,
//! cloudresourcemanager, Vertex AI). Not simulated yet: every request falls
//! through to the generic 404. Google-side fault scenarios will hook in here.

use super::State;
use super::http::{SimRequest, SimResponse};

/// Google production hosts served (eventually) by this module.
pub(crate) const GOOGLE_HOSTS: &[&str] = &[
    "sts.googleapis.com",
    "iamcredentials.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "aiplatform.googleapis.com",
    "oauth2.googleapis.com",
];

/// Handles a request to a Google host, or `None` if unrouted.
pub(crate) fn dispatch(state: &State, req: &SimRequest) -> Option<SimResponse> {
    let _ = (state, req);
    None
}
