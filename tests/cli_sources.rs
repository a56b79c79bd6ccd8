//! `wif-doctor token` against every managed-identity source of the simulator.

mod common;
use common::*;
use wif_doctor::sim::{Scenario, TokenVersion};

#[test]
fn app_service_v1_token_reports_what_the_simulator_issued() {
    let w = World::new(Scenario::Healthy);
    let r = w.run(&w.app_service_env(), &["token", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let j = r.json();
    let sys = w.sim.system_identity();
    assert_eq!(j["source"], "app_service");
    assert_eq!(j["claims"]["aud"], w.sim.app_v1().identifier_uri);
    assert_eq!(j["claims"]["iss"], w.sim.issuer(TokenVersion::V1));
    assert_eq!(j["claims"]["sub"], sys.object_id);
    assert_eq!(j["version"], "v1");
    assert_eq!(j["header"]["alg"], "RS256");
    assert_eq!(j["expires_from"], "expires_on (epoch string)");
    assert!(j["expires_in_seconds"].as_i64().unwrap() > 23 * 3600);
    assert_eq!(j["token_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(j["endpoint"], w.sim.identity_endpoint());
    // The request carried the header and the documented parameters.
    let reqs = w.sim.requests();
    let req = reqs
        .iter()
        .find(|r| r.path.eq_ignore_ascii_case("/msi/token"))
        .unwrap();
    assert_eq!(
        req.header("x-identity-header"),
        Some(w.sim.identity_header())
    );
    assert_eq!(
        req.query_param("api-version").as_deref(),
        Some("2019-08-01")
    );
    assert_eq!(
        req.query_param("resource").as_deref(),
        Some(w.sim.app_v1().identifier_uri.as_str())
    );
}

#[test]
fn human_output_shows_claims_and_sub_note() {
    let w = World::new(Scenario::Healthy);
    let r = w.run(&w.app_service_env(), &["token"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains(&w.sim.system_identity().object_id));
    assert!(
        r.stdout
            .contains("object (principal) ID, not its client ID")
    );
    assert!(r.stdout.contains("the token itself is never shown"));
}

#[test]
fn v2_token_has_v2_issuer_and_guid_audience() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.app_service_env();
    set(
        &mut env,
        "AZURE_RESOURCE_URI",
        &w.sim.app_v2().identifier_uri,
    );
    let j = w.run(&env, &["token", "--json"]).json();
    assert_eq!(j["version"], "v2");
    assert_eq!(j["claims"]["iss"], w.sim.issuer(TokenVersion::V2));
    assert_eq!(j["claims"]["aud"], w.sim.app_v2().app_id);
    assert_eq!(j["claims"]["azp"], w.sim.system_identity().client_id);
}

#[test]
fn default_resource_is_arm() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.app_service_env();
    unset(&mut env, "AZURE_RESOURCE_URI");
    let j = w.run(&env, &["token", "--json"]).json();
    assert_eq!(j["claims"]["aud"], "https://management.azure.com/");
    assert!(
        j["notes"].to_string().contains("Azure Resource Manager")
            || j["notes"].to_string().contains("ARM")
    );
}

#[test]
fn each_user_assigned_selector_reaches_the_endpoint() {
    let w = World::new(Scenario::Healthy);
    let uami = &w.sim.user_identities()[0];
    let cases: [(&[&str], &str, &str); 3] = [
        (
            &["--client-id", &uami.client_id],
            "client_id",
            &uami.client_id,
        ),
        (
            &["--object-id", &uami.object_id],
            "principal_id",
            &uami.object_id,
        ),
        (
            &["--msi-resource-id", &uami.resource_id],
            "mi_res_id",
            &uami.resource_id,
        ),
    ];
    for (flags, param, value) in cases {
        w.sim.clear_requests();
        let mut args = vec!["token", "--json"];
        args.extend_from_slice(flags);
        let r = w.run(&w.app_service_env(), &args);
        assert_eq!(r.code, 0, "{flags:?}: {}", r.all());
        assert_eq!(r.json()["claims"]["sub"], uami.object_id, "{flags:?}");
        let req = w
            .sim
            .requests()
            .into_iter()
            .find(|r| r.path.eq_ignore_ascii_case("/msi/token"))
            .unwrap();
        assert_eq!(req.query_param(param).as_deref(), Some(value), "{flags:?}");
    }
    // AZURE_CLIENT_ID is the environment twin of --client-id.
    let mut env = w.app_service_env();
    set(
        &mut env,
        "AZURE_CLIENT_ID",
        &w.sim.user_identities()[1].client_id,
    );
    let j = w.run(&env, &["token", "--json"]).json();
    assert_eq!(j["claims"]["sub"], w.sim.user_identities()[1].object_id);
}

#[test]
fn legacy_msi_endpoint_with_date_expiry() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.base_env();
    set(&mut env, "MSI_ENDPOINT", &w.sim.msi_endpoint());
    set(&mut env, "MSI_SECRET", w.sim.msi_secret());
    set(
        &mut env,
        "AZURE_RESOURCE_URI",
        &w.sim.app_v1().identifier_uri,
    );
    let uami = &w.sim.user_identities()[0];
    let r = w.run(&env, &["token", "--json", "--client-id", &uami.client_id]);
    assert_eq!(r.code, 0, "{}", r.all());
    let j = r.json();
    assert_eq!(j["source"], "msi_legacy");
    assert_eq!(j["expires_from"], "expires_on (legacy date)");
    assert_eq!(j["claims"]["sub"], uami.object_id);
    let req = w
        .sim
        .requests()
        .into_iter()
        .find(|r| r.path.eq_ignore_ascii_case("/msi/token"))
        .unwrap();
    assert_eq!(req.header("secret"), Some(w.sim.msi_secret()));
    assert_eq!(
        req.query_param("api-version").as_deref(),
        Some("2017-09-01")
    );
    assert_eq!(
        req.query_param("clientid").as_deref(),
        Some(uami.client_id.as_str())
    );
    // The legacy protocol cannot select by object ID: a clear usage-level failure, no request.
    let r = w.run(&env, &["token", "--object-id", &uami.object_id]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("--client-id"), "{}", r.stderr);
}

#[test]
fn imds_when_asked_with_selectors() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.base_env();
    set(&mut env, "AZURE_IMDS_ENDPOINT", &w.sim.imds_endpoint());
    set(
        &mut env,
        "AZURE_RESOURCE_URI",
        &w.sim.app_v1().identifier_uri,
    );
    let r = w.run(&env, &["token", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let j = r.json();
    assert_eq!(j["source"], "imds");
    assert_eq!(j["expires_from"], "expires_in");
    let req = w
        .sim
        .requests()
        .into_iter()
        .find(|r| r.path.contains("/metadata/identity"))
        .unwrap();
    assert_eq!(req.header("metadata"), Some("true"));
    assert_eq!(
        req.query_param("api-version").as_deref(),
        Some("2018-02-01")
    );
    let uami = &w.sim.user_identities()[1];
    for (flag, value, param) in [
        ("--object-id", &uami.object_id, "object_id"),
        ("--msi-resource-id", &uami.resource_id, "msi_res_id"),
        ("--client-id", &uami.client_id, "client_id"),
    ] {
        w.sim.clear_requests();
        let r = w.run(&env, &["token", "--json", flag, value]);
        assert_eq!(r.json()["claims"]["sub"], uami.object_id, "{flag}");
        let req = w
            .sim
            .requests()
            .into_iter()
            .find(|r| r.path.contains("/metadata/identity"))
            .unwrap();
        assert_eq!(req.query_param(param).as_deref(), Some(value.as_str()));
    }
}

#[test]
fn aks_workload_identity_reads_the_projected_token() {
    let w = World::new(Scenario::Healthy);
    let file = w.dir.path().join("azure-identity-token");
    write(&file, &format!("{}\n", w.sim.mint_token(TokenVersion::V2)));
    let mut env = w.base_env();
    set(
        &mut env,
        "AZURE_FEDERATED_TOKEN_FILE",
        &file.display().to_string(),
    );
    let r = w.run(&env, &["token", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let j = r.json();
    assert_eq!(j["source"], "aks_workload_identity");
    assert_eq!(j["claims"]["iss"], w.sim.issuer(TokenVersion::V2));
    assert!(w.sim.requests().is_empty(), "a token file needs no request");
}

#[test]
fn recovers_identity_from_pid1_environ_when_the_shell_lacks_it() {
    let w = World::new(Scenario::Healthy);
    let environ = format!(
        "WEBSITE_SITE_NAME=demo-app\0IDENTITY_ENDPOINT={}\0IDENTITY_HEADER={}\0AZURE_RESOURCE_URI={}\0",
        w.sim.identity_endpoint(),
        w.sim.identity_header(),
        w.sim.app_v1().identifier_uri
    );
    write(&w.root().join("proc/1/environ"), &environ);
    let r = w.run(&w.base_env(), &["token"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout
            .contains("recovered from process 1, /proc/1/environ"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(&w.sim.app_v1().identifier_uri));
}

#[test]
fn recovers_identity_from_another_process_then_etc_profile() {
    let w = World::new(Scenario::Healthy);
    // PID 1 is marked as App Service but lacks the identity; process 77 has it.
    write(
        &w.root().join("proc/1/environ"),
        "HOME=/root\0WEBSITE_SITE_NAME=demo-app\0",
    );
    write(
        &w.root().join("proc/77/environ"),
        &format!(
            "WEBSITE_INSTANCE_ID=0123abcd\0IDENTITY_ENDPOINT={}\0IDENTITY_HEADER={}\0",
            w.sim.identity_endpoint(),
            w.sim.identity_header()
        ),
    );
    let r = w.run(&w.base_env(), &["token"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout
            .contains("recovered from process 77, /proc/77/environ"),
        "{}",
        r.stdout
    );

    std::fs::remove_dir_all(w.root().join("proc/77")).unwrap();
    write(
        &w.root().join("etc/profile"),
        &format!(
            "# Get environment variables to show up in SSH session\nexport WEBSITE_SITE_NAME=\"demo-app\"\nexport IDENTITY_ENDPOINT=\"{}\"\nexport IDENTITY_HEADER=\"{}\"\n",
            w.sim.identity_endpoint(),
            w.sim.identity_header()
        ),
    );
    let r = w.run(&w.base_env(), &["token"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout.contains("recovered from /etc/profile"),
        "{}",
        r.stdout
    );
}
