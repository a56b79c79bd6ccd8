//! `--demo`: start the simulator in-process and point every setting at it, so the
//! demo exercises exactly the code that runs in Azure (real HTTP, real TLS, real names).

use crate::secret::Secret;
use crate::settings::{Origin, Settings, Sourced};
use crate::sim::{self, Scenario, Sim, SimOptions};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

/// Where a demo writes its files unless told otherwise: a fresh private directory under
/// the system's temporary directory, made once per run and kept for the user to look at.
/// Never `$HOME` or the current directory: the demo's credential file points at the
/// simulator's (dead after exit) loopback port and would break the real app reading
/// `$HOME/gcp_credentials.json`.
pub fn output_dir() -> std::io::Result<PathBuf> {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    if let Some(d) = DIR.get() {
        return Ok(d.clone());
    }
    use std::os::unix::fs::PermissionsExt;
    let made = tempfile::Builder::new()
        .prefix("wif-doctor-demo-")
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()?
        .keep();
    Ok(DIR.get_or_init(|| made).clone())
}

/// Start the simulator for `scenario`.
pub async fn start(scenario: Scenario, latency: Duration) -> std::io::Result<Sim> {
    sim::start(SimOptions {
        scenario,
        latency,
        ..SimOptions::default()
    })
    .await
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
    let google = sim.google();
    set_req(&mut settings.resource, &google.app_id_uri);
    set(&mut settings.project_number, &google.project_number);
    set(&mut settings.project_id, &google.project_id);
    set(&mut settings.pool, &google.pool);
    set(&mut settings.provider, &google.provider);
    set_req(&mut settings.location, &google.location);
    set_req(&mut settings.model, &google.model);
    if let Some(sa) = &google.service_account {
        set(&mut settings.service_account, sa);
    }
    settings.resolve.extend(sim.resolve_entries());
    settings.extra_roots_pem.push(sim.ca_pem());
    settings.environment = Default::default();
    settings.environment.app_service_site = Some("demo-app".into());
}
