//! `--demo`: start the simulator in-process and point every setting at it, so the
//! demo exercises exactly the code that runs in Azure (real HTTP, real TLS, real names).

use crate::secret::Secret;
use crate::settings::{Origin, Settings, Sourced};
use crate::sim::{self, Scenario, Sim, SimOptions};
use std::time::Duration;

/// The demo's Google project, matching the simulator's.
pub const PROJECT_NUMBER: &str = "123456789012";
pub const PROJECT_ID: &str = "demo-project";
pub const POOL: &str = "azure-pool";
pub const PROVIDER: &str = "azure-mi";

/// Start the simulator for `scenario`.
pub async fn start(scenario: Scenario, latency: Duration) -> std::io::Result<Sim> {
    sim::start(SimOptions { scenario, latency }).await
}

/// Point `settings` at the simulator. Flags still win: `--demo --pool other` shows a mismatch.
pub fn apply(settings: &mut Settings, sim: &Sim) {
    fn set(slot: &mut Option<Sourced<String>>, value: &str) {
        if !matches!(
            slot,
            Some(Sourced {
                origin: Origin::Flag { .. },
                ..
            })
        ) {
            *slot = Some(Sourced::new(value.to_string(), Origin::Demo));
        }
    }
    fn set_req(slot: &mut Sourced<String>, value: &str) {
        if !matches!(slot.origin, Origin::Flag { .. }) {
            *slot = Sourced::new(value.to_string(), Origin::Demo);
        }
    }
    set(&mut settings.identity_endpoint, &sim.identity_endpoint());
    if !matches!(
        settings.identity_header,
        Some(Sourced {
            origin: Origin::Flag { .. },
            ..
        })
    ) {
        settings.identity_header = Some(Sourced::new(
            Secret::new(sim.identity_header()),
            Origin::Demo,
        ));
    }
    // The demo stands for an App Service app: no legacy pair, no AKS file, IMDS on the sim.
    settings.msi_endpoint = None;
    settings.msi_secret = None;
    settings.federated_token_file = None;
    set_req(&mut settings.imds_endpoint, &sim.imds_endpoint());
    set_req(&mut settings.resource, &sim.app_v1().identifier_uri);
    set(&mut settings.project_number, PROJECT_NUMBER);
    set(&mut settings.project_id, PROJECT_ID);
    set(&mut settings.pool, POOL);
    set(&mut settings.provider, PROVIDER);
    settings.resolve.extend(sim.resolve_entries());
    settings.extra_roots_pem.push(sim.ca_pem());
    settings.environment = Default::default();
    settings.environment.app_service_site = Some("demo-app".into());
}
